"""The saver's own worker threads: blocking checkpoint calls off the loop, cheaply.

A turn makes about eight saver calls (``aget_tuple``, one ``aput`` per step, one
``aput_writes`` per task). Each was an ``asyncio.to_thread``: a context copy, an executor work
item, a ``concurrent.futures.Future`` chained to an asyncio one, and one wake-up of the event
loop per call, all of it under the GIL that the graph's own Python work needs. Measured on the
offline driver at 50 conversations in one loop, those hops cost more CPU per turn than the
SQLite writes they carried, and made the async path slower than four threads on the sync API.

This worker keeps the calls off the loop and cuts what each costs:

- a fixed number of threads per saver (one for SQLite, whose saver serializes every call
  behind one lock anyway; the pool's size for Postgres, where calls overlap on the network),
  fed by a ``queue.SimpleQueue``, so calls of one saver run in the order they were made;
- completions handed back in batches: the first result that finds the loop's inbox empty
  schedules one ``call_soon_threadsafe``; results finishing before the loop runs it ride on the
  same wake-up (with many conversations, most do);
- threads that leave after a quiet second and come back on the next call, so a process that
  opens many savers does not keep a thread for each.

Saver calls need no context variables (LangGraph passes everything as arguments), which is
why they can skip the context copy that ``to_thread`` makes for the memory seam.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from typing import Any

#: Seconds a worker thread waits for a call before it leaves.
IDLE_SECONDS = 1.0

_Outcome = tuple[bool, Any]  # (succeeded, result or exception)
_Job = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[[], Any]]


class SaverWorker:
    """Runs a saver's blocking calls on up to ``threads`` threads of its own."""

    def __init__(self, threads: int = 1, *, name: str = "checkpoint-saver") -> None:
        if threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        self.size = threads
        self.name = name
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._running = 0  # threads alive
        self._idle = 0  # threads waiting for a call
        self._waiting = 0  # calls queued and not taken yet
        #: Results waiting for their loop's next wake-up, per loop.
        self._inbox: dict[
            asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], _Outcome]]
        ] = {}

    async def run(self, call: Callable[[], Any]) -> Any:
        """Await ``call()`` run on one of this worker's threads."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        with self._lock:
            self._jobs.put((loop, future, call))
            self._waiting += 1
            # Start a thread only when the free ones cannot take every queued call.
            if self._waiting > self._idle and self._running < self.size:
                self._running += 1
                threading.Thread(target=self._serve, name=self.name, daemon=True).start()
        return await future

    def _serve(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            try:
                job = self._jobs.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    self._idle -= 1
                    # Leave only if nothing arrived meanwhile: a caller that saw this thread
                    # idle did not start another one.
                    if self._jobs.empty():
                        self._running -= 1
                        return
                continue
            with self._lock:
                self._idle -= 1
                self._waiting -= 1
            loop, future, call = job
            try:
                outcome: _Outcome = (True, call())
            except BaseException as exc:  # handed to the awaiting coroutine, raised there
                outcome = (False, exc)
            self._hand_back(loop, future, outcome)

    def _hand_back(
        self, loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any], outcome: _Outcome
    ) -> None:
        with self._lock:
            inbox = self._inbox.setdefault(loop, [])
            first = not inbox
            inbox.append((future, outcome))
        if not first:
            return  # a wake-up of that loop is already scheduled and will take this one too
        try:
            loop.call_soon_threadsafe(self._deliver, loop)
        except RuntimeError:  # the loop closed while the call ran: nobody is waiting
            with self._lock:
                self._inbox.pop(loop, None)

    def _deliver(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._lock:
            delivered = self._inbox.pop(loop, [])
        for future, (succeeded, value) in delivered:
            if future.done():  # the awaiting task was cancelled; the call still ran
                continue
            if succeeded:
                future.set_result(value)
            else:
                future.set_exception(value)
