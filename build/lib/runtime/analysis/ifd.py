"""IFD, the instruction-following difficulty of a sample (Li et al., 2024; the paper's Figure 8).

IFD = PPL(response | instruction) / PPL(response): how much the instruction helps a small
causal LM predict the response. Near 1 the instruction hardly helps (a hard or loosely tied
sample); well below 1 the response follows from it easily. Above 1 the instruction misleads.

Both perplexities are over the response's tokens only, each after one start token, so every
response token is predicted in both. The model is an embedded GGUF loaded through
``transformers`` (it de-quantizes the file); SmolLM2-135M is enough to rank samples.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

#: The default scoring model: a key of ``runtime.engines.weights.GGUF_MODELS``.
DEFAULT_MODEL = "smollm2-135m-instruct"
#: Tokens of the response (and of the instruction) that are scored at most.
MAX_TOKENS = 384


@dataclass
class Scorer:
    """A causal LM and its tokenizer, asked for the mean negative log-likelihood of an answer after a context."""

    model: Any
    tokenizer: Any
    max_tokens: int = MAX_TOKENS

    def ids(self, text: str) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False).input_ids[: self.max_tokens]

    def start(self) -> list[int]:
        tok = self.tokenizer
        first = tok.bos_token_id if tok.bos_token_id is not None else tok.eos_token_id
        return [] if first is None else [first]

    def nll(self, context: str, answer: str) -> float:
        """Mean negative log-likelihood (nats per token) of ``answer``'s tokens following ``context``."""
        import torch

        head, tail = self.start() + (self.ids(context) if context else []), self.ids(answer)
        if not tail:
            return float("nan")
        input_ids = torch.tensor([head + tail])
        labels = torch.tensor([[-100] * len(head) + tail])
        with torch.inference_mode():
            return float(self.model(input_ids=input_ids, labels=labels).loss)


def load_scorer(model: str = DEFAULT_MODEL) -> Scorer:
    """The GGUF ``model`` (a key of ``GGUF_MODELS`` or a path) as a ``transformers`` causal LM on the CPU."""
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging

    from runtime.engines.weights import resolve_gguf

    logging.disable_progress_bar()
    path = resolve_gguf(model)
    with quiet_tqdm():  # the GGUF de-quantizer draws its own bar; the report's bar stands for it
        tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
        lm = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name).eval()
    return Scorer(lm, tokenizer)


@contextmanager
def quiet_tqdm() -> Iterator[None]:
    """No tqdm bars inside the block (tqdm reads its defaults from ``TQDM_*`` variables)."""
    before = os.environ.get("TQDM_DISABLE")
    os.environ["TQDM_DISABLE"] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TQDM_DISABLE", None)
        else:
            os.environ["TQDM_DISABLE"] = before


def ifd(nll: Callable[[str, str], float], prompt: str, response: str) -> float:
    """PPL(response | prompt) / PPL(response), from a mean-NLL function ``nll(context, answer)``.

    >>> fake = lambda context, answer: 1.0 if context else 2.0  # the prompt halves the loss
    >>> round(ifd(fake, "Add 2 and 2.", "4"), 4) == round(math.exp(-1.0), 4)
    True
    """
    return math.exp(nll(prompt + "\n", response) - nll("", response))


@dataclass(frozen=True)
class Row:
    """One sample to score: where it comes from (``seed`` or ``kept``), its id and its text."""

    group: str
    id: str
    prompt: str
    response: str


def score_rows(scorer: Scorer, rows: Iterable[Row], advance: Callable[[], None] = lambda: None) -> list[dict]:
    """IFD of each row with a response: ``{"group", "id", "ifd"}`` (``advance`` is called after each)."""
    out = []
    for row in rows:
        if row.response.strip():
            out.append({"group": row.group, "id": row.id, "ifd": ifd(scorer.nll, row.prompt, row.response)})
        advance()
    return out
