"""Faults of the Postgres server itself, under an agent playing turns: the database's bad moments.

On a server of its own (``pg_server.py``, never the shared test server) an offline agent plays
numbered turns while the campaign restarts the server between turns, restarts it at a random
moment inside a turn, SIGKILLs the postmaster (crash recovery), terminates the agent's backends
(``pg_terminate_backend``), holds a lock on the recall table for 5 s, and fills every
connection slot with other clients. A turn that fails is what an app sees; the client then does
what an app does: wait until ``Memory.ping()`` answers, finish the turn (``invoke(None)``, or
the same message again if the thread never got it) and go on.

Per fault: turns that failed, and with which error (anything but ``MemoryStoreError`` is a
loss: an unclear error), turns that started after the server was back and succeeded (one
that failed is a loss), messages lost and messages stored twice (recall and archival, checked
at the end: both must be 0), and the time from the server being back to the first turn done.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import HumanMessage

from bench._reliability.common import Outcome, timed, user_message_id, user_text
from bench._reliability.pg_server import PgServer

CONTEXT_WINDOW = 2400
USER = "u-fault"
#: How long the lock fault holds its lock (the issue's 5 s).
LOCK_SECONDS = 5.0


@dataclass
class FaultStats:
    """One fault kind's figures."""

    runs: int = 0
    turns_failed: int = 0
    failed_unclear: int = 0
    ok_after_back: int = 0
    failed_after_back: int = 0
    recover_s: list[float] = field(default_factory=list)
    #: the longest turn played during a fault (the lock: waited for, not failed)
    longest_turn_s: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        recover = sorted(self.recover_s)
        return {
            "runs": self.runs,
            "turns failed": self.turns_failed,
            "turns ok after back": self.ok_after_back,
            "turns failed after back": self.failed_after_back,
            "unclear errors": self.failed_unclear,
            "recover p50 s": round(statistics.median(recover), 2) if recover else 0.0,
            "recover max s": round(recover[-1], 2) if recover else 0.0,
            "longest turn in fault s": round(self.longest_turn_s, 2),
            "errors": dict(self.errors),
        }


class Client:
    """One agent on the store: plays numbered turns, finishes a failed one as an app would."""

    def __init__(self, url: str, *, aio: bool) -> None:
        from langgraph_memgpt import Memory, OfflineDriver, create_memgpt_agent
        from langgraph_memgpt.memory.testing import HashEmbeddings

        self.memory = Memory.open(url, embeddings=HashEmbeddings(32))
        self.aio = aio
        checkpointer: Any = "default"
        self.checkpoints = "postgres"
        if aio and not _saver_is_async(self.memory):
            from langgraph.checkpoint.memory import InMemorySaver

            checkpointer, self.checkpoints = InMemorySaver(), "in-memory (no async Postgres saver)"
        self.agent = create_memgpt_agent(
            OfflineDriver(),
            memory=self.memory,
            context_window=CONTEXT_WINDOW,
            checkpointer=checkpointer,
        )
        self.config: dict[str, Any] = {"configurable": {"thread_id": "t-fault", "user_id": USER}}
        self.turn = 0
        self.loop = asyncio.new_event_loop() if aio else None

    def _invoke(self, payload: Any) -> Any:
        if self.loop is not None:
            return self.loop.run_until_complete(self.agent.ainvoke(payload, self.config))
        return self.agent.invoke(payload, self.config)

    def play(self) -> BaseException | None:
        """The next turn; the error it failed with, or None."""
        self.turn += 1
        message = HumanMessage(user_text(self.turn, "f"), id=user_message_id(self.turn, "f"))
        try:
            self._invoke({"messages": [message]})
        except Exception as exc:
            return exc
        return None

    def finish(self, timeout: float = 60.0) -> None:
        """Finish the current turn after a failure: wait for the database, resume the turn,
        or send its message again (same id) if the thread never received it."""
        from langgraph_memgpt.cli.chat import has_unfinished_turn
        from langgraph_memgpt.memory.types import MemoryStoreError

        deadline = time.monotonic() + timeout
        message_id = user_message_id(self.turn, "f")
        while True:
            try:
                self.memory.ping()
                if has_unfinished_turn(self.agent, self.config):
                    self._invoke(None)
                if not self.thread_has(message_id):
                    text = user_text(self.turn, "f")
                    self._invoke({"messages": [HumanMessage(text, id=message_id)]})
                return
            except MemoryStoreError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def thread_has(self, message_id: str) -> bool:
        values = self.agent.get_state(self.config).values
        if values.get("turn_started_by") == message_id:
            return True
        return any(m.id == message_id for m in values.get("messages", []))

    def close(self) -> None:
        self.memory.close()
        if self.loop is not None:
            self.loop.close()


