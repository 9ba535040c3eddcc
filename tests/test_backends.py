"""Choosing a backend, and what each must do the same: open, refuse, share, leave no files."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from langgraph_memgpt import Memory, MemoryStoreError, create_memgpt_agent
from langgraph_memgpt.memory.testing import sql_row


def test_a_url_of_another_database_is_refused_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MemoryStoreError, match="mysql:// stores are not supported"):
        Memory.open("mysql://localhost/db", embeddings=None)
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_postgres_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("psycopg")
    monkeypatch.chdir(tmp_path)
    url = f"postgresql://nobody:secret@/memgpt?host={tmp_path}/no-socket-here"
    with pytest.raises(MemoryStoreError) as caught:
        Memory.open(url, embeddings=None)
    message = str(caught.value)
    assert message.startswith("cannot open the Postgres memory store at postgresql://nobody:***@")
    assert "secret" not in message
    assert list(tmp_path.iterdir()) == []  # no directory named "postgresql:"


def test_no_path_uses_the_database_url_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MEMGPT_DATABASE_URL", raising=False)
    with pytest.raises(MemoryStoreError, match="MEMGPT_DATABASE_URL"):
        Memory.open(embeddings=None)
    monkeypatch.setenv("MEMGPT_DATABASE_URL", str(tmp_path / "from-env"))
    with Memory.open(embeddings=None) as mem:
        assert mem.path == tmp_path / "from-env"


def test_postgres_url_from_the_environment(
    new_store: Callable[[str], Any], backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    location = new_store("env")
    monkeypatch.setenv("MEMGPT_DATABASE_URL", str(location))
    with Memory.open(embeddings=None) as mem:
        assert mem.backend == backend
        mem.archival.insert("Alice keeps bees", user_id="alice")
    with Memory.open(location, embeddings=None) as mem:
        assert mem.archival.search("bees", user_id="alice")[0].text == "Alice keeps bees"


def test_a_newer_schema_refuses_to_open(store: Any, backend: str) -> None:
    with Memory.open(store, embeddings=None) as mem, mem._db.transaction() as conn:
        conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    with pytest.raises(MemoryStoreError, match="newer langgraph-memgpt"):
        Memory.open(store, embeddings=None)


def test_core_appends_from_two_writers_both_survive(new_store: Callable[[str], Any]) -> None:
    """Two stores open on one location (two processes, in effect) append to the same block at
    once: each append reads and writes under a lock, so none is lost."""
    location = new_store("shared")
    first = Memory.open(location, embeddings=None)
    second = Memory.open(location, embeddings=None)
    first.core.get(user_id="u")  # seed the blocks before the race
    errors: list[BaseException] = []

    def writer(mem: Memory, name: str) -> None:
        try:
            for i in range(15):
                mem.core.append("human", f"{name}{i}", user_id="u")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=writer, args=(first, "a")),
        threading.Thread(target=writer, args=(second, "b")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    lines = first.core.get_block("human", user_id="u").value.splitlines()
    assert {f"a{i}" for i in range(15)} | {f"b{i}" for i in range(15)} <= set(lines)
    first.close()
    second.close()


def test_an_agent_writes_nothing_outside_its_store(
    new_store: Callable[[str], Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory and checkpoints live in the store (a directory elsewhere, or the database): the
    working directory stays empty, so a Postgres-backed agent writes no local file."""
    from conftest import ScriptedChatModel

    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    with Memory.open(new_store("agent"), embeddings=None) as mem:
        agent = create_memgpt_agent(
            ScriptedChatModel(fallback=AIMessage(content="noted")), memory=mem
        )
        config = {"configurable": {"thread_id": "t1", "user_id": "u1"}}
        agent.invoke({"messages": [("user", "I live in Lisbon")]}, config)
        state = agent.get_state(config)
        assert state.values["messages"][-1].content == "noted"
        assert mem.recall.count(user_id="u1") == 2
        if mem.path is not None:
            assert (mem.path / "checkpoints.sqlite").exists()
        else:  # LangGraph's PostgresSaver tables, in the memory's database
            (checkpoints,) = sql_row(mem, "SELECT count(*) FROM checkpoints")
            assert checkpoints >= 1
    assert list(work.iterdir()) == []


