"""The run's dedup index on disk: opened verified, fed the seeds, and used to settle a round.

The database is the record of what the index holds (``index_items``); the hnswlib file
``index/dedup.bin`` is derived from it and checked on open (:mod:`runtime.pipeline.recovery`).
"""

from __future__ import annotations

from pathlib import Path

from rich.progress import Progress

from runtime.pipeline.dedup import deduplicate
from runtime.pipeline.embedding import embed, sample_text
from runtime.pipeline.recovery import verified_index
from runtime.storage.status import Status
from runtime.storage.store import Store


class RunIndex:
    """The dedup index of one run directory, kept in step with its database."""

    def __init__(self, store: Store, path: Path):
        self.store, self.path = store, path
        self.index, self.report = verified_index(store, path)

    def add_seeds(self) -> None:
        """Embed and add every annotated seed the index does not hold yet."""
        rows = self.store.unindexed_seeds()
        if not rows:
            return
        vectors = embed([sample_text(r["instruction"], r["input"]) for r in rows])
        start = self.store.next_label()
        labels = list(range(start, start + len(rows)))
        self.index.add(vectors, labels)
        self.store.add_index_items(
            [{"label": lb, "kind": "seed", "ref": r["id"]} for lb, r in zip(labels, rows, strict=True)]
        )
        self.index.save(self.path)

    def dedup_round(self, round_: int, threshold: float, bars: Progress | None = None) -> None:
        """Keep or drop each sample of the round that passed the committee (paper §3.3).

        Visited in descending μ; a sample at cosine ≥ ``threshold`` to anything kept before
        it (seeds, earlier rounds, higher-μ samples) becomes ``duplicate``, the others
        ``accepted``. Call it inside one store transaction, so the round's decisions land at once.
        ``bars`` gets a bar of the samples settled.
        """
        rows = self.store.samples("round = ? and status = ?", [round_, Status.PASSED])
        if not rows:
            return
        task = bars.add_task(f"round {round_}: dedup", total=len(rows)) if bars else None
        vectors = embed([sample_text(r["instruction"], r["input"]) for r in rows])
        next_label = [self.store.next_label()]
        new_items: list[dict] = []

        def label_for(key: str) -> int:
            label = next_label[0]
            next_label[0] += 1
            new_items.append({"label": label, "kind": "sample", "ref": key})
            return label

        # μ is absent only when nothing reviewed the round (``--reviewers 0``): then the order is the round's
        items = [(r["id"], r["mean"] or 0.0, v) for r, v in zip(rows, vectors, strict=True)]
        decisions = deduplicate(
            self.index, items, label_for, threshold, advance=lambda n: bars.advance(task, n) if bars else None
        )
        self.store.add_index_items(new_items)
        pending = {i["label"]: f"sample:{i['ref']}" for i in new_items}
        for d in decisions:
            if d.kept:
                self.store.update_sample(d.key, status=Status.ACCEPTED, similarity=d.similarity)
            else:
                ref = pending.get(d.nearest) or self.store.index_ref(d.nearest)
                self.store.update_sample(d.key, status=Status.DUPLICATE, duplicate_of=ref, similarity=d.similarity)
        self.index.save(self.path)
