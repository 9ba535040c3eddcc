"""The validity of archival records: supersede, restore, history and the consolidation
watermark (storage in ``backends.validity``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langgraph_memgpt.memory.backends.validity import Validity
from langgraph_memgpt.memory.tiers.archival_base import ArchivalBase
from langgraph_memgpt.memory.types import (
    DEFAULT_AGENT_ID,
    MemoryStoreError,
    SearchHit,
)


class ArchivalValidity(ArchivalBase):
    """Mark records superseded or current again, and read what happened to them."""

    def supersede(
        self,
        record_id: str,
        *,
        by: str | None,
        reason: str,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        actor: str | None = None,
    ) -> None:
        """Mark ``record_id`` superseded by the newer record ``by`` (None: by nothing, e.g.
        a fact that stopped being true): kept, hidden from default search, logged.

        ``by`` must be a current record of the same user: superseding by a record that is
        itself superseded would hide the fact behind a stale one (and could form a cycle).
        Superseding again by the same record is a no-op.
        """
        ns, row = self._require(record_id, user_id, agent_id)
        reason = self._reason(reason, "reason")
        rid = int(row[0])
        with self._db.transaction() as conn:
            state = Validity.state(conn, ns, rid)
            if by is not None:
                if by == record_id:
                    raise MemoryStoreError("a record cannot supersede itself.")
                newer = self._backend.by_uid(ns, by) if isinstance(by, str) and by else None
                if newer is None:
                    raise MemoryStoreError(
                        f"no archival record with id {by!r} for this user to supersede with."
                    )
                newer_state = Validity.state(conn, ns, int(newer[0]))
                if newer_state is not None and newer_state[1] is not None:
                    raise MemoryStoreError(
                        f"record {by} is itself superseded (by {newer_state[0]}); supersede "
                        "with the current record."
                    )
            if state is not None and state[1] is not None:
                if state[0] == by:
                    return
                raise MemoryStoreError(
                    f"record {record_id} is already superseded by {state[0]} ({state[2]}); "
                    "restore it first to supersede it by another record."
                )
            Validity.mark(conn, ns, rid, by, reason)
            Validity.log(conn, ns, record_id, "supersede", other=by, reason=reason, actor=actor)

    def restore(
        self,
        record_id: str,
        *,
        reason: str,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        actor: str | None = None,
    ) -> None:
        """Undo a supersede: the record is current again (e.g. the decision was wrong)."""
        ns, row = self._require(record_id, user_id, agent_id)
        reason = self._reason(reason, "reason")
        with self._db.transaction() as conn:
            state = Validity.state(conn, ns, int(row[0]))
            if state is None or state[1] is None:
                return
            Validity.unmark(conn, ns, int(row[0]))
            Validity.log(conn, ns, record_id, "restore", other=state[0], reason=reason, actor=actor)

    def history(
        self, record_id: str, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID
    ) -> list[dict[str, Any]]:
        """Every change that involved the record, oldest first: ``{"record", "event",
        "other", "reason", "actor", "at"}`` with events add, restate (stated again: not
        stored twice), supersede (``record`` superseded by ``other``), restore, delete. Kept
        after the record is deleted."""
        if not isinstance(record_id, str) or not record_id:
            raise MemoryStoreError(f"record id must be a non-empty string, got {record_id!r}.")
        ns = self._read_ns(user_id, agent_id)
        events: list[dict[str, Any]] = []
        if ns is not None:
            with self._db.read() as conn:
                events = Validity.history(conn, ns, record_id)
        if not events:
            raise MemoryStoreError(
                f"no archival record with id {record_id!r} for this user; ids come from "
                "archival search results."
            )
        return events

    def count_superseded(self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> int:
        """Records kept but hidden from default search because something newer replaced them."""
        ns = self._read_ns(user_id, agent_id)
        if ns is None:
            return 0
        with self._db.read() as conn:
            return Validity.count_superseded(conn, ns)

    def unsettled(
        self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID, limit: int = 200
    ) -> list[SearchHit]:
        """Records past the consolidation watermark, oldest first (``consolidation.py``)."""
        ns = self._read_ns(user_id, agent_id)
        if ns is None:
            return []
        with self._db.read() as conn:
            rids = Validity.unsettled(conn, ns, limit)
        return self.resolve([(rid, 1.0) for rid in rids], user_id=user_id, agent_id=agent_id)

    def settle(
        self, record_ids: Sequence[str], *, user_id: str, agent_id: str = DEFAULT_AGENT_ID
    ) -> None:
        """Move the watermark past these records: consolidation has decided them."""
        ns = self._read_ns(user_id, agent_id)
        if ns is None or not record_ids:
            return
        rids = []
        for uid in record_ids:
            row = self._backend.by_uid(ns, uid)
            if row is not None:
                rids.append(int(row[0]))
        with self._db.transaction() as conn:
            Validity.settle(conn, ns, rids)
