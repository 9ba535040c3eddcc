"""Rebuilding the per-tenant lexical index of a SQLite store written before it existed.

Opening a store does it when the store says so (``REINDEX_KEY``); migration does it too before
copying the tables, so an old store reaches Postgres with its index, without opening the whole
``Memory`` (``io`` sits below the facade and may not import it).
"""

from __future__ import annotations

from pathlib import Path

from langgraph_memgpt.memory.backends.lexical import LexicalIndex, Tier
from langgraph_memgpt.memory.backends.sqlite_db import DB_FILE, REINDEX_KEY, Database
from langgraph_memgpt.memory.tiers.recall import thread_documents


def upgrade_sqlite_store(directory: Path) -> None:
    """Bring the store in ``directory`` to the current schema (opening the database migrates
    its tables) and rebuild its lexical index if the store asks for it."""
    db = Database(directory / DB_FILE)
    try:
        if db.get_meta(REINDEX_KEY):
            build_lexical_index(db)
    finally:
        db.close()


def build_lexical_index(db: Database) -> None:
    """Index every stored text once, for a store written before the per-tenant index.

    One transaction: a crash leaves the flag set and the next open starts over.
    """
    with db.transaction() as conn:
        conn.execute("DELETE FROM lex_blocks")
        conn.execute("DELETE FROM lex_df")
        conn.execute("DELETE FROM lex_docs")
        conn.execute("DELETE FROM lex_stats")
        conn.execute("DELETE FROM lex_tail")
        by_ns: dict[int, list[tuple[int, list[tuple[str, float]]]]] = {}
        for ns, rid, text in conn.execute("SELECT ns, id, text FROM archival ORDER BY ns, id"):
            by_ns.setdefault(int(ns), []).append((int(rid), [(text, 1.0)]))
        for ns, docs in by_ns.items():
            LexicalIndex.add_fields(conn, ns, Tier.ARCHIVAL, docs)
        threads: dict[tuple[int, str], list[tuple[int, str, str]]] = {}
        for ns, rid, thread, content, created_at in conn.execute(
            "SELECT ns, id, thread_id, content, created_at FROM recall ORDER BY ns, id"
        ).fetchall():
            threads.setdefault((int(ns), thread), []).append((int(rid), content, created_at))
        for (ns, _thread), rows in threads.items():
            LexicalIndex.add_fields(conn, ns, Tier.RECALL, thread_documents(rows, range(len(rows))))
        conn.execute("DELETE FROM meta WHERE key=?", (REINDEX_KEY,))
