"""Signatures become decoding constraints; answers are validated and land in a typed status."""

import json

import pytest

from runtime.calls.outcome import classify
from runtime.calls.schema import ParseFailure, output_schema, response_format, validate_answer
from signatures import ALL_SIGNATURES, AnnotateSeed, CheckInstruction, InventKeywords, ScoreResponse
from tests.helpers.paths import SNAPSHOTS


@pytest.mark.parametrize("signature", ALL_SIGNATURES, ids=lambda s: s.__name__)
def test_constraint_snapshot_for_every_signature_and_dialect(signature):
    expected = json.loads((SNAPSHOTS / f"{signature.__name__}.json").read_text())
    assert response_format(signature, "json_schema") == expected["json_schema"]
    assert response_format(signature, "llama_json_schema") == expected["llama_json_schema"]
    assert response_format(signature, "json_object_schema") == expected["json_object_schema"]
    assert response_format(signature, "none") is None


def test_scores_are_enums_checks_are_binary_and_lists_have_lengths():
    score = output_schema(ScoreResponse)["properties"]
    assert score["correctness"]["enum"] == list(range(1, 11))
    assert score["review"]["maxLength"] == 240
    assert output_schema(CheckInstruction) == {"enum": [0, 1], "type": "integer"}  # answered bare
    kw = output_schema(InventKeywords)["properties"]["keywords"]
    assert (kw["minItems"], kw["maxItems"]) == (1, 3)  # the paper's "at most 3"
    assert output_schema(AnnotateSeed)["properties"]["domain"]["enum"][0] == "Coding"
    assert output_schema(ScoreResponse)["additionalProperties"] is False


def test_a_check_is_answered_by_a_bare_digit():
    assert validate_answer(CheckInstruction, " 1\n") == ({"answer": 1}, [])
    unwrapped = ({"answer": 0}, ["took the value out of a JSON object"])
    assert validate_answer(CheckInstruction, '{"answer": 0}') == unwrapped
    failures = (("2", "invalid"), ("yes", "invalid"), ('{"other": 1}', "invalid"), ("I'm sorry, no", "refused"))
    for text, status in failures:
        with pytest.raises(ParseFailure) as failed:
            validate_answer(CheckInstruction, text)
        assert failed.value.status == status


GOOD = {
    "correctness": 9,
    "clarity": 8,
    "completeness": 9,
    "relevance": 10,
    "coherence": 9,
    "ethicality": 10,
    "review": "Correct and clear.",
}


def test_a_valid_answer_is_ok_with_no_repairs():
    fields, repairs = validate_answer(ScoreResponse, json.dumps(GOOD))
    assert fields["correctness"] == 9 and repairs == []


@pytest.mark.parametrize(
    "text,repair",
    [
        ("Sure! Here are my scores:\n" + json.dumps(GOOD) + "\nHope this helps.", "stripped text"),
        (json.dumps(GOOD)[:-1] + ",}", "repaired malformed JSON"),
        (json.dumps({**GOOD, "clarity": "8"}), "coerced field types"),
    ],
)
def test_recoverable_answers_are_repaired_and_say_how(text, repair):
    fields, repairs = validate_answer(ScoreResponse, text)
    assert fields["clarity"] == 8
    assert any(repair in r for r in repairs)


@pytest.mark.parametrize(
    "text,status,detail",
    [
        ("", "invalid", "empty"),
        ("   \n", "invalid", "empty"),
        ('{"correctness": 9, "clarity": 8, "compl', "invalid", "field required"),  # cut off mid-answer
        (json.dumps({**GOOD, "correctness": 11}), "invalid", "correctness"),  # out of range
        (json.dumps({**GOOD, "correctness": 0}), "invalid", "correctness"),
        (json.dumps({**GOOD, "correctness": 8.5}), "invalid", "correctness"),  # not an integer
        (json.dumps({**GOOD, "review": "x" * 241}), "invalid", "review"),  # over the length cap
        (json.dumps({**GOOD, "extra": 1}), "invalid", "extra"),
        (json.dumps([1, 2, 3]), "invalid", "not a JSON object"),
        ("I'm sorry, but I cannot evaluate this response.", "refused", "sorry"),
        ("The response is great, 10/10.", "invalid", "not a JSON object"),
        ("\ufffd\ufffd\x00garbage", "invalid", ""),
        ('{"correctness": ' + "9" * 100_000 + "}", "invalid", ""),  # huge
    ],
)
def test_malformed_answers_land_in_the_right_status(text, status, detail):
    with pytest.raises(ParseFailure) as info:
        validate_answer(ScoreResponse, text)
    assert info.value.status == status
    assert detail.lower() in info.value.detail.lower()


def test_wrong_counts_are_invalid():
    with pytest.raises(ParseFailure, match="keywords"):
        validate_answer(InventKeywords, json.dumps({"keywords": ["a", "b", "c", "d"]}))
    with pytest.raises(ParseFailure, match="keywords"):
        validate_answer(InventKeywords, json.dumps({"keywords": []}))


def test_classify_marks_cut_off_answers_as_truncated_and_engine_failures_as_engine_errors():
    failure = ParseFailure("invalid", "cut off")
    assert classify({"finish_reason": "length", "completion_tokens": 50}, failure, None, ValueError())[0] == "truncated"
    # a cut-off answer is truncated even when a repair could have closed it
    assert classify({"finish_reason": "length"}, None, ["repaired malformed JSON"], None)[0] == "truncated"
    assert classify({"finish_reason": "stop"}, failure, None, ValueError()) == ("invalid", "cut off")
    assert classify({}, None, None, ConnectionError("refused"))[0] == "engine_error"
    assert classify({"finish_reason": "stop"}, None, ["repaired malformed JSON"], None) == (
        "repaired",
        "repaired malformed JSON",
    )
    assert classify({"finish_reason": "stop"}, None, [], None) == ("ok", None)


def test_llama_cpp_gets_length_bounds_it_enforces_and_validation_keeps_the_signatures_own():
    from runtime.calls.schema import LLAMA_CPP_MAX_REPETITION
    from signatures import AnswerInstruction

    generic = response_format(AnswerInstruction, "json_schema")["json_schema"]["schema"]["properties"]["response"]
    llama = response_format(AnswerInstruction, "llama_json_schema")["json_schema"]["schema"]["properties"]["response"]
    assert generic["maxLength"] == 4000 and llama["maxLength"] == LLAMA_CPP_MAX_REPETITION == 2000
    fields, _ = validate_answer(AnswerInstruction, json.dumps({"response": "x" * 3999}))
    assert len(fields["response"]) == 3999
