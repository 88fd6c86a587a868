"""The role modules are plain DSPy modules: they run with DSPy's stock adapters and any LM."""

import json

import dspy
import pytest
from dspy.utils.dummies import DummyLM

from gra_agents import Adjudicator, Generator, Reviewer, SeedAnnotator, Summarizer, demos
from runtime.structured import StructuredAdapter, validate_answer
from signatures import (
    Adjudicate,
    AnnotateSeed,
    AnswerInstruction,
    CheckInstruction,
    InventKeywords,
    ScoreResponse,
    SummarizeSample,
    WriteInstruction,
)

SCORES = {"correctness": 9, "clarity": 8, "completeness": 9, "relevance": 10, "coherence": 9, "ethicality": 10}


@pytest.mark.parametrize("adapter", [dspy.JSONAdapter(), StructuredAdapter()], ids=["stock", "structured"])
def test_reviewer_runs_with_any_adapter(adapter):
    lm = DummyLM([{"reasonable": 1, "complete": 1, "clear": 1}, {**SCORES, "review": "Good."}], adapter=adapter)
    with dspy.context(lm=lm, adapter=adapter):
        r = Reviewer()(instruction="Add 2 and 3.", input="", response="5")
    assert r.checks == [1, 1, 1]
    assert r.scores == [9, 8, 9, 10, 9, 10] and r.review == "Good."


def test_reviewer_skips_scoring_when_a_check_fails():
    lm = DummyLM([{"reasonable": 1, "complete": 0, "clear": 1}], adapter=dspy.JSONAdapter())
    with dspy.context(lm=lm, adapter=dspy.JSONAdapter()):
        r = Reviewer()(instruction="Summarize the passage.", input="", response="...")
    assert r.checks == [1, 0, 1] and r.scores is None


def test_generator_chains_keywords_instruction_and_response():
    lm = DummyLM(
        [{"keywords": ["a", "b", "c"]}, {"instruction": "Do a.", "input": ""}, {"response": "Done."}],
        adapter=dspy.JSONAdapter(),
    )
    with dspy.context(lm=lm, adapter=dspy.JSONAdapter()):
        g = Generator()(domain="Coding", examples=[(["x"], "Sum a list."), (["y"], "Sort a list.")])
    assert (g.keywords, g.instruction, g.input, g.response) == (["a", "b", "c"], "Do a.", "", "Done.")


def test_adjudicator_sees_every_review():
    lm = DummyLM([SCORES], adapter=dspy.JSONAdapter())
    with dspy.context(lm=lm, adapter=dspy.JSONAdapter()):
        a = Adjudicator()(
            instruction="Add 2 and 3.", input="", response="5", scores=[[9] * 6, [3] * 6], reviews=["Right.", "Wrong."]
        )
    assert a.scores == list(SCORES.values())
    prompt = json.dumps(lm.history[-1]["messages"])
    assert "Reviewer 1: correctness 9" in prompt and "Reviewer 2: correctness 3" in prompt and "Wrong." in prompt


@pytest.mark.parametrize(
    "signature,examples",
    [
        (AnnotateSeed, demos.ANNOTATE),
        (InventKeywords, demos.INVENT),
        (WriteInstruction, demos.WRITE),
        (AnswerInstruction, demos.ANSWER),
        (CheckInstruction, demos.CHECK),
        (ScoreResponse, demos.SCORE),
        (Adjudicate, demos.ADJUDICATE),
        (SummarizeSample, demos.SUMMARIZE),
    ],
    ids=lambda x: getattr(x, "__name__", ""),
)
def test_default_demos_are_valid_answers_to_their_signature(signature, examples):
    for ex in examples:
        assert set(ex.keys()) == set(signature.input_fields) | set(signature.output_fields)
        answer = {k: ex[k] for k in signature.output_fields}
        fields, repairs = validate_answer(signature, json.dumps(answer))
        assert repairs == [] and fields == answer


def test_modules_start_with_demos_and_can_go_without():
    assert len(Reviewer().check_instruction.demos) == 3
    assert Reviewer(demos=False).check_instruction.demos == []
    assert SeedAnnotator().annotate.demos and Summarizer().summarize.demos
