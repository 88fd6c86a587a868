import random

import dspy

from gra_agents.demos import chosen, score_demos
from gra_agents.distributions import bare_distribution, expected, field_distributions
from signatures import CHECK_DIMENSIONS, CHECK_QUESTIONS, SCORE_DIMENSIONS, CheckInstruction, ScoreResponse
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


def read_checks(answers: dict[str, dspy.Prediction]) -> dspy.Prediction:
    """``checks`` (the sampled 0/1s), ``passes`` (each check's P(1); None where its answer had no probabilities)
    and ``distributions``, from each check's own answer (``answers`` by check, in ``CHECK_DIMENSIONS``)."""
    d = {}
    for c, p in answers.items():
        content = _content(p)
        d[c] = bare_distribution(content, CHECK_VALUES) if content else None
    return dspy.Prediction(
        checks=[answers[c].answer for c in CHECK_DIMENSIONS],
        passes=[d[c]["1"] if d[c] else None for c in CHECK_DIMENSIONS],
        distributions=d if any(d.values()) else None,
    )


def for_check(demos: list, check: str) -> list[dspy.Example]:
    """The demos of one check's question: a demo of all three checks (the bank's, a label's sheet, an older pack's)
    becomes its answer to this check's question; a demo that already asks a question is shown as it is."""
    out = []
    for d in demos:
        if d.get("question") is not None:
            out.append(d)
        elif d.get(check) is not None:
            out.append(
                dspy.Example(
                    instruction=d["instruction"], input=d["input"], question=CHECK_QUESTIONS[check], answer=d[check]
                )
            )
    return out


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


class InstructionChecks(dspy.Module):
    """The reviewer's first stage: the three binary instruction checks (reasonable, complete, clear).

    Each check is its own call and its own question (``CHECK_QUESTIONS``), answered by a bare 1
    or 0 in one token, so its P(1) is the reviewer's own view of that check alone. The three calls
    share everything but the question, which comes last, so an engine's prompt cache serves
    the second and third from the first. Returns ``checks`` (the sampled 0/1s in the order of
    ``CHECK_DIMENSIONS``), ``passes`` (each check's P(1) read from the engine's token
    probabilities) and ``distributions``.

    The checks are asked with no demos unless the predictor has its own (compiled or set) or
    ``demos`` are passed (e.g. ``gra_agents.demos.check_demos``): a demo's answer differs from
    question to question, so demos would end the prompt the three calls share where the
    first demo begins, and the form was chosen by measurement without them
    (``bench/check_forms.py``).
    """

    def __init__(self):
        super().__init__()
        self.check_instruction = dspy.Predict(CheckInstruction)

    def _inputs(self, instruction, input, demos, check):
        demos = for_check(chosen(self.check_instruction, demos), check)
        question = CHECK_QUESTIONS[check]
        return dict(instruction=instruction, input=input, question=question, demos=demos, config=PROBABILITIES)

    def forward(self, instruction: str, input: str, demos: list | None = None) -> dspy.Prediction:
        return read_checks(
            {c: self.check_instruction(**self._inputs(instruction, input, demos, c)) for c in CHECK_DIMENSIONS}
        )

    async def aforward(self, instruction: str, input: str, demos: list | None = None) -> dspy.Prediction:
        answers = {}
        for c in CHECK_DIMENSIONS:  # one after another: each reuses the prompt the one before left in the cache
            answers[c] = await self.check_instruction.acall(**self._inputs(instruction, input, demos, c))
        return read_checks(answers)


class ResponseScores(dspy.Module):
    """The reviewer's second stage: six 1-10 scores and a short review of a response.

    Returns ``scores`` (sampled, in the order of ``SCORE_DIMENSIONS``), ``expected`` (each
    score's probability-weighted value), ``distributions`` and the ``review``. With
    ``evidence`` (what the verification stage saw when it ran the response's code or the
    math, :mod:`gra_agents.evidence`) the sheet is asked with
    :class:`~signatures.score_with_evidence.ScoreWithEvidence`, else with the paper's ``ScoreResponse``.
    """

    def __init__(self):
        super().__init__()
        self.score_response = dspy.Predict(ScoreResponse)
        self.score_with_evidence = dspy.Predict(ScoreWithEvidence)

    def _predictor(self, evidence: str | None) -> dspy.Predict:
        return self.score_with_evidence if evidence else self.score_response

    def _inputs(self, instruction, input, response, demos, evidence):
        draw = lambda: score_demos(None, random.Random(instruction))  # noqa: E731
        inputs = dict(instruction=instruction, input=input, response=response, config=PROBABILITIES)
        if evidence:
            inputs["evidence"] = evidence
        return inputs | {"demos": chosen(self._predictor(evidence), demos, draw)}

    def forward(self, instruction, input, response, demos=None, evidence=None) -> dspy.Prediction:
        return read_scores(self._predictor(evidence)(**self._inputs(instruction, input, response, demos, evidence)))

    async def aforward(self, instruction, input, response, demos=None, evidence=None) -> dspy.Prediction:
        inputs = self._inputs(instruction, input, response, demos, evidence)
        return read_scores(await self._predictor(evidence).acall(**inputs))


class Reviewer(dspy.Module):
    """The reviewer role: its two stages, :class:`InstructionChecks` then :class:`ResponseScores`.

    The coordinator calls each stage itself (``reviewer.checks``, ``reviewer.scores``), so every
    reviewer's checks are in before anyone scores; ``forward`` runs both and skips scoring when
    a check fails, as one reviewer alone would.
    """

    def __init__(self):
        super().__init__()
        self.checks = InstructionChecks()
        self.scores = ResponseScores()

    def forward(self, instruction: str, input: str, response: str) -> dspy.Prediction:
        checks = self.checks(instruction=instruction, input=input).checks
        if not all(checks):
            return dspy.Prediction(checks=checks, scores=None, review=None)
        scored = self.scores(instruction=instruction, input=input, response=response)
        return dspy.Prediction(checks=checks, scores=scored.scores, review=scored.review)
