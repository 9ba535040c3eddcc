"""When the Postgres server has a bad moment: a restart, a lost connection, a slow statement.

These tests restart the server and terminate its backends, so they run on a server of their
own (``bench/_reliability/pg_server.py``, started in a temp directory for this module), never
on the shared test server. Each runs on the sync (``invoke``) and the async (``ainvoke``) path.
What they hold: a turn that starts after a restart succeeds; a turn that loses its connection
mid-way succeeds by a retry or fails with ``MemoryStoreUnavailable`` and then resumes, with
nothing lost or stored twice; a statement stuck behind a lock fails after the statement
timeout with a message that says so; ``Memory.ping`` and ``memory stats`` say when the
database is away.
"""

from __future__ import annotations

import os
import random
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bench._reliability import pg_faults
from bench._reliability.common import Outcome
from bench._reliability.pg_server import PgServer, available
from langgraph_memgpt import Memory, MemoryStoreError, MemoryStoreUnavailable
from langgraph_memgpt.memory.backends import postgres_db
from langgraph_memgpt.memory.testing import HashEmbeddings, Schemas
from tests.cli_run import run_cli

PATHS = ("sync", "async")


@pytest.fixture(scope="module")
def server() -> Iterator[PgServer]:
    why = available()
    if why is not None:
        if os.environ.get("MEMGPT_REQUIRE_POSTGRES") == "1":
            pytest.fail(why)
        pytest.skip(why)
    root = Path(tempfile.mkdtemp(prefix="memgpt-pgfault-", dir="/tmp"))
    own = PgServer(root, random.randint(55000, 59999), max_connections=30)
    try:
        own.start()
        yield own
    finally:
        own.remove()


@pytest.fixture
def schemas(server: PgServer) -> Iterator[Schemas]:
    server.start()  # a test that stopped it leaves it stopped
    made = Schemas(server.url, prefix="fault")
    yield made
    server.start()
    made.drop_all()


@pytest.fixture
def client(schemas: Schemas, request: pytest.FixtureRequest) -> Iterator[pg_faults.Client]:
    made = pg_faults.Client(schemas.new("c"), aio=request.param == "async")
    yield made
    made.close()


def assert_nothing_lost_or_twice(client: pg_faults.Client) -> None:
    outcome = Outcome(scenario="test", backend="postgres", load="")
    counts = pg_faults.check_store(client, outcome, "test")
    assert outcome.losses == 0, (counts, outcome.problems)


def started_at(server: PgServer) -> Any:
    with psycopg.connect(server.url, autocommit=True) as conn:
        return conn.execute("SELECT pg_postmaster_start_time()").fetchone()[0]


@pytest.mark.parametrize("client", PATHS, indirect=True)
def test_the_turn_after_a_restart_succeeds(server: PgServer, client: pg_faults.Client) -> None:
    for _ in range(2):
        assert client.play() is None
    before = started_at(server)
    server.restart()  # every pooled connection (tiers, checkpoints) is now dead
    assert started_at(server) > before
    for _ in range(3):
        assert client.play() is None  # the pools' check replaced them: no error
    assert_nothing_lost_or_twice(client)


def _terminate_own_backend_once(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The first tier write transaction loses its connection in the middle (its backend is
    terminated by the server, as ``pg_terminate_backend`` from an admin would)."""
    done: list[int] = []
    real = postgres_db.PgConnection.lock_tenant

    def lock_then_die(self: postgres_db.PgConnection, ns: int) -> None:
        real(self, ns)
        if not done:
            done.append(ns)
            self.raw.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    monkeypatch.setattr(postgres_db.PgConnection, "lock_tenant", lock_then_die)
    return done


@pytest.mark.parametrize("client", PATHS, indirect=True)
def test_a_connection_terminated_mid_turn_is_retried_or_fails_cleanly_and_resumes(
    client: pg_faults.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert client.play() is None
    killed = _terminate_own_backend_once(monkeypatch)
    error = client.play()
    assert killed, "the fault was not injected"
    if error is not None:  # a clean failure, then the turn is finished as an app would
        assert isinstance(error, MemoryStoreUnavailable), repr(error)
        assert "unreachable" in str(error) and "nothing is stored twice" in str(error)
        client.finish()
    assert client.play() is None
    assert_nothing_lost_or_twice(client)


@pytest.mark.parametrize("client", PATHS, indirect=True)
def test_every_backend_terminated_mid_turn_loses_nothing(
    server: PgServer, client: pg_faults.Client
) -> None:
    """An admin terminates all our backends (tiers' and checkpointer's) while turns run."""
    for turn in range(6):
        timer = threading.Timer(0.03 * turn, pg_faults._terminate_backends, args=(server,))
        timer.start()
        error = client.play()
        timer.join()
        if error is not None:
            assert isinstance(error, MemoryStoreError), repr(error)
            client.finish()
    assert client.play() is None
    assert_nothing_lost_or_twice(client)


def _hold_lock(url: str, table: str, seconds: float, taken: threading.Event) -> None:
    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        conn.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        taken.set()
        time.sleep(seconds)


@pytest.mark.parametrize("path", PATHS)
def test_a_statement_stuck_behind_a_lock_fails_after_the_statement_timeout(
    schemas: Schemas, path: str
) -> None:
    from langgraph_memgpt.model_errors import classify_model_error

    classify_model_error(ValueError())  # its first call imports openai: seconds on a busy box
    url = schemas.new("slow") + "%20-cstatement_timeout%3D400"  # the URL's own timeout
    client = pg_faults.Client(url, aio=path == "async")
    try:
        assert client.play() is None
        taken = threading.Event()
        holder = threading.Thread(target=_hold_lock, args=(url, "recall", 8.0, taken))
        holder.start()
        taken.wait(10)
        started = time.monotonic()
        error = client.play()
        waited = time.monotonic() - started
        assert isinstance(error, MemoryStoreUnavailable), (repr(error), waited)
        assert "did not answer in time" in str(error) and "statement timeout" in str(error)
        assert waited < 7  # before the lock is released: the timeout ended it (twice: a retry)
        holder.join()
        client.finish()  # the lock is gone: the turn completes
        assert client.play() is None
        assert_nothing_lost_or_twice(client)
    finally:
        client.close()


def test_ping_and_memory_stats_say_when_the_database_is_away(
    server: PgServer, schemas: Schemas, tmp_path: Path
) -> None:
    url = schemas.new("ping")
    memory = Memory.open(url, embeddings=HashEmbeddings(16))
    try:
        memory.archival.insert("The ferry leaves at 9", user_id="u1")
        assert memory.ping() < 5
        server.stop()
        started = time.monotonic()
        with pytest.raises(MemoryStoreUnavailable, match="was unreachable"):
            memory.ping(timeout=1.0)
        assert time.monotonic() - started < 5
        with pytest.raises(MemoryStoreUnavailable, match="nothing of this operation was stored"):
            memory.archival.insert("The bus leaves at 10", user_id="u1")
        done = run_cli(["memory", "stats", "--data-dir", url, "--user", "u1"], tmp_path)
        assert done.returncode != 0
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "cannot open the Postgres memory store" in lines[0], done.stderr
        server.start()
        assert memory.ping() < 5  # the pool reconnected by itself
        assert memory.archival.count(user_id="u1") == 1
        done = run_cli(["memory", "stats", "--data-dir", url, "--user", "u1"], tmp_path)
        assert done.returncode == 0 and "archival: 1" in done.stdout, done.stderr
    finally:
        memory.close()
