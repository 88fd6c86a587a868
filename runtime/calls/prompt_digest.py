"""A digest of the prompts gra writes itself: what a resumed run must share with the run it resumes.

A prompt pack is hashed into a run's fingerprint file by file. The prompts gra builds in are
not in a file the user names, and an upgrade of gra can change them: a role's wording, the
layout the adapter gives a signature, a hand-written demo. A run resumed across such a change
would mix two sets of prompts in one output. So every role's signature is rendered by the
adapter that sends it, with a placeholder for each input, the demo banks are added, and the
whole is hashed (:func:`runtime.fingerprint.fingerprint` keeps it as its ``gra_prompts`` part).
"""

from __future__ import annotations

from functools import cache

from gra_agents.demo_bank import ANNOTATE, CHECKS
from gra_agents.judged_demos import JUDGED
from gra_agents.verifier_demos import PROGRAMS, REFERENCES
from runtime.calls.adapter import StructuredAdapter
from runtime.fingerprint import digest_of
from signatures import ALL_SIGNATURES


def rendered(signature) -> list[dict]:
    """The messages the adapter builds for ``signature`` with no demos and ``{name}`` for each input."""
    inputs = {name: "{" + name + "}" for name in signature.input_fields}
    return StructuredAdapter().format(signature, [], inputs)


def demo_banks() -> dict:
    """Every hand-written demo, as plain data."""
    plain = lambda examples: [dict(e.toDict()) for e in examples]  # noqa: E731
    return {
        "annotate": plain(ANNOTATE),
        "checks": {domain: plain(examples) for domain, examples in CHECKS.items()},
        "judged": JUDGED,
        "programs": plain(PROGRAMS),
        "references": plain(REFERENCES),
    }


@cache
def prompt_digest() -> str:
    """A 16-hex-digit hash of every rendered signature and every demo bank."""
    text = {"signatures": {s.__name__: rendered(s) for s in ALL_SIGNATURES}, "demos": demo_banks()}
    return digest_of(text)
