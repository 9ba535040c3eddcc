"""Schema 4 on Postgres: vectors stored as ``halfvec`` (recall, archival, the embedding cache),
written by ``COPY`` and by statements alike, and a schema 3 store (``vector`` columns, HNSW
indexes over them, float32 cache blobs) upgraded by the first writable open."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from langchain_core.messages import AIMessage, HumanMessage

from langgraph_memgpt.memory import Memory
from langgraph_memgpt.memory.backends import halfvec, pgvector_store
from langgraph_memgpt.memory.backends.halfvec import as_vector, halfvec_binary
from langgraph_memgpt.memory.testing import HashEmbeddings, sql_row
from langgraph_memgpt.memory.types import MemoryStoreError

DIM = 16


def _types(mem: Memory) -> dict[str, str]:
    with mem._db.read() as conn:
        rows = conn.execute(
            "SELECT table_name, udt_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_name = 'vector'"
        ).fetchall()
    return {str(t): str(u) for t, u in rows}


def _hnsw_defs(mem: Memory) -> dict[str, str]:
    with mem._db.read() as conn:
        rows = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND indexname LIKE '%\\_hnsw\\_%'"
        ).fetchall()
    return {str(n): str(d) for n, d in rows}


def test_halfvec_binary_is_pgvectors_own_form() -> None:
    from pgvector import HalfVector

    values = np.asarray([0.5, -0.25, 1.0, 0.1], dtype=np.float32)
    assert halfvec_binary(values) == HalfVector(values.tolist()).to_binary()
    assert as_vector(HalfVector(values.tolist())).dtype == np.float32


def test_vectors_are_halfvec_by_copy_and_by_statement(pg_store: Callable[[str], str]) -> None:
    rng = np.random.default_rng(5)
    vectors = rng.standard_normal((100, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    with Memory.open(pg_store("half"), embeddings=HashEmbeddings(dim=DIM)) as mem:
        ids = mem.archival.insert_many(  # 100 rows: one binary COPY
            [f"record {i}" for i in range(100)], user_id="u", vectors=vectors
        )
        one = mem.archival.insert("a record of its own", user_id="u")  # an INSERT
        mem.recall.append_messages(
            [HumanMessage("hello roses", id="m1")], user_id="u", thread_id="t"
        )
        mem.recall.embed_waiting(user_id="u")
        assert _types(mem) == {
            "archival": "halfvec",
            "recall": "halfvec",
            "embedding_cache": "halfvec",
        }
        (stored,) = sql_row(mem, "SELECT vector FROM archival WHERE uid=?", (ids[3],))
        np.testing.assert_allclose(as_vector(stored), vectors[3], atol=5e-4)
        assert sql_row(mem, "SELECT vector IS NOT NULL FROM archival WHERE uid=?", (one,))[0]
        (message,) = sql_row(mem, "SELECT vector FROM recall WHERE message_id='m1'")
        assert abs(float(np.linalg.norm(as_vector(message))) - 1.0) < 1e-2
        hits = mem.archival.search("x", user_id="u", mode="dense", query_vector=vectors[3], k=3)
        assert hits[0].text == "record 3" and hits[0].score == pytest.approx(1.0, abs=1e-3)


def _back_to_schema_3(mem: Memory) -> int:
    """What schema 3 stored: ``vector`` columns, HNSW indexes over ``vector(dim)``, float32
    blobs in the embedding cache. Returns the cache's rows."""
    with mem._db.transaction() as conn:
        names = list(_hnsw_defs(mem))
        for name in names:
            conn.execute(f"DROP INDEX {name}")
        for table in ("recall", "archival"):
            conn.execute(
                f"ALTER TABLE {table} ALTER COLUMN vector TYPE vector USING vector::vector"
            )
        for name in names:
            table, _, ns = name.rsplit("_", 2)
            conn.execute(
                f"CREATE INDEX {name} ON {table} USING hnsw ((vector::vector({DIM})) "
                f"vector_cosine_ops) WHERE ns = {int(ns)}"
            )
        rows = conn.execute("SELECT key, vector, used FROM embedding_cache").fetchall()
        conn.execute("DROP TABLE embedding_cache")
        conn.execute(
            "CREATE TABLE embedding_cache (key BYTEA PRIMARY KEY, vector BYTEA NOT NULL, "
            "used BIGINT NOT NULL)"
        )
        conn.execute("CREATE INDEX embedding_cache_used ON embedding_cache (used)")
        conn.executemany(
            "INSERT INTO embedding_cache VALUES (?,?,?)",
            [(k, as_vector(v).tobytes(), u) for k, v, u in rows],
        )
        conn.execute("UPDATE meta SET value='3' WHERE key='schema_version'")
    return len(rows)


