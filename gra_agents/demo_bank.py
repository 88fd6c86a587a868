"""The hand-written demos the judges and the annotator draw from (see :mod:`gra_agents.demos`).

Several per domain, so a drawn pair differs from sample to sample: two passing and two
failing instruction checks, and two right and two flawed responses with their score
sheets. Flawed responses carry the mistakes judges must catch: a wrong result, an
answer to another task, an answer cut short, an instruction ignored. Every text is
short: a CPU engine pays for each demo token in every prompt.
"""

from __future__ import annotations

from dspy import Example


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
            1, 1, 1,
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


def _judged(
    instruction: str,
    input: str,
    response: str,
    scores: tuple[int, int, int, int, int, int],
    review: str,
    counter_review: str,
    right: bool,
) -> dict:
    names = ("correctness", "clarity", "completeness", "relevance", "coherence", "ethicality")
    return dict(
        instruction=instruction,
        input=input,
        response=response,
        scores=dict(zip(names, scores, strict=True)),
        review=review,
        counter_review=counter_review,
        right=right,
    )


JUDGED: dict[str, list[dict]] = {
    "Coding": [
        _judged(
            "Write a Python function that returns the largest number in a list.", "",
            "def largest(xs):\n    return max(xs)", (10, 9, 9, 10, 9, 10),
            "Correct and idiomatic; max() handles any non-empty list.",
            "Too short: it should explain the code.", True,
        ),
        _judged(
            "Write a Python function that counts the vowels in a string.", "",
            "def count_vowels(s):\n    return sum(ch in 'aeiouAEIOU' for ch in s)", (9, 9, 9, 10, 9, 10),
            "Correct, counts upper and lower case vowels in one readable line.",
            "Uses a generator expression, which beginners may not know.", True,
        ),
        _judged(
            "Write a Python function that returns the sum of a list of numbers.", "",
            "def total(xs):\n    s = 0\n    for x in xs:\n        s = x\n    return s", (2, 7, 4, 8, 5, 10),
            "Wrong: s = x overwrites the sum, so it returns the last element.",
            "Clear loop that sums the list.", False,
        ),
        _judged(
            "Write a JavaScript function that reverses a string.", "",
            "To reverse a list in Python, use xs[::-1].", (2, 6, 2, 2, 5, 10),
            "Answers another task: Python lists, not a JavaScript string function.",
            "Short and correct slicing.", False,
        ),
    ],
    "Math": [
        _judged(
            "A shirt costs $40 and is on sale for 25% off. What is the sale price?", "",
            "25% of $40 is $10, so the sale price is $40 - $10 = $30.", (10, 10, 9, 10, 10, 10),
            "Correct: the discount and the final price are both computed right.",
            "Should also state the percentage kept.", True,
        ),
        _judged(
            "Solve for x.", "2x - 7 = 11",
            "Add 7 to both sides: 2x = 18. Divide by 2: x = 9.", (10, 9, 10, 10, 9, 10),
            "Correct steps and answer; each operation is shown.",
            "The answer should be checked by substitution.", True,
        ),
        _judged(
            "A baker makes 12 muffins per tray and bakes 7 trays. How many muffins is that?", "",
            "12 × 7 = 74, so the baker makes 74 muffins.", (1, 8, 6, 9, 6, 10),
            "Wrong result: 12 × 7 is 84, not 74.",
            "Clear one-line multiplication with the answer.", False,
        ),
        _judged(
            "Find the perimeter of a rectangle 8 m long and 3 m wide.", "",
            "The perimeter is 2 × (8 + 3) =", (3, 5, 2, 8, 3, 10),
            "Incomplete: the response stops before giving the result, 22 m.",
            "Uses the right formula for the perimeter.", False,
        ),
    ],
    "QA": [
        _judged(
            "What is the largest planet in the solar system?", "",
            "Jupiter is the largest planet in the solar system.", (10, 10, 9, 10, 10, 10),
            "Correct and direct.", "Could add its size for context.", True,
        ),
        _judged(
            "Who painted the Mona Lisa?", "",
            "Leonardo da Vinci painted the Mona Lisa in the early 1500s.", (10, 10, 10, 10, 10, 10),
            "Correct painter, with the period it was painted in.", "The date was not asked for.", True,
        ),
        _judged(
            "What is the boiling point of water at sea level in Celsius?", "",
            "Water boils at 90 degrees Celsius at sea level.", (1, 8, 6, 9, 7, 10),
            "Wrong fact: water boils at 100 °C at sea level.",
            "Clear, one-sentence answer.", False,
        ),
        _judged(
            "What is the capital of Japan?", "",
            "Japan is known for sushi, cherry blossoms and Mount Fuji.", (2, 7, 1, 2, 6, 10),
            "Does not answer: the capital is Tokyo.",
            "Accurate facts about Japan.", False,
        ),
    ],
    "Reasoning": [
        _judged(
            "If all squares are rectangles and some rectangles are red, must some squares be red?", "",
            "No. The red rectangles need not include any squares, so it does not follow.",
            (10, 9, 9, 10, 9, 10),
            "Correct: spots the invalid inference and says why.",
            "Should name the fallacy.", True,
        ),
        _judged(
            "Mia is older than Leo. Leo is older than Sam. Who is the youngest?", "",
            "Sam is the youngest, because Leo is older than Sam and Mia is older than Leo.",
            (10, 10, 10, 10, 10, 10),
            "Correct chain of comparisons.", "Restates the question at length.", True,
        ),
        _judged(
            "A meeting starts at 2:45 pm and lasts 50 minutes. When does it end?", "",
            "It ends at 3:25 pm.", (1, 8, 6, 9, 6, 10),
            "Wrong: 2:45 pm plus 50 minutes is 3:35 pm.",
            "Gives a time directly.", False,
        ),
        _judged(
            "Which is heavier, a kilogram of feathers or a kilogram of iron? Explain.", "",
            "Iron, because iron is denser than feathers.", (1, 7, 4, 8, 5, 10),
            "Wrong: both weigh one kilogram; density is irrelevant.",
            "Gives a reason for the answer.", False,
        ),
    ],
    "Role Play": [
        _judged(
            "You are a friendly librarian. A child asks for a book about dinosaurs.", "",
            "Oh, wonderful choice! Our dinosaur books are on the second shelf by the window. "
            "Would you like one with lots of pictures?",
            (9, 10, 9, 10, 9, 10),
            "Stays in character, helpful and suited to a child.",
            "Should name a specific book.", True,
        ),
        _judged(
            "As a ship's captain, tell your crew a storm is coming.", "",
            "All hands on deck! A storm is rolling in from the west. Secure the cargo, reef the sails, "
            "and stay clipped to the lines.",
            (9, 9, 9, 10, 9, 10),
            "Convincing captain's voice with clear, practical orders.",
            "Too short for a real briefing.", True,
        ),
        _judged(
            "You are a waiter. Recommend a dessert to a guest.", "",
            "As an AI language model, I cannot eat, so I have no dessert preferences.", (2, 7, 2, 2, 6, 10),
            "Breaks character and does not recommend anything.",
            "Honest about being an AI.", False,
        ),
        _judged(
            "Act as a tour guide in Rome and describe the Colosseum to visitors.", "",
            "Welcome to the Eiffel Tower, built in 1889 for the World's Fair in Paris!", (1, 8, 2, 1, 6, 10),
            "Wrong landmark and city: describes the Eiffel Tower, not the Colosseum.",
            "Lively tour-guide tone.", False,
        ),
    ],
    "Language": [
        _judged(
            "Translate the sentence into Spanish.", "Where is the train station?",
            "¿Dónde está la estación de tren?", (10, 10, 10, 10, 10, 10),
            "Correct, natural translation with proper punctuation.",
            "Could give an informal variant.", True,
        ),
        _judged(
            "Correct the grammar of the sentence.", "He go to school every days.",
            "He goes to school every day.", (10, 10, 10, 10, 10, 10),
            "Fixes both errors: verb agreement and the plural.",
            "Does not explain the corrections.", True,
        ),
        _judged(
            "Translate the sentence into German.", "I like to read books.",
            "Ich mag Bücher kaufen.", (3, 8, 6, 8, 7, 10),
            "Wrong meaning: 'kaufen' means to buy; it should be 'Ich lese gern Bücher.'",
            "Fluent German sentence.", False,
        ),
        _judged(
            "Give a synonym for the word 'rapid'.", "",
            "Slow.", (1, 8, 5, 5, 6, 10),
            "Wrong: 'slow' is an antonym; 'fast' or 'quick' are synonyms.",
            "Short, single-word answer as asked.", False,
        ),
    ],
    "Creation": [
        _judged(
            "Write a two-line rhyming poem about the sea.", "",
            "The restless sea sings night and day,\nand carries every care away.", (10, 9, 10, 10, 9, 10),
            "Two lines, rhymes, on topic.", "The imagery is ordinary.", True,
        ),
        _judged(
            "Suggest a catchy name for a coffee shop near a university.", "",
            "Bean There, Studied That: a playful pun students will remember.", (9, 9, 9, 10, 9, 10),
            "Catchy, fits the campus setting, explains the pun.",
            "A pun may feel cheesy.", True,
        ),
        _judged(
            "Write a haiku about snow.", "",
            "Snow falls on the hills and the children go out to play in the cold white snow all day long.",
            (3, 8, 4, 8, 6, 10),
            "Not a haiku: one long sentence instead of three lines of 5-7-5 syllables.",
            "On topic and pleasant.", False,
        ),
        _judged(
            "Write a short story opening set on Mars.", "",
            "Once upon a time in a forest, a fox met a rabbit.", (2, 8, 3, 1, 6, 10),
            "Ignores the setting: a forest, not Mars.",
            "A classic story opening.", False,
        ),
    ],
}


