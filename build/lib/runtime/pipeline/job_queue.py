"""Jobs that any member may do, each handed to whichever engine has a slot free first.

A role draw fixes who generates and who reviews a sample, from (run seed, sample id) alone.
Annotating a seed and summarizing a kept sample are not role draws: any member may do
them. Handing them out in a fixed rotation gives every engine the same number, and the
phase lasts as long as the slowest engine's share while the others idle. Here each engine
takes the next job when it has a slot free, so a faster engine does more of them and none
waits while another still has a queue.

    >>> done = []
    >>> async def annotate(seed, member):
    ...     done.append((seed, member))
    >>> asyncio.run(drain(["s1", "s2", "s3"], {"smollm2": ["smollm2-a", "smollm2-b"]}, {"smollm2": 1}, annotate))
    []
    >>> done
    [('s1', 'smollm2-a'), ('s2', 'smollm2-b'), ('s3', 'smollm2-a')]

Each engine gets one worker per slot; its workers hand jobs to the engine's members in
rotation. ``usable(engine)`` is asked before each job, so an engine that was given up
takes no more and the others finish the queue. Which member did a job depends on timing,
so callers record it with the job's result.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TypeVar

Job = TypeVar("Job")


async def drain(
    jobs: Iterable[Job],
    members_by_engine: Mapping[str, Sequence[str]],
    slots: Mapping[str, int],
    run: Callable[[Job, str], Awaitable[object]],
    usable: Callable[[str], bool] = lambda engine: True,
) -> list[Job]:
    """Run ``run(job, member)`` for every job on the engine free first; the jobs no usable engine took."""
    queue = deque(jobs)

    async def worker(engine: str, turn: Iterable[str]) -> None:
        members = iter(turn)
        while queue and usable(engine):
            await run(queue.popleft(), next(members))

    workers = []
    for engine, members in members_by_engine.items():
        if not members:
            continue
        turn = itertools.cycle(members)  # shared by the engine's workers
        workers += [worker(engine, turn) for _ in range(max(1, slots.get(engine, 1)))]
    await asyncio.gather(*workers)
    return list(queue)