class _Counting(HashEmbeddings):
    def __init__(self) -> None:
        super().__init__(dim=DIM)
        self.calls = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += len(texts)
        return super().embed_documents(texts)


def test_a_schema_3_store_is_upgraded_to_halfvec_with_its_hnsw_index_rebuilt(
    pg_store: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pgvector_store, "HNSW_MIN_ROWS", 150)
    monkeypatch.setattr(pgvector_store, "QUIET_S", 3600)
    monkeypatch.setattr(halfvec, "CACHE_BATCH", 64)  # the cache is rewritten in batches
    url = pg_store("upgrade")
    texts = [f"note {i} about {('roses', 'tulips', 'ferns')[i % 3]} number {i}" for i in range(200)]
    embedder = _Counting()
    with Memory.open(url, embeddings=embedder) as mem:
        mem.archival.insert_many(texts, user_id="big")
        mem.recall.append_messages(
            [HumanMessage("water the roses", id="h1"), AIMessage("done", id="a1")],
            user_id="big",
            thread_id="t",
        )
        mem.recall.embed_waiting(user_id="big")
        mem.flush()  # builds the big tenant's HNSW index
        assert list(_hnsw_defs(mem)) and all("halfvec" in d for d in _hnsw_defs(mem).values())
        query = np.asarray(embedder.embed_query(texts[4]), dtype=np.float32)
        before = [
            h.text
            for h in mem.archival.search("x", user_id="big", mode="dense", query_vector=query, k=5)
        ]
        cached = _back_to_schema_3(mem)
        assert cached >= 200 and _types(mem)["archival"] == "vector"
    with pytest.raises(MemoryStoreError, match="open it once with a writing command"):
        Memory.open(url, embeddings=embedder, create=False)
    with Memory.open(url, embeddings=embedder) as mem:  # the writable open upgrades
        assert _types(mem) == {
            "archival": "halfvec",
            "recall": "halfvec",
            "embedding_cache": "halfvec",
        }
        defs = _hnsw_defs(mem)
        assert len(defs) == 1
        ((name, definition),) = defs.items()
        assert "halfvec_cosine_ops" in definition and f"halfvec({DIM})" in definition
        (valid,) = sql_row(
            mem, "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(?)", (name,)
        )
        assert valid
        (rows,) = sql_row(mem, "SELECT count(*) FROM embedding_cache")
        assert rows == cached  # the cache's vectors were kept, not dropped
        calls = embedder.calls
        again = mem.archival.embed_texts(texts[:20])  # cached: the model is not run
        assert embedder.calls == calls
        want = np.asarray(embedder.embed_documents(texts[:20]), dtype=np.float32)
        np.testing.assert_allclose(again, want, atol=5e-4)
        after = [
            h.text
            for h in mem.archival.search("x", user_id="big", mode="dense", query_vector=query, k=5)
        ]
        assert after[0] == before[0] == texts[4]
        assert set(after) == set(before)
        (version,) = sql_row(mem, "SELECT value FROM meta WHERE key='schema_version'")
        assert version == "4"
    with Memory.open(url, embeddings=embedder, create=False) as mem:  # now readable
        assert mem.archival.search("roses", user_id="big", k=3)


def test_an_upgrade_without_an_embedding_cache_table(pg_store: Callable[[str], str]) -> None:
    """A store that never embedded (no cache table) upgrades its columns alone."""
    url = pg_store("bare")
    with Memory.open(url, embeddings=None) as mem:
        mem.archival.insert("lexical only", user_id="u")
        with mem._db.transaction() as conn:
            conn.execute("DROP TABLE IF EXISTS embedding_cache")
            for table in ("recall", "archival"):
                conn.execute(
                    f"ALTER TABLE {table} ALTER COLUMN vector TYPE vector USING vector::vector"
                )
            conn.execute("UPDATE meta SET value='3' WHERE key='schema_version'")
    with Memory.open(url, embeddings=None) as mem:
        assert _types(mem) == {"archival": "halfvec", "recall": "halfvec"}
        assert [h.text for h in mem.archival.search("lexical", user_id="u")] == ["lexical only"]
