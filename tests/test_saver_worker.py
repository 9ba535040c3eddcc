"""The saver's worker threads: results, errors, order, concurrency, idle exit, closed loops."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from langgraph_memgpt.checkpointing import worker as worker_module
from langgraph_memgpt.checkpointing.worker import SaverWorker


def test_results_and_errors_reach_the_awaiting_coroutine() -> None:
    worker = SaverWorker()

    def fail() -> None:
        raise KeyError("missing checkpoint")

    async def main() -> None:
        assert await worker.run(lambda: 41 + 1) == 42
        with pytest.raises(KeyError, match="missing checkpoint"):
            await worker.run(fail)

    asyncio.run(main())


def test_calls_run_off_the_loop_thread() -> None:
    worker = SaverWorker()

    async def main() -> None:
        here = threading.get_ident()
        there = await worker.run(threading.get_ident)
        assert there != here

    asyncio.run(main())


def test_one_thread_runs_calls_in_the_order_they_were_made() -> None:
    worker = SaverWorker(threads=1)
    seen: list[int] = []

    async def main() -> None:
        await asyncio.gather(*(worker.run(lambda i=i: seen.append(i)) for i in range(200)))

    asyncio.run(main())
    assert seen == list(range(200))


def test_several_threads_overlap_blocking_calls() -> None:
    worker = SaverWorker(threads=4)
    inside = 0
    most = 0
    lock = threading.Lock()
    everyone_in = threading.Barrier(4, timeout=10)

    def call() -> None:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        everyone_in.wait()  # would time out (BrokenBarrierError) if calls ran one at a time
        with lock:
            inside -= 1

    async def main() -> None:
        await asyncio.gather(*(worker.run(call) for _ in range(4)))

    asyncio.run(main())
    assert most == 4


def test_threads_leave_when_idle_and_come_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_module, "IDLE_SECONDS", 0.05)
    worker = SaverWorker(threads=2, name="idle-test-saver")

    def alive() -> int:
        return sum(t.name == "idle-test-saver" for t in threading.enumerate())

    async def main() -> None:
        assert await worker.run(lambda: "first") == "first"

    asyncio.run(main())
    deadline = time.monotonic() + 5
    while alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert alive() == 0
    asyncio.run(main())  # a call after they left starts a thread again


def test_a_cancelled_caller_does_not_break_the_others() -> None:
    worker = SaverWorker(threads=1)
    release = threading.Event()

    async def main() -> None:
        slow = asyncio.ensure_future(worker.run(lambda: release.wait(10)))
        await asyncio.sleep(0.01)
        slow.cancel()
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await slow
        assert await worker.run(lambda: "after") == "after"

    asyncio.run(main())


def test_one_worker_serves_several_event_loops() -> None:
    worker = SaverWorker(threads=2)
    results: list[int] = []

    def loop_in_thread(n: int) -> None:
        async def main() -> list[int]:
            return list(
                await asyncio.gather(*(worker.run(lambda i=i: n * 100 + i) for i in range(20)))
            )

        results.extend(asyncio.run(main()))

    threads = [threading.Thread(target=loop_in_thread, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(results) == sorted(n * 100 + i for n in range(3) for i in range(20))


def test_threads_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        SaverWorker(threads=0)