def _saver_is_async(memory: Any) -> bool:
    """Whether the memory's Postgres checkpointer serves ``ainvoke`` (an async API)."""
    from langgraph.checkpoint.base import BaseCheckpointSaver

    from langgraph_memgpt.checkpointing import postgres

    saver_class = postgres.PruningPostgresSaver
    return saver_class.aget_tuple is not BaseCheckpointSaver.aget_tuple


def _record_failure(stats: FaultStats, error: BaseException) -> None:
    from langgraph_memgpt.memory.types import MemoryStoreError

    stats.turns_failed += 1
    name = type(error).__name__
    stats.errors[name] = stats.errors.get(name, 0) + 1
    if not isinstance(error, MemoryStoreError):
        stats.failed_unclear += 1


def _after_back(client: Client, stats: FaultStats, back_at: float) -> None:
    """The first turn after the server is back: must succeed; time from back to done."""
    error = client.play()
    if error is None:
        stats.ok_after_back += 1
        stats.recover_s.append(time.monotonic() - back_at)
    else:
        stats.failed_after_back += 1
        _record_failure(stats, error)
        client.finish()


def _during(client: Client, stats: FaultStats, fault: Callable[[], None], delay: float) -> None:
    """Play one turn while ``fault`` runs after ``delay`` seconds in another thread; finish the
    turn if it failed, then play the next one (after the server is back)."""
    timer = threading.Timer(delay, fault)
    timer.start()
    error = _timed_play(client, stats)
    timer.join()
    if error is not None:
        _record_failure(stats, error)
        client.finish()
    stats.runs += 1
    _after_back(client, stats, time.monotonic())


def _timed_play(client: Client, stats: FaultStats) -> BaseException | None:
    started = time.monotonic()
    error = client.play()
    stats.longest_turn_s = max(stats.longest_turn_s, time.monotonic() - started)
    return error


def _admin(server: PgServer) -> Any:
    import psycopg

    return psycopg.connect(server.url, autocommit=True)


def _terminate_backends(server: PgServer) -> None:
    with _admin(server) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        )


def _hold_lock(server: PgServer, schema: str, seconds: float) -> None:
    with _admin(server) as conn, conn.transaction():
        conn.execute(f'LOCK TABLE "{schema}".recall IN ACCESS EXCLUSIVE MODE')
        time.sleep(seconds)


def _crash_and_start(server: PgServer) -> None:
    server.kill_postmaster()
    server.start()


def run_kind(
    kind: str, client: Client, server: PgServer, runs: int, rng: random.Random, schema: str
) -> FaultStats:
    """``runs`` faults of one kind on the client's store."""
    stats = FaultStats()
    turn_s = _turn_seconds(client)
    for _ in range(runs):
        if kind == "restart between turns":
            server.restart()
            stats.runs += 1
            _after_back(client, stats, time.monotonic())
        elif kind == "restart mid-turn":
            _during(client, stats, server.restart, rng.uniform(0, turn_s))
        elif kind == "SIGKILL postmaster":
            _during(client, stats, lambda: _crash_and_start(server), rng.uniform(0, turn_s))
        elif kind == "pg_terminate_backend":
            _during(client, stats, lambda: _terminate_backends(server), rng.uniform(0, turn_s))
        elif kind == "lock held 5 s":
            holder = threading.Thread(target=_hold_lock, args=(server, schema, LOCK_SECONDS))
            holder.start()
            time.sleep(0.2)  # the lock is taken before the turn starts
            error = _timed_play(client, stats)
            holder.join()
            stats.runs += 1
            if error is not None:
                _record_failure(stats, error)
                client.finish()
            _after_back(client, stats, time.monotonic())
        elif kind == "max_connections reached":
            _exhaust_connections(client, server, stats)
        else:
            raise ValueError(f"unknown fault {kind!r}")
    return stats


