"""The run settings (:class:`SynthConfig`) and their switches: what shapes a run besides its pool.

The CLI's defaults come from here, the run database stores them (``runs.config``), and the
fingerprint guards them on resume (:mod:`runtime.fingerprint`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gra_agents import DEFAULT_DELTA, DEFAULT_TAU, VOTES, Vote, parse_role_draw
from runtime.errors import GraError


class ConfigError(GraError, ValueError):
    """Run settings that cannot go together; ``str()`` is the one-line message for the user."""


class Order(StrEnum):
    """When the response is written: after the instruction checks pass (fewer calls), or before them (the paper)."""

    CHECK_FIRST = "check-first"
    PAPER = "paper"


class Verify(StrEnum):
    """What the verification stage does (runtime.pipeline.verification): nothing (the paper), inform the scores,
    or also reject a response it contradicts before any score sheet."""

    OFF = "off"
    EVIDENCE = "evidence"
    GATE = "gate"


class Scores(StrEnum):
    """How the judges' checks and sheets are read (runtime.pipeline.reading): as sampled (the paper), as the
    expected values of the engine's probabilities, or through each member's calibration in the prompt pack."""

    SAMPLED = "sampled"
    EXPECTED = "expected"
    CALIBRATED = "calibrated"


class SeedDomains(StrEnum):
    """Who gives a seed its domain: the nearest labelled domain by embedding, or the annotating model."""

    EMBEDDING = "embedding"
    MODEL = "model"


@dataclass
class SynthConfig:
    """Everything that shapes a run (stored in ``runs.config``); the CLI's defaults come from here."""

    rounds: int = 1
    per_round: int = 10
    max_candidates: int | None = None  # per round; default 4 × per_round
    n_reviewers: int = 3
    tau: float = DEFAULT_TAU  # the paper's τ and δ, defined once with the committee rule
    delta: float = DEFAULT_DELTA
    dedup_threshold: float = 0.9
    seed: int = 0
    concurrency: int | None = None  # samples in flight; default 2 × total engine slots + 4
    screen: bool = True  # reject text that steers its judges before any judge reads it (gra_agents.steering)
    seed_domains: SeedDomains = SeedDomains.EMBEDDING  # who gives a seed its domain (runtime.pipeline.domains)
    domain_check: bool = True  # label a generated instruction with its nearest domain, not the requested one
    vote: Vote = "adjudicator"  # how a dispute is settled (gra_agents.verdict); the paper's: the adjudicator
    reviewer_member: str | None = None  # one member reviews every sample alone (paper: single-model reviewer)
    roles: str = "random"  # random per sample (the paper), "fixed" (pool order) or "single:MEMBER" (paper §5.1)
    order: Order = Order.CHECK_FIRST  # the response is written only for an instruction the checks passed
    early_exit: bool = True  # a reviewer is called only while its review can still change the decision
    prompts: str | None = None  # a prompt pack folder; None: the pool's own pack, if it names one; "none": no pack
    stall_s: float = 180.0  # say what the run waits on after this long without progress (runtime.progress.watchdog)
    verify: Verify = Verify.GATE  # run the math and the code before scoring (runtime.pipeline.verification)
    programs: int = 3  # verifier programs (math) or reference solutions (code) per sample
    scores: Scores = Scores.CALIBRATED  # how checks and sheets are read (runtime.pipeline.reading)

    def __post_init__(self) -> None:
        """Refuse switches that cannot be combined, with one line that names them."""
        try:
            mode, _ = parse_role_draw(self.roles)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        if self.vote not in VOTES:
            raise ConfigError(f"vote must be one of {', '.join(VOTES)}, got {self.vote!r}")
        if self.n_reviewers < 0:
            raise ConfigError(f"reviewers must be at least 0, got {self.n_reviewers}")
        if self.programs < 1:
            raise ConfigError(f"programs must be at least 1, got {self.programs}")
        if self.reviewer_member is not None and (mode != "random" or self.n_reviewers == 0):
            raise ConfigError("--reviewer-member seats one reviewer in random roles; drop --roles or --reviewers 0")

    def switches(self) -> str:
        """The committee's ablation switches in one line (the funnel's title shows them).

        >>> SynthConfig().switches().split(", ")[-3:]
        ['early exit', 'verify gate', 'scores calibrated']
        """
        reviewers = (
            f"reviewer {self.reviewer_member} alone" if self.reviewer_member else f"{self.n_reviewers} reviewers"
        )
        screen = "on" if self.screen else "off"
        reviews = "early exit" if self.early_exit else "full reviews"
        return (
            f"roles {self.roles}, {reviewers}, vote {self.vote}, screen {screen}, order {self.order}, {reviews},"
            f" verify {self.verify}, scores {self.scores}"
        )

    @property
    def budget(self) -> int:
        return self.max_candidates if self.max_candidates is not None else 4 * self.per_round
