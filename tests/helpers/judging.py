"""Run a row worker (:class:`Curator` or :class:`SeedRefiner`) on a stand-in engine, as ``gra curate``/``refine`` do."""

import asyncio
import io
import json

from rich.console import Console

from runtime.pipeline import Members, Team
from runtime.settings import SynthConfig
from runtime.storage.seeds import load_seeds
from runtime.storage.store import Store
from tests.helpers.members import member


def judge_file(worker, write, tmp_path, engine, path, n_members, **config):
    """Settle every row of ``path`` with ``worker`` on ``n_members`` members; the store and the rows ``write`` wrote."""
    lms = {f"m{i}": member(engine, f"m{i}") for i in range(n_members)}
    store = Store(tmp_path / "gra.db")
    cfg = SynthConfig(**config)
    quiet = Console(file=io.StringIO())
    members = Members(Team(lms, {n: "fake" for n in lms}, {"fake": 4}), store, cfg, tmp_path, quiet)
    rows = load_seeds(path)
    asyncio.run(worker(members, cfg, quiet).curate(rows))
    written, _ = write(store, rows, tmp_path)
    return store, [json.loads(line) for line in written.read_text().splitlines()]
