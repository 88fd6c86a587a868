"""Files written whole or not at all.

Every file gra writes for a reader (``data.jsonl``, the dedup index, an assembled or
re-encoded model) is written beside its target under a private name and renamed into
place only once it is complete: a crash leaves the old file or none, never half a file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` to write; renamed onto ``target`` when the block succeeds.

    The temporary file is removed if the block raises. Its name carries the process id, so
    two processes writing one target never share a temporary file.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "data.jsonl"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("{}\\n")
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('{}\\n', ['data.jsonl'])
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.partial-{os.getpid()}")
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
