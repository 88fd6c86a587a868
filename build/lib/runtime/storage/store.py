"""The run database: every seed, candidate, review, adjudication and model call (SQLite).

One file, ``DIR/gra.db``, in WAL mode, written through sqlite-utils and browsable with
Datasette (``datasette DIR/gra.db``). Every query of the run lives in storage: the
:class:`Store` is made of one part per concern (runs, seeds, samples, reviews, calls, the
index), each in its own module, and the reports beside it (:mod:`runtime.storage.funnel`,
:mod:`runtime.storage.accounting`) read through it. Samples move through the statuses of
:class:`runtime.storage.status.Status`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from runtime.storage import schema
from runtime.storage.call_records import CallRecords
from runtime.storage.clock import now
from runtime.storage.index_records import IndexRecords
from runtime.storage.review_records import ReviewRecords
from runtime.storage.run_records import RunRecords, first_fingerprint, read_fingerprint
from runtime.storage.sample_records import SampleRecords
from runtime.storage.seed_records import SeedRecords
from runtime.storage.status import TERMINAL, Status  # noqa: F401 (re-exported: callers import them from here)

__all__ = ["Store", "now", "read_fingerprint", "first_fingerprint", "TERMINAL", "Status"]


class Store(RunRecords, SeedRecords, SampleRecords, ReviewRecords, CallRecords, IndexRecords):
    """One run's database: the write methods are transitions, the read methods answer the pipeline."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.db = sqlite_utils.Database(self.path)
        self.db.enable_wal()
        self.db.execute("PRAGMA foreign_keys = ON")
        self._depth = 0
        with self.transaction():
            schema.create(self.db)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One SQLite transaction; nested blocks join the outermost one.

        Every write method below runs in one, so a transition is all-or-nothing; wrap
        several calls in ``with store.transaction():`` to make them one transition.
        """
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._depth = 1
        try:
            with self.db.conn:
                yield
        finally:
            self._depth = 0
