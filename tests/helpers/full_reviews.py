"""A small run database holding every reviewer's checks and score sheets, as a full-review run would."""

import json

from runtime.storage.store import Store


def full_review_run(path) -> Store:
    """Three samples: one rejected by two of its three checks, one passed and scored, one copy never reviewed."""
    store = Store(path / "gra.db")
    drawn = json.dumps(["a", "b", "c"])
    store.db["samples"].insert_all(
        [{"id": sid, "generator": "g", "reviewers": drawn} for sid in ("r1-00001", "r1-00002")]
        + [{"id": "r1-00003", "generator": "g", "reviewers": None}]
    )
    checks = {"r1-00001": {"a": [1, 1, 1], "b": [0, 1, 1], "c": [1, 0, 1]}, "r1-00002": dict.fromkeys("abc", [1, 1, 1])}
    sheets = {"a": [9] * 6, "b": [2] * 6, "c": [10] * 6}
    store.db["reviews"].insert_all(
        [
            {"sample_id": s, "reviewer": r, "kind": "instruction", "scores": json.dumps(v)}
            for s, by in checks.items()
            for r, v in by.items()
        ]
        + [
            {"sample_id": "r1-00002", "reviewer": r, "kind": "response", "scores": json.dumps(v)}
            for r, v in sheets.items()
        ]
    )
    return store
