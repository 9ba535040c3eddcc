"""What the memory poisoning guard does with a verdict: trust tiers, flags and quarantine.

Every record and message carries its origin (``trust``):

- ``operator``: the system prompt, a persona set in code, messages whose writer declares them
  operator text (``trust="operator"``). Only operator text may give the agent instructions; it
  is never scanned. A system-role message that does not declare it is ``external``.
- ``user``: what the user typed.
- ``model``: what the model wrote (an ``archival_memory_insert``, an assistant reply).
- ``external``: tool output, web pages, imported documents and conversations. The lowest tier
  and the default of an archival insert that does not say otherwise.

Every other tier is scanned (``guard.scan``) on write (a recall message: off the turn, see
``deferring_guard``) and again on retrieval. A flagged text is
stored and kept (nothing is lost) with its reasons in the row's ``guard`` column; hits built
from it carry ``metadata["untrusted"] = True`` and ``metadata["guard_reasons"]``. With the
store's quarantine setting on (``set_quarantine``), a flagged text is also left out of search
until an operator approves it (``approve``). Core memory refuses flagged text
(``check_core_write``): untrusted text is never promoted into the prompt automatically.

With a reviewer set (``GuardOptions.reviewer``, ``review.py``), a text whose verdict rests on the
learned score alone, scored inside the reviewer's band, is decided by a chat model.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langgraph_memgpt.memory._validate import check_id
from langgraph_memgpt.memory.backends.database import MemoryDatabase
from langgraph_memgpt.memory.guard.review import MODEL_REASON, Reviewer
from langgraph_memgpt.memory.text import guard_model
from langgraph_memgpt.memory.text.guard_flags import (
    PENDING,
    hit_metadata,
    searchable,
    stored_flag,
)
from langgraph_memgpt.memory.text.injection import CLEAN, LEARNED, Verdict, normalise
from langgraph_memgpt.memory.text.judge import STANDING_WISHES, judge
from langgraph_memgpt.memory.types import (
    DEFAULT_AGENT_ID,
    EXTERNAL,
    MODEL,
    OPERATOR,
    ROLE_TRUST,
    TRUST_LEVELS,
    USER,
    MemoryStoreError,
    WriteGuard,
    check_trust,
)

__all__ = [
    "EXTERNAL",
    "MODEL",
    "OPERATOR",
    "ROLE_TRUST",
    "TRUST_LEVELS",
    "USER",
    "STANDING_WISHES",
    "GuardControl",
    "GuardOptions",
    "approve",
    "check_core_write",
    "check_trust",
    "flagged",
    "hit_metadata",
    "judge",
    "on_write",
    "quarantine_enabled",
    "searchable",
    "set_quarantine",
    "stored_flag",
    "write_guard",
]

#: ``meta`` key of the store's quarantine setting ("1": on).
QUARANTINE_KEY = "guard_quarantine"


def quarantine_enabled(db: MemoryDatabase) -> bool:
    """Whether flagged texts of this store are kept out of search until approved."""
    return db.get_meta(QUARANTINE_KEY) == "1"


def set_quarantine(db: MemoryDatabase, enabled: bool) -> None:
    """Turn quarantine on or off for texts written from now on (operator control). Pending
    recall verdicts are settled first, under the setting they were written with."""
    with db.transaction() as conn:
        settle_pending_in(conn)
        conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (QUARANTINE_KEY, "1" if enabled else "0"),
        )


@dataclass
class GuardOptions:
    """The guard's settings of one open store that live in the process, not in the store."""

    #: Decides texts the learned score is unsure of (``review.ModelReviewer``), or None.
    reviewer: Reviewer | None = None


def write_guard(db: MemoryDatabase, options: GuardOptions | None = None) -> WriteGuard:
    """The store's write policy as the tiers take it (``types.WriteGuard``): the facade wires
    it, so the tiers never import the guard. ``options`` is read at each write."""
    settings = options if options is not None else GuardOptions()

    def guard(text: str, trust: str) -> str | None:
        return on_write(db, text, trust, reviewer=settings.reviewer)

    return guard


def reviewed(verdict: Verdict, text: str, trust: str, reviewer: Reviewer | None) -> Verdict:
    """``verdict``, or the reviewer's decision when the verdict rests on the learned score
    alone (flagged by it, or passed by everything) and that score is inside its band."""
    if reviewer is None or trust not in reviewer.writers:
        return verdict
    if verdict and tuple(verdict.reasons) != (LEARNED,):
        return verdict  # the rules are sure
    score = verdict.score  # the scan's own learned score: the text is not scored twice
    if score is None:
        model = guard_model.model()
        if model is None:
            return verdict
        norm = normalise(text)
        score = model.max_score((norm.text, *norm.variants))
    low, high = reviewer.band
    if not low <= score < high:
        return verdict
    decision = reviewer.review(text, trust)
    if decision is None:
        return verdict
    return Verdict(True, (MODEL_REASON,)) if decision else CLEAN


