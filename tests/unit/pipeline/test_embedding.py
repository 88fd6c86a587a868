"""Embeddings are remembered: a text reaches the embedding worker once, whatever batch it comes in."""

import numpy as np
import pytest

import runtime.pipeline.embedding as embedding_module
from runtime.pipeline.embedding import embed, forget


class CountingEngine:
    """Stands in for the worker: a distinct unit vector per text, and a log of what it was sent."""

    def __init__(self):
        self.sent: list[list[str]] = []

    def embed(self, texts, batch_size=64):
        self.sent.append(list(texts))
        rows = np.zeros((len(texts), 384), dtype=np.float32)
        for row, text in zip(rows, texts, strict=True):
            row[hash(text) % 384] = 1.0
        return rows


@pytest.fixture
def engine(monkeypatch):
    counting = CountingEngine()
    monkeypatch.setattr(embedding_module, "shared_engine", lambda: counting)
    forget()
    yield counting
    forget()


def test_only_unseen_texts_reach_the_worker(engine):
    shown = ["Write a haiku about rain.", "Sort a list in Python."]
    first = embed(["A new instruction.", *shown])
    second = embed(["Another new instruction.", *shown])
    assert engine.sent == [["A new instruction.", *shown], ["Another new instruction."]]
    np.testing.assert_array_equal(first[1:], second[1:])


def test_a_text_repeated_in_one_call_is_sent_once_and_answered_in_place(engine):
    vectors = embed(["a", "b", "a"])
    assert engine.sent == [["a", "b"]]
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_array_equal(vectors[0], vectors[2])
    assert not np.array_equal(vectors[0], vectors[1])


def test_nothing_to_embed_sends_nothing(engine):
    assert embed([]).shape == (0, 384)
    assert engine.sent == []


def test_the_cache_is_bounded_and_forgets_the_least_recent(engine, monkeypatch):
    monkeypatch.setattr(embedding_module, "_cache", embedding_module.LRUCache(maxsize=2))
    embed(["a"]), embed(["b"]), embed(["c"])
    embed(["c", "a"])
    assert engine.sent == [["a"], ["b"], ["c"], ["a"]]
