"""What a run shows while it works: progress bars, and the watchdog that says what a stalled run waits on.

A room of its own, below the pipeline, so that commands which only read a run (export, the
report) show progress without importing the pipeline.
"""

from runtime.progress.bars import progress_bars
from runtime.progress.watchdog import WATCHDOG, Watchdog

__all__ = ["WATCHDOG", "Watchdog", "progress_bars"]