def _exhaust_connections(client: Client, server: PgServer, stats: FaultStats) -> None:
    """Restart (our pools lose their connections), let other clients take every slot, play a
    turn (it waits, then fails cleanly), free the slots, and go on."""
    import psycopg

    server.restart()
    hogs: list[Any] = []
    while True:
        try:
            hogs.append(psycopg.connect(server.url, autocommit=True, connect_timeout=5))
        except psycopg.OperationalError:
            break
    stats.runs += 1
    error = _timed_play(client, stats)
    for hog in hogs:
        hog.close()
    back_at = time.monotonic()
    if error is not None:
        _record_failure(stats, error)
        client.finish()
    _after_back(client, stats, back_at)


def _turn_seconds(client: Client) -> float:
    """How long a turn takes here (the window a mid-turn fault is aimed at)."""
    started = time.monotonic()
    error = client.play()
    if error is not None:
        client.finish()
    return max(0.05, time.monotonic() - started)


def check_store(client: Client, outcome: Outcome, label: str) -> dict[str, int]:
    """Every message played is in recall exactly once, and its archival record (the offline
    driver files each) too: losses and duplicates."""
    lost = dup = facts_lost = facts_dup = 0
    texts = [m.text for m in client.memory.recall.messages(thread_id="t-fault", user_id=USER)]
    records = [r.text for r in client.memory.archival.records(user_id=USER)]
    for turn in range(1, client.turn + 1):
        wanted = user_text(turn, "f")
        seen = texts.count(wanted)
        if seen == 0:
            lost += 1
            outcome.lose(f"{label}: turn {turn} missing from recall")
        elif seen > 1:
            dup += 1
            outcome.lose(f"{label}: turn {turn} stored {seen} times in recall")
        # the offline driver files every user message but a question in archival, once
        tag = re.compile(rf"\bf#{turn}\b", re.IGNORECASE)
        stored = sum(bool(tag.search(r)) for r in records)
        question = turn % 7 == 0 and turn % 5 != 0  # searched, not filed
        if stored == 0 and not question:
            facts_lost += 1
            outcome.lose(f"{label}: the archival record of turn {turn} is missing")
        elif stored > 1:
            facts_dup += 1
            outcome.lose(f"{label}: the archival record of turn {turn} stored {stored} times")
    return {
        "lost": lost,
        "duplicates": dup,
        "archival lost": facts_lost,
        "archival twice": facts_dup,
    }


KINDS = (
    "restart between turns",
    "restart mid-turn",
    "SIGKILL postmaster",
    "pg_terminate_backend",
    "lock held 5 s",
    "max_connections reached",
)


def run(server: PgServer, *, runs: dict[str, int], aio: bool, seed: int, schemas: Any) -> Outcome:
    """Every fault kind on a fresh store each, on the sync (``invoke``) or async path."""
    path = "async" if aio else "sync"
    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)  # the pools' reconnect notes
    outcome = Outcome(scenario="Postgres faults", backend=f"postgres ({path})", load="")
    rng = random.Random(seed)
    turns = 0
    with timed(outcome):
        for kind in KINDS:
            count = runs.get(kind, 0)
            if not count:
                continue
            url = schemas.new("fault")
            schema = url.rsplit("search_path%3D", 1)[1].split(",")[0]
            client = Client(url, aio=aio)
            try:
                stats = run_kind(kind, client, server, count, rng, schema)
                problems = check_store(client, outcome, kind)
                turns += client.turn
            finally:
                client.close()
            for _ in range(stats.failed_unclear + stats.failed_after_back):
                outcome.lose(f"{kind}: a turn failed after the server was back or unclearly")
            outcome.faults[kind] = stats.runs
            outcome.checks[kind] = {**stats.summary(), **problems}
            outcome.checks["checkpoints"] = client.checkpoints
    outcome.load = f"{turns} turns, one agent per fault kind, {path} path"
    return outcome