def on_write(
    db: MemoryDatabase, text: str, trust: str, *, reviewer: Reviewer | None = None
) -> str | None:
    """The ``guard`` column of a text about to be stored: None when clean or operator text.

    Reads the quarantine setting only for a flagged text (rare), so clean writes cost one scan.
    The verdict goes to the scan cache that retrieval reads (``scan_cached``), so a message
    found again later in the process is not scanned twice.
    """
    return _guard_value(text, trust, reviewer, lambda: quarantine_enabled(db))


def _guard_value(
    text: str, trust: str, reviewer: Reviewer | None, quarantined: Callable[[], bool]
) -> str | None:
    if trust == OPERATOR or not text:
        return None
    verdict = judge(text, trust, cached=True)
    final = reviewed(verdict, text, trust, reviewer)
    if not final:
        # A learned flag the reviewer lifted is remembered, so a rescan on retrieval does not
        # bring it back.
        return json.dumps({"reasons": [], "reviewed": "pass"}) if verdict else None
    verdict = final
    return json.dumps(
        {"reasons": list(verdict.reasons), "quarantined": quarantined(), "approved": False}
    )


# -- deferred verdicts (recall) ----------------------------------------------------------------
# A recall message is stored on every turn, and its scan was the largest part of a turn's own
# work. Its verdict is a pure function of its text and its writer (``judge``) plus the
# quarantine setting, so it need not be computed inside the turn: the message is stored with
# ``PENDING`` and the verdict is settled later, off the turn (``settle_pending``: the recall
# tier's idle-time worker, ``RecallMemory.settle_waiting``) or by the first reader that needs it
# (``settle``: search, hits, ``flagged``, ``approve``). Every reader of a recall guard column
# settles it first, and the value it settles to is the one the write would have stored:
#
# - the quarantine setting is the one in force when the message was written, because
#   ``set_quarantine`` settles every pending message (under the old setting) before it changes
#   the setting, in the same transaction;
# - a reviewer's writers (``review.py``: a chat model's second opinion) are scanned on write as
#   before, since a review is a model call, not a pure function; the other writers' verdicts
#   never go to the reviewer, so settling them needs none.
# Only a rule or model update between the write and the settling can give another answer, and
# retrieval rescans with the current rules anyway (``hit_metadata``).


def deferring_guard(db: MemoryDatabase, options: GuardOptions | None = None) -> WriteGuard:
    """Recall's write policy: ``PENDING`` for a text whose verdict can wait (every writer but
    the operator and the reviewer's), else what ``write_guard`` stores."""
    settings = options if options is not None else GuardOptions()

    def guard(text: str, trust: str) -> str | None:
        if trust == OPERATOR or not text:
            return None
        reviewer = settings.reviewer
        if reviewer is not None and trust in reviewer.writers:
            return on_write(db, text, trust, reviewer=reviewer)
        return PENDING

    return guard


class PendingVerdicts:
    """Settles the verdicts ``deferring_guard`` left ``PENDING`` (the recall tier's handle)."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db

    def settle(self, text: str, trust: str) -> str | None:
        """The value a pending column stands for: what its write would have stored."""
        return _guard_value(text, trust, None, lambda: quarantine_enabled(self._db))

    def settle_pending(self, ns: int, limit: int | None) -> int:
        """Settle and store up to ``limit`` pending verdicts of a namespace, oldest first."""
        return settle_pending(self._db, ns, limit=limit)


def _quarantine_in(conn: Any) -> bool:
    row = conn.execute("SELECT value FROM meta WHERE key=?", (QUARANTINE_KEY,)).fetchone()
    return row is not None and row[0] == "1"


def settle_pending_in(
    conn: Any,
    ns: int | None = None,
    *,
    limit: int | None = None,
    message_id: str | None = None,
) -> int:
    """Settle pending recall verdicts (of namespace ``ns``, or all; of one message) in the
    caller's transaction, oldest first, at most ``limit``; returns how many."""
    where = "guard=?"
    params: list[Any] = [PENDING]
    for column, value in (("ns", ns), ("message_id", message_id)):
        if value is not None:
            where += f" AND {column}=?"
            params.append(value)
    sql = f"SELECT id, content, trust, role FROM recall WHERE {where} ORDER BY id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    rows = conn.execute(sql, tuple(params)).fetchall()
    if not rows:
        return 0
    quarantine: list[bool] = []

    def quarantined() -> bool:
        if not quarantine:
            quarantine.append(_quarantine_in(conn))
        return quarantine[0]

    for rid, content, trust, role in rows:
        value = _guard_value(content, trust or ROLE_TRUST[role], None, quarantined)
        conn.execute("UPDATE recall SET guard=? WHERE id=?", (value, rid))
    return len(rows)


def settle_pending(db: MemoryDatabase, ns: int | None = None, *, limit: int | None = None) -> int:
    """``settle_pending_in`` in a transaction of its own."""
    with db.transaction() as conn:
        return settle_pending_in(conn, ns, limit=limit)


