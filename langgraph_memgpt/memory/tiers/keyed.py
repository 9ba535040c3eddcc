"""Archival records addressed by a caller's key: what a key-value API (LangGraph's ``BaseStore``,
``integrations/store.py``) needs on top of archival search.

A keyed record is an ordinary archival record (searched, cited, guarded and superseded like any
other) whose public id is derived from its key, so reading or replacing it by key is one indexed
lookup. A mixin of :class:`~langgraph_memgpt.memory.tiers.archival.ArchivalMemory`: it uses the
tier's own validation, embedding and backend, and adds no storage of its own.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from langgraph_memgpt.memory._validate import check_id, check_text
from langgraph_memgpt.memory.types import (
    DEFAULT_AGENT_ID,
    EXTERNAL,
    MemoryStoreError,
    SearchHit,
    check_trust,
)

if TYPE_CHECKING:
    from langgraph_memgpt.memory.tiers.archival import ArchivalMemory

#: Namespace of the record ids derived from keys.
_KEY_IDS = uuid.UUID("0b6f3a52-8c1e-4d7a-b5e2-93f14c7d2a61")
MAX_KEY_CHARS = 1024
#: Tries of a keyed write that races another writer of the same key.
WRITE_ATTEMPTS = 8


@dataclass(frozen=True)
class Keyed:
    """One record to store under a key (:meth:`KeyedArchival.put_keyed_many`)."""

    key: str
    text: str
    metadata: Mapping[str, Any] | None = None
    #: Another record this one replaces (e.g. one stored without a key, addressed by its id).
    replaces: str | None = None


class KeyedArchival:
    """get / put / delete archival records by key, and the users holding records."""

    def key_id(self, key: str, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> str:
        """The public id of the record stored under ``key`` (the same in every process)."""
        check_text(key, "key", MAX_KEY_CHARS)
        return str(uuid.uuid5(_KEY_IDS, f"{agent_id}\x1f{user_id}\x1f{key}"))

    def find(
        self, record_id: str, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID
    ) -> SearchHit | None:
        """The record with this id, superseded or not (its metadata says which), or None."""
        tier = _tier(self)
        ns = tier._read_ns(user_id, agent_id)
        row = None if ns is None else tier._backend.by_uid(ns, record_id)
        if ns is None or row is None:
            return None
        hit = tier._hit(row, 1.0, user_id, agent_id)
        tier._annotate(ns, [(int(row[0]), hit)])
        return hit

    def put_keyed(
        self,
        key: str,
        text: str,
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        metadata: Mapping[str, Any] | None = None,
        replaces: str | None = None,
        trust: str = EXTERNAL,
    ) -> str:
        """Store ``text`` under ``key``, replacing the record already there (and the record
        ``replaces``, e.g. one stored without a key that the caller addresses by its id).
        Returns the record id (:meth:`key_id`)."""
        entry = Keyed(key, text, metadata, replaces)
        return self.put_keyed_many([entry], user_id=user_id, agent_id=agent_id, trust=trust)[0]

    def put_keyed_many(
        self,
        entries: Sequence[Keyed],
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        trust: str = EXTERNAL,
    ) -> list[str]:
        """:meth:`put_keyed` for several distinct keys of one namespace: embedded in one
        batch and inserted in one transaction. The new records are embedded before the old
        ones are deleted, so a failing embedder leaves the old values in place."""
        tier = _tier(self)
        trust = check_trust(trust)
        rows = []
        for entry in entries:
            row = tier._row(entry.text, [], entry.metadata)
            row.uid = tier.key_id(entry.key, user_id=user_id, agent_id=agent_id)
            row.trust, row.guard = trust, tier._on_write(row.text, trust)
            rows.append(row)
        if len({row.uid for row in rows}) != len(rows):
            raise MemoryStoreError("put_keyed_many needs distinct keys.")
        array: np.ndarray | None = None
        if tier.embeddings is not None and rows:
            array = tier.embed_texts([row.text for row in rows])
        ns = tier._db.write_namespace(agent_id, user_id)
        with _writer_lock(tier):
            self._replace(tier, ns, entries, rows, array)
        return [row.uid for row in rows]

    @staticmethod
    def _replace(
        tier: ArchivalMemory,
        ns: int,
        entries: Sequence[Keyed],
        rows: list[Any],
        array: np.ndarray | None,
    ) -> None:
        """Delete what the rows replace, then insert them; a writer in another process may
        store one of the keys in between (the id is unique, so the insert fails): the later
        write wins, so replace theirs and try again, after a short random pause."""
        for attempt in range(WRITE_ATTEMPTS):
            for entry, row in zip(entries, rows, strict=True):
                for old_id in dict.fromkeys([row.uid, entry.replaces]):
                    old = None if old_id is None else tier._backend.by_uid(ns, old_id)
                    if old is not None:
                        reason = f"replaced (key {entry.key})"
                        tier._backend.delete(ns, int(old[0]), uid=old_id, reason=reason)
            try:
                if rows:
                    tier._backend.insert(ns, rows, array)
                return
            except Exception as exc:  # SQLite and Postgres both say "unique"
                if "unique" not in str(exc).lower() or attempt == WRITE_ATTEMPTS - 1:
                    raise
                time.sleep(random.uniform(0.0, 0.01 * (attempt + 1)))

    def set_extra(
        self,
        record_id: str,
        changes: Mapping[str, Any],
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
    ) -> None:
        """Merge ``changes`` into a record's stored metadata (e.g. a new expiry time); the
        text, its index and its citation are unchanged."""
        tier = _tier(self)
        ns, row = tier._require(record_id, user_id, agent_id)
        extra = json.loads(row[8])
        extra.update(changes)
        with tier._db.transaction() as conn:
            conn.execute(
                "UPDATE archival SET extra=? WHERE ns=? AND id=?",
                (json.dumps(extra, ensure_ascii=False), ns, int(row[0])),
            )

    def users(
        self,
        *,
        agent_id: str = DEFAULT_AGENT_ID,
        prefix: str | None = None,
        separator: str = ".",
    ) -> list[str]:
        """The user ids of ``agent_id`` that hold at least one archival record, sorted; with
        ``prefix``, only that user and those whose id continues it after a ``separator``."""
        tier = _tier(self)
        check_id(agent_id, "agent_id")
        tier._db.check_open()
        sql = (
            "SELECT n.user_id FROM namespaces n WHERE n.agent_id=? AND EXISTS "
            "(SELECT 1 FROM archival a WHERE a.ns=n.id)"
        )
        params: tuple[Any, ...] = (agent_id,)
        if prefix is not None:
            head = prefix + separator
            sql += " AND (n.user_id=? OR substr(n.user_id, 1, ?)=?)"
            params = (agent_id, prefix, len(head), head)
        with tier._db.read() as conn:
            rows = conn.execute(sql + " ORDER BY n.user_id", params).fetchall()
        return [str(row[0]) for row in rows]


_LOCKS_GUARD = threading.Lock()


def _writer_lock(tier: ArchivalMemory) -> threading.Lock:
    """One keyed writer at a time per tier (every store over one ``Memory`` shares it)."""
    with _LOCKS_GUARD:
        lock = tier.__dict__.get("_keyed_lock")
        if lock is None:
            lock = tier.__dict__["_keyed_lock"] = threading.Lock()
        return lock


def _tier(mixin: KeyedArchival) -> ArchivalMemory:
    """The archival tier this mixin is part of (typed for the checker)."""
    return cast("ArchivalMemory", mixin)
