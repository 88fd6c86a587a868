"""A scripted committee for a stand-in engine: each answer chosen by the call's signature and text."""

import json
import threading

from signatures import CHECK_DIMENSIONS, CHECK_QUESTIONS

#: What the generator's three steps answer: a disputed sample (see :class:`Committee`).
GENERATOR = {
    "InventKeywords": {"keywords": ["reverse", "word"]},
    "WriteInstruction": {"instruction": "Spell the word cat backwards.", "input": ""},
    "AnswerInstruction": {"response": "tac (DISPUTED)"},
}


#: What the verifiers' programs compute, by the task they were given (other tasks get a program that prints nothing).
PROGRAMS = {"Add 2 and 3.": "a, b = 2, 3\nprint(a + b)", "Multiply 4 by 6.": "print(4 * 6)"}


class Committee:
    """Scripted judges: checks pass; WRONG scores 3, DISPUTED splits 10/10/4, the rest 9; the adjudicator gives 5.

    Verifiers write the programs of :data:`PROGRAMS`, which run in the real sandbox.

    A seed's rewrite keeps its draft's mark. ``broken`` marks a text whose score calls (or
    rewrite) get unusable answers.
    """

    def __init__(self, broken: str | None = None):
        self.lock, self.disputed, self.broken = threading.Lock(), {}, broken

    def __call__(self, body):
        name = body["response_format"]["json_schema"]["name"]
        if asks_a_check(body):
            name = "CheckInstruction"  # also under a signature an optimizer rewrote (and renamed)
        prompt = body["messages"][-1]["content"]
        if name == "AnnotateSeed":
            return json.dumps({"keywords": ["sums"], "summary": "A sum.", "domain": "Math"}), "stop"
        if name in GENERATOR:
            return json.dumps(GENERATOR[name]), "stop"
        if name == "RefineResponse":  # a rewrite keeps its draft's mark, so its judges treat it alike
            if self.broken and self.broken in prompt:
                return "no rewrite today", "stop"
            mark = next((m for m in ("WRONG", "DISPUTED") if m in prompt), "fine")
            return json.dumps({"response": f"Rewritten ({mark})."}), "stop"
        if name == "WriteProgram":
            program = next((p for task, p in PROGRAMS.items() if task in prompt), "print()")
            return json.dumps({"program": program}), "stop"
        if name == "CheckInstruction":
            return check_answer(body, (1, 1, 1)), "stop"
        if name in ("Adjudicate", "AdjudicateWithEvidence"):
            return self.sheet(5, "The reviews disagree; the answer is doubtful."), "stop"
        if self.broken and self.broken in prompt:
            return "no scores today", "stop"
        if "WRONG" in prompt:
            return self.sheet(3, "Wrong result."), "stop"
        if "DISPUTED" in prompt:
            with self.lock:
                n = self.disputed[prompt] = self.disputed.get(prompt, 0) + 1
            return self.sheet(10 if n <= 2 else 4, "Split."), "stop"
        return self.sheet(9, "Right."), "stop"

    @staticmethod
    def sheet(score, review):
        dims = ("correctness", "clarity", "completeness", "relevance", "coherence", "ethicality")
        return json.dumps({**dict.fromkeys(dims, score), "review": review})


def asks_a_check(body) -> bool:
    """Whether an engine request is an instruction check (its answer is a bare 0 or 1)."""
    return body["response_format"]["json_schema"]["schema"].get("enum") == [0, 1]


def asked(body) -> str:
    """Which of the three checks an instruction-check request asks (its question is in the prompt)."""
    prompt = body["messages"][-1]["content"]
    return next(c for c in CHECK_DIMENSIONS if CHECK_QUESTIONS[c] in prompt)


def check_answer(body, checks) -> str:
    """The answer to the check a request asks, from ``checks``: the 0/1s of (reasonable, complete, clear)."""
    return str(dict(zip(CHECK_DIMENSIONS, checks, strict=True))[asked(body)])


#: One check's answers, for engines that answer from a script in order.
PASS, FAIL = "1", "0"
