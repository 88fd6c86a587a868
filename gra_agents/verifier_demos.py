"""Hand-written demos for the verifier: programs that work an answer out, and reference solutions with test calls.

A small model shown no demo writes a one-line formula and gets it wrong; shown these, it
restates each fact of the task in a comment before the line that uses it, computes one step
per line and prints only the answer. None of them comes from a labelled set gra is measured on.
"""

from __future__ import annotations

from dspy import Example

PROGRAMS: list[Example] = [
    Example(
        instruction="A baker makes 24 muffins per tray and bakes 5 trays. He sells muffins in boxes of 6 at $4"
        " a box. How much money does he make if he sells all of them?",
        input="",
        program="# 24 muffins per tray, 5 trays\nmuffins = 24 * 5\n# boxes of 6 muffins, $4 a box\n"
        "boxes = muffins // 6\nmoney = boxes * 4\n# the question: the money from selling all of them\nprint(money)",
    ),
    Example(
        instruction="A rectangular box is 5 cm long, 3 cm wide and 2 cm high. Find its volume and its surface area.",
        input="",
        program="# 5 cm long, 3 cm wide, 2 cm high\nlength, width, height = 5, 3, 2\nvolume = length * width * height\n"
        "# six faces, in three pairs\nsurface = 2 * (length * width + length * height + width * height)\n"
        "# the question asks for both: volume first, then surface area\nprint(volume)\nprint(surface)",
    ),
    Example(
        instruction="Solve for x.",
        input="3x + 7 = 22",
        program="from fractions import Fraction\n# 3x + 7 = 22  ->  x = (22 - 7) / 3\nx = Fraction(22 - 7, 3)\n"
        "print(x)",
    ),
    Example(
        instruction="A jacket costs $80. It is discounted by 15%, then 8% tax is added to the discounted price."
        " What is the final price?",
        input="",
        program="# $80, 15% off first\ndiscounted = 80 * (1 - 0.15)\n# then 8% tax on the discounted price\n"
        "final = discounted * (1 + 0.08)\nprint(round(final, 2))",
    ),
]

REFERENCES: list[Example] = [
    Example(
        instruction="Write a Python function that returns the second largest distinct number in a list, or None"
        " if there is none.",
        input="",
        function="def second_largest(numbers):",
        reference="def second_largest(numbers):\n    distinct = sorted(set(numbers), reverse=True)\n"
        "    return distinct[1] if len(distinct) > 1 else None",
        tests=[
            "second_largest([3, 1, 4, 1, 5])",
            "second_largest([])",
            "second_largest([7, 7])",
            "second_largest([-2, -5, -1])",
        ],
    ),
    Example(
        instruction="Write count_vowels(text) that counts the vowels (a, e, i, o, u, either case) in a string.",
        input="",
        function="def count_vowels(text: str) -> int:",
        reference="def count_vowels(text: str) -> int:\n    return sum(1 for c in text.lower() if c in 'aeiou')",
        tests=["count_vowels('')", "count_vowels('Hello World')", "count_vowels('xyz')", "count_vowels('AEIOU')"],
    ),
]
