"""The hand-written demos the judges and the annotator draw from (see :mod:`gra_agents.demos`).

Several per domain, so a drawn pair differs from sample to sample: two passing and two
failing instruction checks (here), and two right and two flawed responses with their
score sheets (:mod:`gra_agents.judged_demos`). Flawed responses carry the mistakes judges
must catch: a wrong result, an answer to another task, an answer cut short, an
instruction ignored. Every text is short: a CPU engine pays for each demo token in every prompt.
"""

from __future__ import annotations

from dspy import Example

from gra_agents.judged_demos import JUDGED

__all__ = ["ANNOTATE", "CHECKS", "JUDGED"]


def _check(instruction: str, input: str, reasonable: int, complete: int, clear: int) -> Example:
    return Example(instruction=instruction, input=input, reasonable=reasonable, complete=complete, clear=clear)


CHECKS: dict[str, list[Example]] = {
    "Coding": [
        _check("Write a Python function that returns the largest number in a list.", "", 1, 1, 1),
        _check("Explain what this SQL query returns.", "SELECT name FROM users WHERE age > 30;", 1, 1, 1),
        _check("Fix the bug in the code below.", "", 1, 0, 1),
        _check("Write a program that is both infinitely fast and uses no memory.", "", 0, 1, 0),
    ],
    "Math": [
        _check("A car uses 6 liters of fuel per 100 km. How much fuel does it need for 250 km?", "", 1, 1, 1),
        _check("Solve for x.", "3x + 5 = 20", 1, 1, 1),
        _check("What is the area of the triangle?", "", 1, 0, 0),
        _check("Find the largest prime number.", "", 0, 1, 1),
    ],
    "QA": [
        _check("What is the capital of Canada?", "", 1, 1, 1),
        _check("Which gas do plants absorb from the air for photosynthesis?", "", 1, 1, 1),
        _check("Who won the match yesterday?", "", 1, 0, 0),
        _check("What color is the number seven's smell?", "", 0, 1, 0),
    ],
    "Reasoning": [
        _check("Kim runs faster than Joe, and Joe runs faster than Eva. Who is the slowest?", "", 1, 1, 1),
        _check(
            "Decide whether the argument is valid and explain why.",
            "All cats purr. Tim purrs. So Tim is a cat.",
            1,
            1,
            1,
        ),
        _check("Based on the schedule, which meeting should be moved?", "", 1, 0, 1),
        _check("Plan a route that visits every city exactly twice and each city once.", "", 0, 1, 0),
    ],
    "Role Play": [
        _check("You are a zookeeper. Welcome visitors to the penguin house.", "", 1, 1, 1),
        _check(
            "Act as a travel agent and answer the customer.", "Can I fly to Lisbon in May for under 300 euros?", 1, 1, 1
        ),
        _check("Reply to him as the character we discussed.", "", 1, 0, 0),
        _check("Pretend to be nobody and say nothing in a speech to the crowd.", "", 0, 1, 0),
    ],
    "Language": [
        _check("Translate the sentence into French.", "The library opens at nine.", 1, 1, 1),
        _check("Correct the grammar of this sentence.", "She don't like apples.", 1, 1, 1),
        _check("Rewrite the paragraph in a formal tone.", "", 1, 0, 1),
        _check("Translate this sentence into the language it is already in, but differently.", "Hello.", 0, 1, 0),
    ],
    "Creation": [
        _check("Write a four-line poem about autumn leaves.", "", 1, 1, 1),
        _check("Suggest a slogan for a bakery that sells sourdough bread.", "", 1, 1, 1),
        _check("Continue the story from where it stopped.", "", 1, 0, 1),
        _check("Write a story.", "Story.", 1, 1, 0),
    ],
}


ANNOTATE: list[Example] = [
    Example(
        instruction="A shop sells pens at 3 for $2. How much do 12 pens cost?",
        input="",
        output="$8.",
        keywords=["unit price", "proportion"],
        summary="Compute the cost of 12 pens from a 3-for-$2 price.",
        domain="Math",
    ),
    Example(
        instruction="You are a ship's cook. Tell the crew what is for dinner tonight.",
        input="",
        output="Gather round, mates! Fish stew and hard bread tonight.",
        keywords=["persona", "ship cook"],
        summary="Answer in the voice of a ship's cook announcing dinner.",
        domain="Role Play",
    ),
    Example(
        instruction="Translate the sentence into German.",
        input="The weather is nice today.",
        output="Das Wetter ist heute schön.",
        keywords=["translation", "German"],
        summary="Translate an English sentence into German.",
        domain="Language",
    ),
    Example(
        instruction="Write a function that checks whether a number is even.",
        input="",
        output="def is_even(n):\n    return n % 2 == 0",
        keywords=["python", "parity"],
        summary="Write a Python function that tests whether an integer is even.",
        domain="Coding",
    ),
    Example(
        instruction="What is the longest river in Africa?",
        input="",
        output="The Nile.",
        keywords=["geography", "rivers"],
        summary="Name the longest river in Africa.",
        domain="QA",
    ),
    Example(
        instruction="If it rains, the game is cancelled. The game was not cancelled. Did it rain?",
        input="",
        output="No. If it had rained, the game would have been cancelled.",
        keywords=["logic", "modus tollens"],
        summary="Deduce from a conditional and its negated consequence.",
        domain="Reasoning",
    ),
    Example(
        instruction="Write a limerick about a cat who loves cheese.",
        input="",
        output="A cat with a passion for cheese\nwould nibble on cheddar with ease...",
        keywords=["limerick", "humor"],
        summary="Write a humorous limerick about a cheese-loving cat.",
        domain="Creation",
    ),
]
