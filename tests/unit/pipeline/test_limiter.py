import asyncio

from runtime.pipeline.limiter import AdaptiveLimit


def test_starts_full_halves_on_failure_and_earns_slots_back():
    limit = AdaptiveLimit(8)
    assert limit.limit == 8
    limit.record(ok=False)
    limit.record(ok=False)
    assert limit.limit == 2
    for _ in range(2):
        limit.record(ok=True)
    assert limit.limit == 3
    for _ in range(100):
        limit.record(ok=True)
    assert limit.limit == 8  # never above the engine's slots
    for _ in range(10):
        limit.record(ok=False)
    assert limit.limit == 1  # never below one


def test_in_flight_never_exceeds_the_current_limit():
    limit = AdaptiveLimit(3)
    peak = 0

    async def call(fail: bool):
        nonlocal peak
        await limit.acquire()
        peak = max(peak, limit.in_flight)
        assert limit.in_flight <= limit.limit
        await asyncio.sleep(0.001)
        await limit.release(ok=not fail)

    async def main():
        await asyncio.gather(*(call(fail=(i % 7 == 0)) for i in range(60)))

    asyncio.run(main())
    assert peak == 3 and limit.in_flight == 0


def test_busy_seconds_count_time_with_any_call_in_flight_once():
    limit = AdaptiveLimit(2)

    async def call(seconds: float):
        await limit.acquire()
        await asyncio.sleep(seconds)
        await limit.release()

    async def go():
        await asyncio.gather(call(0.2), call(0.1))  # overlapping: 0.2 s busy, not 0.3
        await asyncio.sleep(0.2)  # idle: not counted

    asyncio.run(go())
    assert 0.19 <= limit.busy_seconds() < 0.28


def test_a_limit_serves_one_event_loop_after_another():
    limit = AdaptiveLimit(1)

    async def call():
        await limit.acquire()
        await asyncio.sleep(0.01)
        await limit.release()

    async def two_calls():  # the second waits for the first's slot
        await asyncio.gather(call(), call())

    asyncio.run(two_calls())
    asyncio.run(two_calls())  # a second asyncio.run (a script measuring twice) gets a condition of its own
    assert limit.in_flight == 0
