"""How many calls one engine gets at once: start at its slot count, back off on failure (AIMD).

A healthy engine is kept full (its ``slots`` requests in flight, so continuous batching
has work); an engine that errors or times out gets half as many, and earns one slot back
after each run of ``limit`` successful calls, up to its slot count again.

>>> limit = AdaptiveLimit(4)
>>> limit.record(ok=False); limit.limit
2
"""

from __future__ import annotations

import asyncio
import time


class AdaptiveLimit:
    def __init__(self, slots: int, minimum: int = 1):
        if slots < 1:
            raise ValueError("an engine needs at least one slot")
        self.maximum, self.minimum = slots, min(minimum, slots)
        self.limit = slots
        self.in_flight = 0
        self._successes = 0
        self._busy_s, self._busy_since = 0.0, 0.0
        self._changed: asyncio.Condition | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _condition(self) -> asyncio.Condition:
        """The condition of the running event loop: a limit outlives ``asyncio.run`` calls, its waiters do not."""
        loop = asyncio.get_running_loop()
        if self._changed is None or self._loop is not loop:
            self._changed, self._loop = asyncio.Condition(), loop
        return self._changed

    async def acquire(self) -> None:
        async with self._condition():
            await self._changed.wait_for(lambda: self.in_flight < self.limit)
            if self.in_flight == 0:
                self._busy_since = time.monotonic()
            self.in_flight += 1

    async def release(self, ok: bool = True) -> None:
        async with self._condition():
            self.in_flight -= 1
            if self.in_flight == 0:
                self._busy_s += time.monotonic() - self._busy_since
            self.record(ok)
            self._changed.notify_all()

    def busy_seconds(self) -> float:
        """Seconds so far with at least one call in flight on the engine."""
        return self._busy_s + (time.monotonic() - self._busy_since if self.in_flight else 0.0)

    def record(self, ok: bool) -> None:
        """Additive increase after a window of successes; multiplicative decrease on a failure."""
        if ok:
            self._successes += 1
            if self._successes >= self.limit and self.limit < self.maximum:
                self.limit += 1
                self._successes = 0
        else:
            self.limit = max(self.minimum, self.limit // 2)
            self._successes = 0