ANNOTATE: list[Example] = [
    Example(
        instruction="A shop sells pens at 3 for $2. How much do 12 pens cost?", input="", output="$8.",
        keywords=["unit price", "proportion"], summary="Compute the cost of 12 pens from a 3-for-$2 price.",
        domain="Math",
    ),
    Example(
        instruction="You are a ship's cook. Tell the crew what is for dinner tonight.", input="",
        output="Gather round, mates! Fish stew and hard bread tonight.",
        keywords=["persona", "ship cook"], summary="Answer in the voice of a ship's cook announcing dinner.",
        domain="Role Play",
    ),
    Example(
        instruction="Translate the sentence into German.", input="The weather is nice today.",
        output="Das Wetter ist heute schön.",
        keywords=["translation", "German"], summary="Translate an English sentence into German.", domain="Language",
    ),
    Example(
        instruction="Write a function that checks whether a number is even.", input="",
        output="def is_even(n):\n    return n % 2 == 0",
        keywords=["python", "parity"], summary="Write a Python function that tests whether an integer is even.",
        domain="Coding",
    ),
    Example(
        instruction="What is the longest river in Africa?", input="", output="The Nile.",
        keywords=["geography", "rivers"], summary="Name the longest river in Africa.", domain="QA",
    ),
    Example(
        instruction="If it rains, the game is cancelled. The game was not cancelled. Did it rain?", input="",
        output="No. If it had rained, the game would have been cancelled.",
        keywords=["logic", "modus tollens"], summary="Deduce from a conditional and its negated consequence.",
        domain="Reasoning",
    ),
    Example(
        instruction="Write a limerick about a cat who loves cheese.", input="",
        output="A cat with a passion for cheese\nwould nibble on cheddar with ease...",
        keywords=["limerick", "humor"], summary="Write a humorous limerick about a cheese-loving cat.",
        domain="Creation",
    ),
]
