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


@pytest.fixture
def stand_in_pool(tmp_path):
    """A pool file of two models on stand-in engines that answer as a scripted committee (four members)."""
    from tests.helpers.committee import Committee
    from tests.helpers.fake_engine import FakeEngine
    from tests.helpers.stand_in_pool import write_pool

    engines = [FakeEngine([]) for _ in range(2)]
    for e in engines:
        e.respond = Committee()
    yield write_pool(tmp_path, engines)
    for e in engines:
        e.close()