def check_core_write(text: str) -> None:
    """Refuse text that reads like an instruction for core memory (always in the prompt); a
    standing wish ("call the user Bea from now on") is what core memory is for."""
    verdict = judge(text, "core")
    if verdict:
        raise MemoryStoreError(
            "core memory holds facts, and this text reads like an instruction to the agent "
            f"({', '.join(verdict.reasons)}); untrusted text is never promoted into core "
            "memory. Store the fact in your own words (e.g. 'The user prefers metric units'), "
            "or save the passage with archival_memory_insert, where it is kept as data."
        )


# -- operator review ---------------------------------------------------------------------------
_TABLES = {"archival": ("archival", "uid", "text"), "recall": ("recall", "message_id", "content")}


def flagged(db: MemoryDatabase, ns: int, tier: str, *, limit: int = 100) -> list[dict[str, Any]]:
    """Flagged records of one namespace and tier, newest first (``memory flagged``)."""
    table, key, text = _table(tier)
    read_only = bool(getattr(db, "read_only", False))
    if tier == "recall" and not read_only:
        settle_pending(db, ns)
    with db.read() as conn:
        rows = conn.execute(
            f"SELECT {key}, {text}, trust, guard, created_at FROM {table} "
            "WHERE ns=? AND guard IS NOT NULL ORDER BY id DESC LIMIT ?",
            (ns, limit),
        ).fetchall()
    out = []
    for rid, body, trust, guard, created_at in rows:
        if guard == PENDING:  # a read-only store: settled here, as a reader does, not stored
            guard = PendingVerdicts(db).settle(body, trust or USER)
        flag = stored_flag(guard)
        if flag is None:  # clean, or passed by a reviewer
            continue
        out.append(
            {
                "tier": tier,
                "id": rid,
                "text": body,
                "trust": trust,
                "created_at": created_at,
                "reasons": flag.get("reasons", []),
                "quarantined": bool(flag.get("quarantined")),
                "approved": bool(flag.get("approved")),
            }
        )
    return out


def approve(db: MemoryDatabase, ns: int, tier: str, record_id: str) -> None:
    """Release a flagged record from quarantine (it stays marked untrusted: it is data)."""
    table, key, _text = _table(tier)
    with db.transaction() as conn:
        if tier == "recall":
            settle_pending_in(conn, ns, message_id=record_id)
        row = conn.execute(
            f"SELECT guard FROM {table} WHERE ns=? AND {key}=?{db.row_lock}", (ns, record_id)
        ).fetchone()
        if row is None:
            raise MemoryStoreError(f"no {tier} record with id {record_id!r} for this user.")
        flag = stored_flag(row[0])
        if flag is None:
            raise MemoryStoreError(
                f"{tier} record {record_id!r} is not flagged; nothing to approve."
            )
        flag["approved"] = True
        conn.execute(
            f"UPDATE {table} SET guard=? WHERE ns=? AND {key}=?",
            (json.dumps(flag), ns, record_id),
        )


def _table(tier: str) -> tuple[str, str, str]:
    if tier not in _TABLES:
        raise MemoryStoreError(f"tier must be 'archival' or 'recall'; got {tier!r}.")
    return _TABLES[tier]


class GuardControl:
    """The operator's handle on the guard of one store (``Memory.guard``)."""

    def __init__(self, db: MemoryDatabase, options: GuardOptions | None = None) -> None:
        self._db = db
        self._options = options if options is not None else GuardOptions()

    @property
    def reviewer(self) -> Reviewer | None:
        """Who decides texts the learned score is unsure of (``ModelReviewer``), or None."""
        return self._options.reviewer

    @reviewer.setter
    def reviewer(self, reviewer: Reviewer | None) -> None:
        self._options.reviewer = reviewer

    @property
    def quarantine(self) -> bool:
        """Whether flagged texts written from now on are kept out of search until approved."""
        return quarantine_enabled(self._db)

    @quarantine.setter
    def quarantine(self, enabled: bool) -> None:
        set_quarantine(self._db, bool(enabled))

    def _ns(self, user_id: str, agent_id: str) -> int | None:
        check_id(user_id, "user_id")
        check_id(agent_id, "agent_id")
        return self._db.namespace(agent_id, user_id, create=False)

    def flagged(
        self,
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        tiers: tuple[str, ...] = ("archival", "recall"),
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        """Flagged records of a user, newest first per tier."""
        ns = self._ns(user_id, agent_id)
        if ns is None:
            return []
        return [row for tier in tiers for row in flagged(self._db, ns, tier, limit=limit)]

    def approve(
        self, record_id: str, *, tier: str, user_id: str, agent_id: str = DEFAULT_AGENT_ID
    ) -> None:
        """Let a quarantined record be found by search again."""
        ns = self._ns(user_id, agent_id)
        if ns is None:
            raise MemoryStoreError(f"no memory for user {user_id!r} (agent {agent_id!r}).")
        approve(self._db, ns, tier, record_id)
