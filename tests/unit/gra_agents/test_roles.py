"""The role modules are plain DSPy modules: they run with DSPy's stock adapters and any LM."""

import json

import dspy
import pytest
from dspy.utils.dummies import DummyLM

from gra_agents import Adjudicator, Generator, Reviewer, demos
from gra_agents.demo_bank import CHECKS, JUDGED
from gra_agents.reviewer import for_check
from runtime.calls.adapter import StructuredAdapter
from runtime.calls.schema import bare_field, validate_answer
from signatures import (
    CHECK_DIMENSIONS,
    CHECK_QUESTIONS,
    DOMAINS,
    Adjudicate,
    AnnotateSeed,
    AnswerInstruction,
    CheckInstruction,
    InventKeywords,
    ScoreResponse,
    SummarizeSample,
    WriteInstruction,
)

ROWS = [
    {"keywords": ["python", "sum"], "summary": "Sum a list.", "instruction": "Sum the numbers of a list in Python."}
    | {"input": "", "output": "sum(xs)", "ref": "seed:a"},
    {"keywords": ["python", "sort"], "summary": "Sort a list.", "instruction": "Sort a list of names."}
    | {"input": "", "output": "sorted(names)", "ref": "seed:b"},
]
SCORES = {"correctness": 9, "clarity": 8, "completeness": 9, "relevance": 10, "coherence": 9, "ethicality": 10}


@pytest.mark.parametrize("adapter", [dspy.JSONAdapter(), StructuredAdapter()], ids=["stock", "structured"])
def test_reviewer_runs_with_any_adapter(adapter):
    lm = DummyLM([{"answer": 1}] * 3 + [{**SCORES, "review": "Good."}], adapter=adapter)
    with dspy.context(lm=lm, adapter=adapter):
        r = Reviewer()(instruction="Add 2 and 3.", input="", response="5")
    assert r.checks == [1, 1, 1]
    assert r.scores == [9, 8, 9, 10, 9, 10] and r.review == "Good."


def test_reviewer_skips_scoring_when_a_check_fails():
    lm = DummyLM([{"answer": 1}, {"answer": 0}, {"answer": 1}], adapter=dspy.JSONAdapter())
    with dspy.context(lm=lm, adapter=dspy.JSONAdapter()):
        r = Reviewer()(instruction="Summarize the passage.", input="", response="...")
    assert r.checks == [1, 0, 1] and r.scores is None
    asked = [json.dumps(lm.history[i]["messages"][-1]["content"]) for i in range(3)]
    for check, prompt in zip(CHECK_DIMENSIONS, asked, strict=True):  # one question per call, in this order
        assert json.dumps(CHECK_QUESTIONS[check])[1:-1] in prompt


def test_the_three_checks_share_their_prompt_up_to_the_question_and_show_no_demos():
    lm = DummyLM([{"answer": 1}] * 3, adapter=dspy.JSONAdapter())
    with dspy.context(lm=lm, adapter=dspy.JSONAdapter()):
        Reviewer().checks(instruction="Sort a list of names.", input="")
    prompts = [lm.history[i]["messages"] for i in range(3)]
    assert all(len(m) == 2 for m in prompts)  # the instructions and the question: no demo turns
    assert prompts[0][0] == prompts[1][0] == prompts[2][0]  # one system prompt for all three
    users = [m[1]["content"] for m in prompts]
    shared = users[0].index(CHECK_QUESTIONS["reasonable"])
    assert shared > 0 and all(u[:shared] == users[0][:shared] for u in users)  # the question comes last


def test_generator_chains_keywords_instruction_and_response():
    lm = DummyLM(
        [{"keywords": ["a", "b", "c"]}, {"instruction": "Do a.", "input": ""}, {"response": "Done."}],
        adapter=dspy.JSONAdapter(),
    )
    with dspy.context(lm=lm, adapter=dspy.JSONAdapter()):
        g = Generator()(domain="Coding", examples=ROWS[:1], demos=ROWS[1:])
    assert (g.keywords, g.instruction, g.input, g.response) == (["a", "b", "c"], "Do a.", "", "Done.")
    invent_prompt, write_prompt = (json.dumps(lm.history[i]["messages"]) for i in (0, 1))
    assert "python, sum | Sum a list." in invent_prompt  # the examples, as the paper's keyword lines
    assert "Sort a list of names." in write_prompt  # the demo rows, as demos
    assert "Sum the numbers of a list in Python." not in write_prompt  # never an example's own text


def test_a_compiled_predictor_keeps_its_own_demos():
    lm = DummyLM(
        [{"keywords": ["a", "b", "c"]}, {"instruction": "Do a.", "input": ""}, {"response": "Done."}],
        adapter=dspy.JSONAdapter(),
    )
    generator = Generator()
    own = dspy.Example(domain="Coding", keywords=["k"], instruction="Mine.", input="")
    generator.write.demos = [own]
    with dspy.context(lm=lm, adapter=dspy.JSONAdapter()):
        generator(domain="Coding", examples=ROWS[:1], demos=ROWS[1:])
    write_prompt = json.dumps(lm.history[1]["messages"])
    assert "Mine." in write_prompt and "Sort a list of names." not in write_prompt


def test_adjudicator_sees_every_review():
    lm = DummyLM([{**SCORES, "review": "Right: 2 + 3 is 5."}], adapter=dspy.JSONAdapter())
    with dspy.context(lm=lm, adapter=dspy.JSONAdapter()):
        a = Adjudicator()(
            instruction="Add 2 and 3.", input="", response="5", scores=[[9] * 6, [3] * 6], reviews=["Right.", "Wrong."]
        )
    assert a.scores == list(SCORES.values()) and a.review == "Right: 2 + 3 is 5."
    prompt = json.dumps(lm.history[-1]["messages"])
    assert "Reviewer 1: correctness 9" in prompt and "Reviewer 2: correctness 3" in prompt and "Wrong." in prompt


def _bank_demos():
    yield AnnotateSeed, demos.ANNOTATE
    for domain in DOMAINS:
        yield CheckInstruction, [q for c in CHECK_DIMENSIONS for q in for_check(CHECKS[domain], c)]
        yield ScoreResponse, [demos.score_example(e) for e in JUDGED[domain]]
        yield Adjudicate, [demos.adjudicate_example(e, flip) for e in JUDGED[domain] for flip in (False, True)]
    made = demos.generator_demos("Coding", ROWS)
    yield InventKeywords, made["invent"]
    yield WriteInstruction, made["write"]
    yield AnswerInstruction, made["answer"]
    yield SummarizeSample, demos.summarize_demos(ROWS)


@pytest.mark.parametrize("signature,examples", list(_bank_demos()), ids=lambda x: getattr(x, "__name__", ""))
def test_every_demo_is_a_valid_answer_to_its_signature(signature, examples):
    assert examples
    for ex in examples:
        assert set(ex.keys()) == set(signature.input_fields) | set(signature.output_fields)
        answer = {k: ex[k] for k in signature.output_fields}
        bare = bare_field(signature)  # a check's answer is its digit alone
        fields, repairs = validate_answer(signature, json.dumps(answer[bare] if bare else answer))
        assert repairs == [] and fields == answer
