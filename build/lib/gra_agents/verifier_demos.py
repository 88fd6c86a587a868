"""Hand-written demos for the verifier: programs that work an answer out, and reference solutions with test calls.

A small model shown no demo writes a one-line formula and gets it wrong; shown these, it
names every quantity the task gives, computes one step per line and prints only the
answer. None of them comes from a labelled set gra is measured on.
"""

from __future__ import annotations

from dspy import Example

PROGRAMS: list[Example] = [
    Example(
        instruction="A baker makes 24 muffins per tray and bakes 5 trays. He sells muffins in boxes of 6 at $4"
        " a box. How much money does he make if he sells all of them?",
        input="",
        program="muffins_per_tray = 24\ntrays = 5\nmuffins = muffins_per_tray * trays\nper_box = 6\n"
        "boxes = muffins // per_box\nprice_per_box = 4\nmoney = boxes * price_per_box\nprint(money)",
    ),
    Example(
        instruction="A rectangular box is 5 cm long, 3 cm wide and 2 cm high. Find its volume and its surface area.",
        input="",
        program="length, width, height = 5, 3, 2\nvolume = length * width * height\n"
        "surface = 2 * (length * width + length * height + width * height)\nprint(volume)\nprint(surface)",
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
        program="price = 80\ndiscounted = price * (1 - 0.15)\nfinal = discounted * (1 + 0.08)\n"
        "print(round(final, 2))",
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
        tests=["second_largest([3, 1, 4, 1, 5])", "second_largest([])", "second_largest([7, 7])",
               "second_largest([-2, -5, -1])"],
    ),
    Example(
        instruction="Write count_vowels(text) that counts the vowels (a, e, i, o, u, either case) in a string.",
        input="",
        function="def count_vowels(text: str) -> int:",
        reference="def count_vowels(text: str) -> int:\n    return sum(1 for c in text.lower() if c in 'aeiou')",
        tests=["count_vowels('')", "count_vowels('Hello World')", "count_vowels('xyz')", "count_vowels('AEIOU')"],
    ),
]
