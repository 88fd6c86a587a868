"""The run database's tables and indexes (sqlite-utils column types), created once per file."""

from __future__ import annotations

import sqlite_utils

#: table -> (columns, primary key, foreign keys)
TABLES: dict[str, tuple[dict[str, type], str, list[tuple[str, str, str]]]] = {
    "runs": (
        {
            "id": int,
            "created_at": str,
            "finished_at": str,
            "seed": int,
            "config": str,
            "fingerprint": str,
            "status": str,
        },
        "id",
        [],
    ),
    "rounds": ({"round": int, "started_at": str, "finished_at": str}, "round", []),
    "members": ({"name": str, "engine": str, "model": str, "kind": str, "sampling": str}, "name", []),
    "seeds": (
        {
            "id": str,
            "source": str,
            "line": int,
            "instruction": str,
            "input": str,
            "output": str,
            "domain": str,
            "model_domain": str,
            "keywords": str,
            "summary": str,
            "annotator": str,
            "status": str,
        },
        "id",
        [],
    ),
    "samples": (
        {
            "id": str,
            "round": int,
            "ordinal": int,
            "status": str,
            "domain": str,
            "requested_domain": str,
            "examples": str,
            "demos": str,
            "generator": str,
            "reviewers": str,
            "adjudicator": str,
            "keywords": str,
            "instruction": str,
            "input": str,
            "output": str,
            "mean": float,
            "std": float,
            "adjudicated_mean": float,
            "duplicate_of": str,
            "similarity": float,
            "summary": str,
            "summarizer": str,
            "failure": str,
            "verified": str,  # what the verification stage ran: math or code (null: nothing)
            "verdict": str,  # agrees, contradicts or undecided
            "evidence": str,  # the line the scorers read
            "created_at": str,
            "finished_at": str,
        },
        "id",
        [],
    ),
    "reviews": (
        {
            "id": int,
            "sample_id": str,
            "reviewer": str,
            "kind": str,
            "scores": str,  # JSON: the sampled 0/1 checks or 1-10 scores
            "review": str,
            "reading": str,  # how the committee read them: sampled, expected or calibrated
            "read": str,  # JSON: the numbers it read (each check's P(pass); the sheet's scores)
            "probabilities": str,  # JSON: field -> {value: probability}, from the engine's token log-probabilities
            "verdict": str,  # a probe's: this reviewer's own verification verdict, which its sheet was scored with
        },
        "id",
        [("sample_id", "samples", "id")],
    ),
    "programs": (
        {
            "id": int,
            "sample_id": str,
            "role": str,  # program (math), reference (code), or response (the response's own code under test)
            "author": str,  # the verifier member; null for the response
            "seat": int,
            "source": str,  # what ran in the sandbox
            "calls": str,  # JSON: the test calls it was run on (code)
            "status": str,  # the sandbox's: ok, error, timeout, memory, output_limit, crash, unavailable
            "stdout": str,
            "stderr": str,
            "detail": str,
            "seconds": float,
        },
        "id",
        [("sample_id", "samples", "id")],
    ),
    "adjudications": (
        {
            "id": int,
            "sample_id": str,
            "adjudicator": str,
            "scores": str,
            "mean": float,
            "accepted": int,
            "review": str,
            "reading": str,
            "probabilities": str,
        },
        "id",
        [("sample_id", "samples", "id")],
    ),
    "lm_calls": (
        {
            "id": int,
            "sample_id": str,
            "seed_id": str,
            "role": str,
            "member": str,
            "signature": str,
            "messages": str,
            "raw_output": str,
            "parse_status": str,
            "parse_detail": str,
            "finish_reason": str,
            "prompt_tokens": int,
            "completion_tokens": int,
            "cached_tokens": int,
            "latency_s": float,
            "started_at": str,
            "attempt": int,
            "seed": int,
            "request_hash": str,
            "program": str,  # the prompt-pack program that made the call; null: the default demos
            "logprobs": str,  # JSON: per decoded token, its log-probability and top alternatives (judges' calls)
        },
        "id",
        [],
    ),
    "index_items": ({"label": int, "kind": str, "ref": str}, "label", []),
}

#: (table, columns) of every index beyond the primary keys
INDEXES = [
    ("samples", ["status"]),
    ("samples", ["round"]),
    ("lm_calls", ["sample_id"]),
    ("reviews", ["sample_id"]),
    ("programs", ["sample_id"]),
    ("lm_calls", ["request_hash"]),
]


def create(db: sqlite_utils.Database) -> None:
    """Create every table and index of an empty run database (the caller holds the transaction).

    A database made by an earlier gra gets the columns added since, empty, so it can be resumed.
    """
    if "runs" in db.table_names():
        for name, (columns, pk, foreign_keys) in TABLES.items():
            if name not in db.table_names():
                db[name].create(columns, pk=pk, foreign_keys=foreign_keys or None)
                continue
            have = db[name].columns_dict
            for column, kind in columns.items():
                if column not in have:
                    db[name].add_column(column, kind)
        return
    for name, (columns, pk, foreign_keys) in TABLES.items():
        db[name].create(columns, pk=pk, foreign_keys=foreign_keys or None)
    for table, columns in INDEXES:
        db[table].create_index(columns)
