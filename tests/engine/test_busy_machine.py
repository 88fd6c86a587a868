"""gra on a busy machine: other programs keep every core busy at normal priority, and a curation still finishes.

A helper process that only runs on idle CPU (``SCHED_IDLE``) never runs on such a machine,
and the run waits for it forever; every process gra starts must get its share instead.
"""

import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest

from runtime.storage.status import TERMINAL
from tests.helpers.gra_cli import gra

pytestmark = pytest.mark.engine

#: A busy loop that ends by itself after its deadline, should the test not live to end it.
HOG = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    pass\n"
#: How much slower than on a quiet machine the busy run may be: the engines get half their cores.
SLOWER = 5


@contextmanager
def hogs(seconds: float):
    """One busy loop per core at normal priority, for at most ``seconds``; ended when the block ends."""
    procs = [subprocess.Popen([sys.executable, "-c", HOG.format(seconds=seconds)]) for _ in range(os.cpu_count())]
    try:
        yield procs
    finally:
        for p in procs:
            p.kill()
            p.wait()


@pytest.fixture(scope="module")
def rows(small_seeds, tmp_path_factory):
    path = tmp_path_factory.mktemp("busy") / "rows.jsonl"
    path.write_text("".join(small_seeds.read_text().splitlines(keepends=True)[:4]))
    return path


def curate(rows, out, timeout):
    started = time.monotonic()
    done = gra("curate", "--data", rows, "--out", out, "--pool", "tiny", "--stall-warning", "30", timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return time.monotonic() - started, done.stderr


def test_a_curation_finishes_while_other_programs_hold_every_core(rows, tmp_path):
    quiet, _ = curate(rows, tmp_path / "quiet", timeout=900)
    with hogs(seconds=SLOWER * quiet + 120) as procs:
        busy, log = curate(rows, tmp_path / "busy", timeout=SLOWER * quiet + 60)
        assert all(p.poll() is None for p in procs)  # the machine was busy the whole time
    assert busy <= SLOWER * quiet, f"{busy:.0f} s busy against {quiet:.0f} s quiet"
    curated = [json.loads(line) for line in (tmp_path / "busy" / "curated.jsonl").read_text().splitlines()]
    assert len(curated) == 4 and all(r["status"] in TERMINAL for r in curated)
