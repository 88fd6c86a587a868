"""Peak memory and CPU time of a running process, as the benchmarks report them."""

import subprocess
import sys
import time

from runtime.engines.proc_stats import cpu_seconds, peak_rss_mb

BUSY = """
import time
held = b"x" * (200 * 2**20)  # written, so resident
t = time.process_time()
while time.process_time() - t < 1.0:
    pass
input()
"""


def test_a_process_that_holds_memory_and_spins_shows_both():
    proc = subprocess.Popen([sys.executable, "-c", BUSY], stdin=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while (cpu_seconds(proc.pid) or 0) < 1.0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert cpu_seconds(proc.pid) >= 1.0
        assert peak_rss_mb(proc.pid) >= 200
    finally:
        proc.communicate(b"\n", timeout=30)


def test_a_process_that_is_gone_has_no_numbers():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert cpu_seconds(proc.pid) is None and peak_rss_mb(proc.pid) is None
