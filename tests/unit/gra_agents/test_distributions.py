"""Reading each allowed value's probability off a judge's token log-probabilities."""

import math

import pytest

from gra_agents.distributions import expected, field_distribution

SCALE = tuple(str(v) for v in range(1, 11))


def tok(text, top=(), chosen=0.0):
    """One decoded token and its top alternatives, as (token, probability) pairs."""
    return {
        "token": text,
        "logprob": chosen,
        "top_logprobs": [{"token": t, "logprob": math.log(p)} for t, p in top],
    }


def sheet(*tokens):
    return None, list(tokens)


def test_a_single_token_value_is_renormalised_over_the_allowed_values():
    text, content = sheet(tok('{"score": '), tok("8", [("8", 0.6), ("9", 0.2), ('"', 0.1), ("a", 0.1)]), tok("}"))
    d = field_distribution(content, "score", SCALE)
    assert d["8"] == pytest.approx(0.75) and d["9"] == pytest.approx(0.25)
    assert sum(d.values()) == pytest.approx(1.0)


def test_ten_in_two_tokens_is_read_through_the_branch_the_answer_took():
    text, content = sheet(
        tok('{"score": '),
        tok("1", [("1", 0.8), ("9", 0.2)]),
        tok("0", [("0", 0.75), (",", 0.25)]),
        tok("}"),
    )
    d = field_distribution(content, "score", SCALE)
    assert d["10"] == pytest.approx(0.6) and d["1"] == pytest.approx(0.2) and d["9"] == pytest.approx(0.2)


def test_an_unseen_one_leans_to_the_neighbour_with_more_mass():
    text, content = sheet(tok('{"score": '), tok("9", [("9", 0.7), ("1", 0.2), ("2", 0.1)]), tok("}"))
    d = field_distribution(content, "score", SCALE)
    # "1" (0.2) splits as 2 : 9 = 0.1 : 0.7
    assert d["10"] == pytest.approx(0.7 * 0.2 / 0.8) and d["1"] == pytest.approx(0.1 * 0.2 / 0.8)


def test_a_tokenizer_with_ten_as_one_token_needs_no_guess():
    text, content = sheet(tok('{"score": '), tok("10", [("10", 0.5), ("9", 0.3), ("1", 0.2)]), tok("}"))
    d = field_distribution(content, "score", SCALE)
    assert d["10"] == pytest.approx(0.5) and d["9"] == pytest.approx(0.3)


def test_a_value_that_shares_its_token_with_the_colon_is_found():
    text, content = sheet(tok('{"ok'), tok('":'), tok(" 0", [(" 0", 0.3), (" 1", 0.7)]), tok("}"))
    assert field_distribution(content, "ok", ("0", "1")) == pytest.approx({"0": 0.3, "1": 0.7})


def test_an_answer_without_the_field_or_its_values_gives_no_distribution():
    assert field_distribution([tok('{"other": 1}')], "ok", ("0", "1")) is None
    assert field_distribution([tok('{"ok": '), tok("x", [("x", 0.9), ("y", 0.1)]), tok("}")], "ok", ("0", "1")) is None


def test_the_expected_score_weighs_each_value_by_its_probability():
    assert expected({"1": 0.5, "10": 0.5}) == 5.5
