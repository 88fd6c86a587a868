import json
import os
from pathlib import Path

import pytest

from tests.helpers.paths import EXAMPLES

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def small_seeds(tmp_path_factory) -> Path:
    """Two seeds per domain from the shipped examples (14 rows), to keep engine tests short."""
    rows = [json.loads(line) for line in EXAMPLES.read_text().splitlines()]
    picked = [r for i, r in enumerate(rows) if i % 5 < 2]
    path = tmp_path_factory.mktemp("seeds") / "small.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in picked))
    return path
