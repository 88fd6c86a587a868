"""What running the math or the code says about a response, and the line its scorers read."""

from fractions import Fraction

import pytest

from gra_agents.code import function_of, python_code, stated_examples, syntax_error
from gra_agents.evidence import code_evidence, consensus, math_evidence
from gra_agents.numbers import final_answer, numbers

PRISM = "Volume: 5 × 3 × 2 = 30 cm³\nSurface area: 2(15 + 10 + 6) = 94 cm²"


@pytest.mark.parametrize(
    "text, values",
    [
        ("It costs $1,234.50.", ["2469/2"]),
        ("25% of \\frac{3}{4} is \\dfrac{3}{16}", ["25", "3/4", "3/16"]),
        ("There are 25-15 = 10 girls; x = -3", ["25", "15", "10", "-3"]),
        ("3/0 is undefined, 1.5e3 is not", ["1500"]),
    ],
)
def test_numbers_are_read_as_people_write_them(text, values):
    assert numbers(text) == [Fraction(v) for v in values]


@pytest.mark.parametrize(
    "response, answer",
    [
        ("Work: 3 + 4 = 7, so 7 * 2 = 14.\nAnswer: 14", ["14"]),
        ("First 12, then 18. The answer is 18 apples.", ["18"]),
        ("So we get \\boxed{\\frac{1}{2}} and not 3.", ["1/2"]),
        ("2 + 2 = 4\n4 * 3 = 12", ["12"]),
        ("I do not know.", []),
    ],
)
def test_the_final_answer_is_the_marked_one_else_the_last_line(response, answer):
    assert final_answer(response) == [Fraction(a) for a in answer]


def test_a_wrong_surface_area_is_contradicted_by_programs_that_compute_both_quantities():
    found = math_evidence(["30\n62\n", "30\n62", "30\n60"], PRISM)
    assert found.verdict == "contradicts"
    assert found.line == "2 of 3 programs printed 30, 62; the response never states 62."


def test_both_quantities_agree_when_the_response_states_them_and_ends_on_one():
    found = math_evidence(["30\n62", "30\n62", "30\n62"], "Volume: 5 × 3 × 2 = 30 cm³\nSurface area: 62 cm²")
    assert found.verdict == "agrees"


def test_values_found_only_in_the_steps_of_a_wrong_total_leave_it_undecided():
    response = "11 - 5 = 6 doctors left.\n18 - 2 = 16 nurses left.\n6 + 16 = 32 in total.\nAnswer: 32"
    found = math_evidence(["6, 16", "6\n16", "22"], response)
    assert found.verdict == "undecided"
    assert found.line == (
        "2 of 3 programs printed 6, 16; the response states them, but its final answer is 32, so nothing was checked."
    )


def test_a_right_answer_agrees_even_when_one_program_failed():
    assert math_evidence(["15", None, "15.0"], "Answer: 15").verdict == "agrees"


@pytest.mark.parametrize(
    "outputs, why",
    [
        (["14", "15", None], "did not agree"),
        ([None, None, "14"], "did not agree"),
        (["14", "14", "14"], "states no number"),
    ],
)
def test_no_majority_or_no_stated_answer_leaves_it_undecided(outputs, why):
    found = math_evidence(outputs, "The answer is in the text above." if why == "states no number" else "Answer: 14")
    assert found.verdict == "undecided" and why in found.line


def test_a_percentage_agrees_with_its_fraction():
    assert math_evidence(["0.25", "0.25", "0.25"], "So the share is 25%.").verdict == "agrees"


RESPONSE = """Sure:
```python
def evens(xs):
    return [x for x in xs if x % 2 == 0]

print(evens([1, 2, 3, 4]))
```"""


def test_the_code_and_its_function_are_found_and_a_cut_off_block_does_not_parse():
    code = python_code(RESPONSE)
    assert code.startswith("def evens(xs):") and function_of(code, "Write evens(xs).") == ("evens", "def evens(xs):")
    assert syntax_error(python_code("```python\ndef f(x:\n    return (x")).startswith("SyntaxError")
    assert python_code("```sql\nSELECT 1;\n```") is None and python_code("Just prose.") is None


def test_stated_examples_are_the_doctests_of_the_task():
    assert stated_examples('"""\n>>> evens([1, 2])\n[2]\n>>> evens([])\n[]\n"""') == [
        ("evens([1, 2])", "[2]"),
        ("evens([])", "[]"),
    ]


def report(calls, stated=(), loaded=True):
    return {
        "loaded": loaded,
        "error": None if loaded else "NameError: x",
        "stated": [{"call": c, "want": w, "got": g, "ok": g == f"value: {w}"} for c, w, g in stated],
        "calls": calls,
    }


def test_a_failed_stated_example_is_hard_evidence():
    response = report({}, [("f(2)", "4", "value: 5")])
    found = code_evidence(response, [])
    assert found.verdict == "contradicts" and "f(2) gave 5, the task says 4" in found.line


def test_the_response_is_compared_with_what_most_references_agree_on():
    refs = [report({"f(0)": "value: 1", "f(3)": "value: 6"}), report({"f(0)": "value: 1", "f(3)": "value: 6"})]
    refs.append(report({"f(0)": "value: 0", "f(3)": "raised: ValueError"}))
    assert consensus(refs) == {"f(0)": "value: 1", "f(3)": "value: 6"}
    assert code_evidence(report({"f(0)": "value: 1", "f(3)": "value: 6"}), refs).verdict == "agrees"
    wrong = code_evidence(report({"f(0)": "value: 0", "f(3)": "value: 6"}), refs)
    assert wrong.verdict == "contradicts" and "f(0) gave 0, they give 1" in wrong.line


def test_references_that_fail_the_stated_examples_do_not_vote():
    bad = report({"f(1)": "value: 9"}, [("f(2)", "4", "value: 5")])
    assert consensus([bad, bad, report({"f(1)": "value: 2"})]) == {}


def test_code_that_could_not_be_tested_is_undecided():
    assert code_evidence(None, [], "timeout after 10 s").verdict == "undecided"
    assert code_evidence(report({}, loaded=False), []).verdict == "undecided"
    assert code_evidence(report({}), []).verdict == "undecided"
