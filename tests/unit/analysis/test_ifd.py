"""IFD: the loss is taken over the response's tokens only, with and without the instruction before them."""

import math

import pytest
import torch
from transformers import LlamaConfig, LlamaForCausalLM

from runtime.analysis.ifd import Row, Scorer, ifd, score_rows


class CharTokenizer:
    """One token per character (ids 3..), with a start token: enough to check which tokens are scored."""

    bos_token_id, eos_token_id = 1, 2

    def __call__(self, text, add_special_tokens=False):
        return type("Encoded", (), {"input_ids": [3 + ord(c) % 60 for c in text]})()


@pytest.fixture(scope="module")
def scorer():
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=64,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=256,
    )
    return Scorer(LlamaForCausalLM(config).eval(), CharTokenizer())


def by_hand(scorer, context, answer):
    """Mean NLL of the answer's tokens, from the model's logits, position by position."""
    head = [1] + scorer.tokenizer(context).input_ids
    tail = scorer.tokenizer(answer).input_ids
    with torch.inference_mode():
        logits = scorer.model(input_ids=torch.tensor([head + tail])).logits[0]
    logp = torch.log_softmax(logits, dim=-1)
    return -sum(logp[len(head) + i - 1, t].item() for i, t in enumerate(tail)) / len(tail)


def test_the_loss_covers_the_response_tokens_only(scorer):
    assert scorer.nll("Add 2 and 2.\n", "4, it is four") == pytest.approx(
        by_hand(scorer, "Add 2 and 2.\n", "4, it is four"), rel=1e-5
    )
    assert scorer.nll("", "4, it is four") == pytest.approx(by_hand(scorer, "", "4, it is four"), rel=1e-5)


def test_ifd_is_the_ratio_of_the_two_perplexities(scorer):
    conditioned, alone = scorer.nll("Add 2 and 2.\n", "four"), scorer.nll("", "four")
    assert ifd(scorer.nll, "Add 2 and 2.", "four") == pytest.approx(math.exp(conditioned) / math.exp(alone))


def test_rows_without_a_response_are_skipped(scorer):
    rows = [Row("seed", "s0", "Say hi.", "hi"), Row("kept", "r1", "Say nothing.", "  ")]
    scored = score_rows(scorer, rows)
    assert [(r["group"], r["id"]) for r in scored] == [("seed", "s0")] and scored[0]["ifd"] > 0
