"""The progress bars a run prints while it works (rich), with the watchdog's stall line beneath them."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from runtime.progress.watchdog import WATCHDOG


class RunProgress(Progress):
    """Bars of done / total; while the run is stalled, the watchdog's line under them (``WATCHDOG.message``)."""

    def get_renderables(self):
        yield from super().get_renderables()
        if (line := WATCHDOG.message) is not None:
            yield Text(line, style="yellow")


def progress_bars(console: Console) -> Progress:
    """Bars of done / total with the elapsed time, left on screen when done."""
    return RunProgress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
