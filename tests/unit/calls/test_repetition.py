"""Loops in model answers: found in finished text, and in a stream as it arrives."""

import json

import pytest

from runtime.calls.repetition import SPAN, RepetitionGuard, find_repetition, repeating_tail
from tests.helpers.paths import EXAMPLES, SHARED

# Loops the CPU pool really produced (bench/results/structured-run), as JSON answers.
LOOPS = {
    "digits": '{"response": "The total is 1' + "0" * 1999 + '"}',
    "list": '{"response": "[10' + ", 10" * 500 + '"}',
    "sentence": '{"instruction": "Find the longest palindrome."'
    + ', "input": "'
    + "The longest palindrome substring is 5. " * 40
    + '"}',
    "dates": '{"response": "' + "2021.02.20 " * 180 + '"}',
}


@pytest.mark.parametrize("text", LOOPS.values(), ids=LOOPS.keys())
def test_a_loop_is_found(text):
    loop = find_repetition(text)
    assert loop is not None and loop.span >= SPAN
    assert len(loop.unit) <= SPAN // 3
    assert loop.unit * 3 in text


def test_the_unit_is_the_shortest_that_repeats():
    loop = find_repetition("Answer: " + "ab" * 400)
    assert loop.unit in ("ab", "ba") and loop.span == 800


def test_a_loop_the_model_broke_out_of_still_counts():
    text = '{"response": "' + "The longest palindrome is 15. " * 20 + 'The most common answer is 15."}'
    assert find_repetition(text) is not None
    assert repeating_tail(text) is None  # its tail alone is fine


def test_repetition_short_of_the_span_is_not_a_loop():
    assert find_repetition("=" * (SPAN - 1)) is None
    assert find_repetition("| --- " * ((SPAN - 1) // 6)) is None
    assert find_repetition('{"response": "' + "Row. " * 50 + '"}') is None  # 250 characters


def test_real_text_is_not_a_loop():
    """No field of the shipped example seeds, nor of the shared public seed sets, is flagged."""
    texts = [str(v) for line in EXAMPLES.read_text().splitlines() for v in json.loads(line).values()]
    if SHARED.is_dir():
        for path in SHARED.glob("*.jsonl"):
            texts += [str(v) for line in path.read_text().splitlines() for v in json.loads(line).values()]
        for path in SHARED.glob("*.json"):
            texts += [str(v) for row in json.loads(path.read_text()) for v in row.values()]
    assert len(texts) > 50
    flagged = [t[:80] for t in texts if find_repetition(t)]
    assert flagged == []


def test_a_code_answer_with_repeated_lines_is_not_a_loop():
    code = "def test():\n" + "".join(f"    assert square({i}) == {i * i}\n" for i in range(40))
    assert find_repetition(json.dumps({"response": code})) is None


@pytest.mark.parametrize("text", LOOPS.values(), ids=LOOPS.keys())
def test_the_guard_stops_a_stream_soon_after_the_loop_fills_the_span(text):
    guard = RepetitionGuard()
    for i in range(0, len(text), 3):  # three-character "tokens"
        if guard.feed(text[i : i + 3]):
            break
    found = find_repetition(text)
    assert guard.repetition is not None
    assert len(guard.text) < found.end - found.span + SPAN + 3  # stopped within one token of the span
    assert len(guard.text) < len(text)
    assert guard.pieces == len(guard.text) // 3 + (len(guard.text) % 3 > 0)


def test_the_guard_passes_a_real_answer_through():
    text = EXAMPLES.read_text()
    guard = RepetitionGuard()
    assert not any(guard.feed(text[i : i + 5]) for i in range(0, len(text), 5))
    assert guard.text == text


def test_a_span_of_zero_turns_the_check_off():
    assert find_repetition(LOOPS["digits"], span=0) is None
    assert RepetitionGuard(span=0).feed("0" * 1000) is None
