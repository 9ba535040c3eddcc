"""Writers on Postgres at the same moments, from separate connections.

Each recall write re-indexes the tenant's lexical rows (tail, postings, statistics); two
transactions doing so at once locked the same rows in different orders and Postgres aborted
one of them with "deadlock detected" (found by the concurrency campaign of
``bench/reliability.py``). Writers of one tenant now take its lock first, as SQLite's single
writer does for the whole file, so every write succeeds.

Agents starting together on a fresh database each run LangGraph's checkpoint migrations;
``PostgresSaver.setup`` takes no lock, so all but one failed on duplicate version rows (seen
in CI, again in the concurrency campaign). Our setup runs them one process at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from langchain_core.messages import AIMessage, HumanMessage

from langgraph_memgpt import Memory


def test_concurrent_writers_of_one_tenant_never_deadlock(pg_store: Callable[[str], str]) -> None:
    url = pg_store("deadlock")
    writers = 6
    memories = [Memory.open(url, embeddings=None) for _ in range(writers)]
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(which: int) -> None:
        start.wait()
        try:
            for i in range(25):
                messages = [
                    HumanMessage(f"writer {which} says {i}: the boat, the key and the garden"),
                    AIMessage(f"noted {which}/{i}: boat key garden tea harbour"),
                ]
                memories[which].recall.append_messages(
                    messages, user_id="u1", thread_id=f"t{which % 3}"
                )
                memories[which].archival.insert(f"passage {which}/{i} boat key", user_id="u1")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    assert memories[0].recall.count(user_id="u1") == writers * 25 * 2
    assert memories[0].archival.count(user_id="u1") == writers * 25
    for memory in memories:
        memory.close()


def test_agents_opening_a_fresh_database_together_all_get_a_checkpointer(
    pg_store: Callable[[str], str],
) -> None:
    import psycopg

    from langgraph_memgpt.checkpointing.postgres import postgres_checkpointer

    url = pg_store("setup-race")
    openers = 5
    start = threading.Barrier(openers)
    savers: list[object] = []
    errors: list[BaseException] = []

    def open_saver() -> None:
        start.wait()
        try:
            savers.append(postgres_checkpointer(url))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_saver) for _ in range(openers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[:3]
    assert len(savers) == openers
    with psycopg.connect(url) as conn:
        versions = [
            row[0] for row in conn.execute("SELECT v FROM checkpoint_migrations ORDER BY v")
        ]
    assert versions == list(range(len(versions))) and versions, "each migration recorded once"
    for saver in savers:
        saver.conn.close()  # type: ignore[attr-defined]


def test_a_tenant_lock_does_not_hold_the_same_tenant_number_of_another_schema(
    pg_store: Callable[[str], str],
) -> None:
    """Advisory locks belong to the database: stores in two schemas both number their first
    tenant 1, and a writer of one used to wait for the other's transaction."""
    with (
        Memory.open(pg_store("one"), embeddings=None) as one,
        Memory.open(pg_store("two"), embeddings=None) as two,
    ):
        one.archival.insert("first", user_id="u")
        two.archival.insert("first", user_id="u")
        ns_one = one._db.namespace("default", "u", create=False)
        assert ns_one == two._db.namespace("default", "u", create=False)
        done = threading.Event()
        with one._db.transaction() as conn:
            conn.lock_tenant(ns_one)  # held until this block ends
            writer = threading.Thread(
                target=lambda: (two.archival.insert("second", user_id="u"), done.set())
            )
            writer.start()
            finished = done.wait(timeout=10)
        writer.join()
        assert finished, "the other schema's writer waited for this schema's tenant lock"


def test_a_stuck_setup_of_one_store_does_not_hold_the_others(
    pg_store: Callable[[str], str], postgres_url: str
) -> None:
    """Store setup used to take one lock for the whole database: an upgrade stuck in one
    schema made every other store's open wait out its statement timeout. The lock is now the
    store's, and a wait on it that times out says what it waited for."""
    import psycopg

    from langgraph_memgpt.memory.backends.postgres_schema import ADVISORY_LOCK
    from langgraph_memgpt.memory.types import MemoryStoreError

    busy, free = pg_store("busy"), pg_store("free")
    schema = busy.split("search_path%3D")[1].split(",")[0]
    with psycopg.connect(postgres_url) as holder:  # a setup of ``busy`` that does not end
        holder.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, %s))", (schema, ADVISORY_LOCK)
        )
        with Memory.open(free, embeddings=None) as memory:
            memory.archival.insert("opened while another store was being set up", user_id="u")
        impatient = busy.replace("options=", "options=-cstatement_timeout%3D500%20", 1)
        try:
            Memory.open(impatient, embeddings=None).close()
        except MemoryStoreError as exc:
            assert "another process" in str(exc) and schema in str(exc)
        else:
            raise AssertionError("the store being set up elsewhere opened without waiting")
