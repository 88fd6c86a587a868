"""A pool member on a stand-in engine, and the settings the call tests share."""

import json

import dspy

from runtime.calls.member_lm import MemberLM
from runtime.config import Retry
from signatures import Check

#: A valid answer of :class:`ThreeChecks`.
VALID = json.dumps({"reasonable": 1, "complete": 1, "clear": 1})
#: A valid answer of one instruction check (``CheckInstruction``): a bare digit.
PASS = "1"


class ThreeChecks(dspy.Signature):
    """Give 1 (pass) or 0 (fail) for each check of the instruction: a small answer of three typed fields."""

    instruction: str = dspy.InputField()
    input: str = dspy.InputField()
    reasonable: Check = dspy.OutputField()
    complete: Check = dspy.OutputField()
    clear: Check = dspy.OutputField()


#: Retries as the pool allows them, without waiting between engine errors.
NO_WAIT = Retry(backoff_s=0.0)


def member(fake, name="m"):
    """A member LM of ``fake`` (a :class:`tests.helpers.fake_engine.FakeEngine`), seeded, without LiteLLM retries."""
    return MemberLM(name, api_base=fake.base_url, api_key="k", temperature=0.2, max_tokens=64, seed=7, num_retries=0)