def test_a_big_postgres_tenant_gets_its_own_hnsw_index(
    pg_store: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the threshold a tenant is searched through its own partial HNSW index: still k
    rows, the true nearest first, k rows under a tag filter; small tenants stay exact."""
    import numpy as np

    from langgraph_memgpt.memory.backends import pgvector_store

    monkeypatch.setattr(pgvector_store, "HNSW_MIN_ROWS", 200)
    monkeypatch.setattr(pgvector_store, "QUIET_S", 3600)  # built on flush, not by a timer
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((400, 16)).astype(np.float32)
    texts = [f"record {i}" for i in range(400)]
    with Memory.open(pg_store("hnsw"), embeddings=None) as mem:
        mem.archival.insert_many(texts[0::2], user_id="big", tags=["even"], vectors=vectors[0::2])
        mem.archival.insert_many(texts[1::2], user_id="big", tags=["odd"], vectors=vectors[1::2])
        mem.archival.insert_many(texts[:30], user_id="small", vectors=vectors[:30])
        query = vectors[7] + 0.05 * rng.standard_normal(16).astype(np.float32)
        # A search never starts a build: it scans exactly until the index exists.
        first = mem.archival.search("x", user_id="big", mode="dense", query_vector=query, k=1)
        assert first[0].text == "record 7"
        assert not mem._backend.vectors._building
        mem.flush()  # the writes are done: the build they made due runs now, waited for
        (indexes,) = sql_row(
            mem,
            "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() "
            "AND indexname LIKE 'archival_hnsw_%'",
        )
        assert indexes == 1  # the big tenant's only
        seen: list[str] = []
        from langgraph_memgpt.memory.backends.postgres_db import PgConnection

        real = PgConnection.execute

        def spy(self: PgConnection, sql: str, params: Any = ()) -> Any:
            if "ORDER BY" in sql and "<=>" in sql:
                plan = real(self, "EXPLAIN " + sql, params).fetchall()
                seen.append(" ".join(str(r[0]) for r in plan))
            return real(self, sql, params)

        monkeypatch.setattr(PgConnection, "execute", spy)
        hits = mem.archival.search("x", user_id="big", mode="dense", query_vector=query, k=10)
        assert len(hits) == 10 and hits[0].text == "record 7"
        unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        exact = np.argsort(-(unit @ (query / np.linalg.norm(query))))[:10]
        assert len({f"record {i}" for i in exact} & {h.text for h in hits}) >= 8
        even = mem.archival.search(
            "x", user_id="big", mode="dense", query_vector=query, k=10, tags=["even"]
        )
        assert len(even) == 10 and all(int(h.text.split()[1]) % 2 == 0 for h in even)
        small = mem.archival.search("x", user_id="small", mode="dense", query_vector=query, k=10)
        assert len(small) == 10 and small[0].text == "record 7"
        # The big tenant's searches went through its index; the small one's scanned exactly.
        assert "archival_hnsw_" in seen[0] and "archival_hnsw_" in seen[1]
        assert "archival_hnsw_" not in seen[-1]


def test_the_server_graph_keeps_memory_in_the_database_url(
    pg_store: Callable[[str], str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``langgraph.json``'s graph with MEMGPT_DATABASE_URL set: memory goes to Postgres, and
    MEMGPT_DATA_DIR is not touched."""
    from langgraph_memgpt.graph import make_default_graph

    url = pg_store("server")
    monkeypatch.setenv("MEMGPT_DATABASE_URL", url)
    monkeypatch.setenv("MEMGPT_DATA_DIR", str(tmp_path / "unused"))
    monkeypatch.setenv("MEMGPT_EMBEDDINGS", "none")
    for key in ("OPENAI_API_KEY", "MEMGPT_MODEL", "OPENAI_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    graph = make_default_graph()
    graph.invoke(
        {"messages": [("user", "Remember that the Q3 launch moved to May 14.")]},
        {"configurable": {"thread_id": "s1", "user_id": "alice"}},
    )
    assert not (tmp_path / "unused").exists()
    with Memory.open(url, embeddings=None) as mem:
        assert mem.recall.count(user_id="alice") >= 2
        assert mem.archival.search("Q3 launch", user_id="alice")[0].text.count("May 14")


def test_one_store_shared_by_threads_loses_nothing(memory: Memory) -> None:
    """Threads of one process (LangGraph runs nodes in a pool) write every tier at once."""
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(15):
                memory.recall.append(
                    "user", f"worker {n} message {i} about kites", user_id="u", thread_id=f"t{n}"
                )
                memory.archival.insert(f"worker {n} fact {i} about kites", user_id="u")
            memory.core.append("human", f"worker {n} was here", user_id="u")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert memory.recall.count(user_id="u") == 60 and memory.archival.count(user_id="u") == 60
    human = memory.core.get_block("human", user_id="u").value
    assert all(f"worker {n} was here" in human for n in range(4))
    assert len(memory.archival.search("kites", user_id="u", k=50, mode="lexical")) == 50
    assert {h.metadata["thread_id"] for h in memory.recall.search("kites", user_id="u", k=40)} == {
        "t0",
        "t1",
        "t2",
        "t3",
    }


def test_unstorable_text_gets_one_answer_on_every_backend(memory: Memory) -> None:
    """Postgres text cannot hold NUL: every backend refuses it in what a caller writes (with a
    message the model can act on) and keeps a message that carries one, marked."""
    with pytest.raises(MemoryStoreError, match="NUL character"):
        memory.archival.insert("a\x00b", user_id="u")
    with pytest.raises(MemoryStoreError, match="NUL character"):
        memory.core.append("human", "x\x00", user_id="u")
    with pytest.raises(MemoryStoreError, match="NUL character"):
        memory.recall.append("user", "hi", user_id="u", thread_id="t\x00")
    with pytest.raises(MemoryStoreError, match="not valid Unicode"):
        memory.archival.insert("half a pair \ud83d", user_id="u")
    with pytest.raises(MemoryStoreError, match="NUL character"):
        memory.archival.insert("ok", user_id="u", tags=["t\x00"])
    memory.recall.append("tool", "binary\x00output \ud83d", user_id="u", thread_id="t")
    (hit,) = memory.recall.messages(user_id="u", thread_id="t")
    assert hit.text == "binary\ufffdoutput \ufffd"
    assert memory.archival.count(user_id="u") == 0
