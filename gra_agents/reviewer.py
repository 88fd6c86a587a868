import random

import dspy

from gra_agents.demos import check_demos, chosen, score_demos
from gra_agents.distributions import expected, field_distributions
from signatures import CHECK_DIMENSIONS, SCORE_DIMENSIONS, CheckInstruction, ScoreResponse
from signatures.score_with_evidence import ScoreWithEvidence

#: Alternatives per token a judge's call asks its engine for (``top_logprobs``).
TOP_LOGPROBS = 10
#: Asked of every judge call: the token probabilities come back with the answer, so a sheet can be read
#: as its sampled numbers (the paper), their expected values, or calibrated ones, with no second call.
PROBABILITIES = {"logprobs": True, "top_logprobs": TOP_LOGPROBS}
CHECK_VALUES = ("0", "1")
SCORE_VALUES = tuple(str(v) for v in range(1, 11))


def _content(p: dspy.Prediction) -> list | None:
    logprobs = p.get("logprobs") if hasattr(p, "get") else None
    content = logprobs.get("content") if isinstance(logprobs, dict) else getattr(logprobs, "content", None)
    return list(content) if content else None


def read_checks(p: dspy.Prediction) -> dspy.Prediction:
    """``checks`` (the sampled 0/1s) and ``passes`` (each check's P(1); None where the answer had no probabilities)."""
    content = _content(p)
    d = field_distributions(content, dict.fromkeys(CHECK_DIMENSIONS, CHECK_VALUES)) if content else {}
    return dspy.Prediction(
        checks=[getattr(p, c) for c in CHECK_DIMENSIONS],
        passes=[d[c]["1"] if d.get(c) else None for c in CHECK_DIMENSIONS],
        distributions=d or None,
    )


def read_scores(p: dspy.Prediction) -> dspy.Prediction:
    """``scores`` (the sampled 1-10s), ``expected`` (each score's probability-weighted value, None where the answer
    carried no probabilities), the ``review``, and each score's ``distributions``."""
    content = _content(p)
    d = field_distributions(content, dict.fromkeys(SCORE_DIMENSIONS, SCORE_VALUES)) if content else {}
    return dspy.Prediction(
        scores=[getattr(p, s) for s in SCORE_DIMENSIONS],
        expected=[expected(d[s]) if d.get(s) else None for s in SCORE_DIMENSIONS],
        review=p.review,
        distributions=d or None,
    )


class Reviewer(dspy.Module):
    """The reviewer role: three binary instruction checks, then six 1-10 scores and a review.

    ``forward`` runs both stages and skips scoring when a check fails; the coordinator
    calls ``check`` and ``score`` separately so every reviewer's checks are in before
    anyone scores. ``checks`` and ``scores`` come back as lists in the order of
    ``CHECK_DIMENSIONS`` and ``SCORE_DIMENSIONS``, with each check's probability of a pass
    (``passes``) and each score's expected value (``expected``) read from the engine's token
    probabilities (:mod:`gra_agents.distributions`).

    ``evidence`` is what the verification stage saw when it ran the response's code or the
    math (:mod:`gra_agents.evidence`); with it, the sheet is asked with
    :class:`~signatures.score_with_evidence.ScoreWithEvidence`, without it with the paper's
    ``ScoreResponse``.

    ``demos`` are the few-shot demos of this call; the coordinator draws them per sample
    from the sample's domain (:mod:`gra_agents.demos`). Left out, they are drawn from the
    bank with the instruction as the seed, so a reviewer never sees one fixed score sheet.
    """

    def __init__(self):
        super().__init__()
        self.check_instruction = dspy.Predict(CheckInstruction)
        self.score_response = dspy.Predict(ScoreResponse)
        self.score_with_evidence = dspy.Predict(ScoreWithEvidence)

    def _check_inputs(self, instruction, input, demos):
        draw = lambda: check_demos(None, random.Random(instruction))  # noqa: E731
        demos = chosen(self.check_instruction, demos, draw)
        return dict(instruction=instruction, input=input, demos=demos, config=PROBABILITIES)

    def _scorer(self, evidence: str | None) -> dspy.Predict:
        return self.score_with_evidence if evidence else self.score_response

    def _score_inputs(self, instruction, input, response, demos, evidence):
        draw = lambda: score_demos(None, random.Random(instruction))  # noqa: E731
        inputs = dict(instruction=instruction, input=input, response=response, config=PROBABILITIES)
        if evidence:
            inputs["evidence"] = evidence
        return inputs | {"demos": chosen(self._scorer(evidence), demos, draw)}

    def check(self, instruction: str, input: str, demos: list | None = None) -> dspy.Prediction:
        return read_checks(self.check_instruction(**self._check_inputs(instruction, input, demos)))

    async def acheck(self, instruction: str, input: str, demos: list | None = None) -> dspy.Prediction:
        return read_checks(await self.check_instruction.acall(**self._check_inputs(instruction, input, demos)))

    def score(
        self, instruction: str, input: str, response: str, demos: list | None = None, evidence: str | None = None
    ) -> dspy.Prediction:
        inputs = self._score_inputs(instruction, input, response, demos, evidence)
        return read_scores(self._scorer(evidence)(**inputs))

    async def ascore(
        self, instruction: str, input: str, response: str, demos: list | None = None, evidence: str | None = None
    ) -> dspy.Prediction:
        inputs = self._score_inputs(instruction, input, response, demos, evidence)
        return read_scores(await self._scorer(evidence).acall(**inputs))

    def forward(self, instruction: str, input: str, response: str) -> dspy.Prediction:
        checks = self.check(instruction, input).checks
        if not all(checks):
            return dspy.Prediction(checks=checks, scores=None, review=None)
        scored = self.score(instruction, input, response)
        return dspy.Prediction(checks=checks, scores=scored.scores, review=scored.review)
