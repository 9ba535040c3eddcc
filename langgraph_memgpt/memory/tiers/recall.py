"""Recall memory: every message of every thread, stored once, searchable by text and date.

This is MemGPT's conversation log. The graph appends each message as it enters the prompt, so
whatever compaction later evicts is already here; appends are idempotent on ``message_id`` so
the graph may safely append the same message twice (e.g. on a retried step).
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from langchain_core.messages import BaseMessage

from langgraph_memgpt.memory._validate import (
    check_id,
    check_k_page,
    check_text,
    check_turn,
    now_iso,
    page_past_end,
    parse_when,
    pool_size,
    to_json,
)
from langgraph_memgpt.memory.backends.database import MemoryDatabase
from langgraph_memgpt.memory.backends.lexical import LexicalIndex, Tier
from langgraph_memgpt.memory.backends.vectors import VectorStore
from langgraph_memgpt.memory.guard import policy as guard_policy
from langgraph_memgpt.memory.search.embed_worker import BATCH, BackgroundEmbedder
from langgraph_memgpt.memory.search.fusion import (
    DEFAULT_FUSION,
    FusionFn,
    boost_speaker,
    relevance_floor,
    speaker_of,
)
from langgraph_memgpt.memory.search.indexing import (
    RECALL_AFTER,
    WINDOW,
    context_fields,
    embedding_text,
    neighbours,
)
from langgraph_memgpt.memory.text.analysis import query_terms, term_frequencies
from langgraph_memgpt.memory.types import DEFAULT_AGENT_ID, MemoryStoreError, SearchHit

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 1_000_000  # tool outputs can be long; recall must not drop them
MAX_QUERY_CHARS = 2_000
ROLES = ("user", "assistant", "system", "tool")
SOURCE = "recall"
SEARCH_EMBED_CAP = 512  # messages a search embeds before answering, at most
# What a message is embedded as (``documents.embedding_text``): its text (the start of a long
# tool output; its role and tool calls when it has no text), with the message before and after
# it in the thread as context.
_OWN = (
    "CASE WHEN {t}.content = '' THEN {t}.role || ' ' || coalesce(substr({t}.tool_calls, 1, 1000), '') "
    "ELSE substr({t}.content, 1, 4000) END"
)
PENDING_SQL = (
    f"SELECT r.id, {_OWN.format(t='r')}, "
    f"(SELECT {_OWN.format(t='p')} FROM recall p WHERE p.ns = r.ns AND p.thread_id = r.thread_id "
    "AND p.id < r.id ORDER BY p.id DESC LIMIT 1), "
    f"(SELECT {_OWN.format(t='n')} FROM recall n WHERE n.ns = r.ns AND n.thread_id = r.thread_id "
    "AND n.id > r.id ORDER BY n.id LIMIT 1) "
    "FROM recall r WHERE r.ns = ? AND r.vector IS NULL ORDER BY r.id LIMIT ?"
)


_SURROGATE = re.compile("[\ud800-\udfff]")


def storable_message(content: str) -> str:
    """A message is kept rather than failing the turn: a tool's output may carry NUL bytes or
    lone surrogates, which no backend can store; U+FFFD takes their place."""
    if "\x00" in content:
        content = content.replace("\x00", "\ufffd")
    if not content.isascii():
        content = _SURROGATE.sub("\ufffd", content)
    return content


def pending_embedding_text(row: tuple[Any, ...]) -> str:
    return embedding_text(row[1], row[2], row[3])


def thread_documents(
    sequence: Sequence[tuple[int, str, str]], positions: Sequence[int]
) -> list[tuple[int, dict[str, float]]]:
    """What the lexical index stores for the messages at ``positions`` of a thread's
    ``(id, content, created_at)`` sequence: each with its date and neighbours as context."""
    texts = [text for _, text, _ in sequence]
    order = list(range(len(sequence)))
    docs = []
    for i in positions:
        before, after = neighbours(texts, order, i, after_window=RECALL_AFTER)
        fields = context_fields(texts[i], sequence[i][2], before, after)
        docs.append((sequence[i][0], term_frequencies(fields)))
    return docs


_ROLE_OF_TYPE = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}
_COLUMNS = "r.id, r.message_id, r.thread_id, r.turn, r.role, r.content, r.created_at, " + (
    "r.tool_calls, r.tool_call_id, r.name, r.trust, r.guard"
)


def _message_text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    # Multimodal content blocks: keep the text parts (``.text`` joins them).
    return str(message.text)


def _message_role(message: BaseMessage) -> str:
    role = _ROLE_OF_TYPE.get(message.type)
    if role is None:
        role = getattr(message, "role", None) or message.type
    return str(role)


def _stated_time(message: BaseMessage) -> str | None:
    """The message's own ``created_at``, when it carries a valid one."""
    value = message.additional_kwargs.get("created_at")
    if value is None:
        return None
    try:
        return parse_when(value, "created_at")
    except MemoryStoreError:
        logger.warning("ignoring created_at %r of message %s: not a date", value, message.id)
        return None


class RecallMemory:
    """Append-only message log with BM25 search (per-tenant index) and date-range search."""

    def __init__(
        self,
        db: MemoryDatabase,
        *,
        vectors: VectorStore | None = None,
        embed_query: Callable[[str], np.ndarray] | None = None,
        fusion: FusionFn = DEFAULT_FUSION,
        background: bool = True,
    ) -> None:
        self._db = db
        self._vectors = vectors if vectors is not None and vectors.embeds else None
        self._embed_query = embed_query
        self.fusion = fusion
        self._worker = (
            BackgroundEmbedder(self.embed_pending)
            if background and self._vectors is not None
            else None
        )

    @property
    def hybrid(self) -> bool:
        """Whether search fuses dense similarity with BM25 (an embedder is configured)."""
        return self._vectors is not None and self._embed_query is not None

    # -- writing -------------------------------------------------------------------------
    def _row(
        self,
        ns: int,
        role: str,
        content: str,
        thread_id: str,
        turn: int | None,
        created_at: str | datetime | None,
        message_id: str | None,
        tool_calls: Sequence[dict[str, Any]] | None,
        tool_call_id: str | None,
        name: str | None,
        trust: str | None = None,
    ) -> tuple[Any, ...]:
        if role not in ROLES:
            raise MemoryStoreError(f"role must be one of {', '.join(ROLES)}; got {role!r}.")
        if isinstance(content, str):
            content = storable_message(content)
        content = check_text(content, "message content", MAX_MESSAGE_CHARS, allow_empty=True)
        if message_id is None:
            message_id = str(uuid.uuid4())
        check_id(message_id, "message_id")
        when = now_iso() if created_at is None else parse_when(created_at, "created_at")
        trust = guard_policy.ROLE_TRUST[role] if trust is None else guard_policy.check_trust(trust)
        return (
            ns,
            message_id,
            thread_id,
            check_turn(turn),
            role,
            content,
            when,
            # A model's call may carry lone surrogates in its arguments or names: kept, replaced.
            storable_message(to_json(list(tool_calls), "tool_calls")) if tool_calls else None,
            None if tool_call_id is None else storable_message(tool_call_id),
            None if name is None else storable_message(name),
            trust,
            guard_policy.on_write(self._db, content, trust),
        )

    def _insert(self, rows: list[tuple[Any, ...]]) -> None:
        """Insert the rows whose message id is new and index them, in one transaction.

        All rows are of one thread. A message is indexed with the ``WINDOW`` messages before
        and after it, so the last ``RECALL_AFTER`` messages already stored are indexed again
        with the new ones as their following context (cheap: recent messages are still in
        the lexical index's tail, not in its postings).
        """
        if not rows:
            return
        ns, thread = rows[0][0], rows[0][2]
        with self._db.transaction() as conn:
            tail = conn.execute(
                "SELECT id, content, created_at FROM recall WHERE ns=? AND thread_id=? "
                "ORDER BY id DESC LIMIT ?",
                (ns, thread, WINDOW + RECALL_AFTER),
            ).fetchall()[::-1]
            sequence: list[tuple[int, str, str]] = [(int(r[0]), r[1], r[2]) for r in tail]
            first_new = len(sequence)
            for row in rows:
                inserted = conn.execute(
                    "INSERT INTO recall(ns, message_id, thread_id, turn, role, content, "
                    "created_at, tool_calls, tool_call_id, name, trust, guard) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
                    "ON CONFLICT DO NOTHING RETURNING id",
                    row,
                ).fetchone()
                if inserted is not None:
                    sequence.append((int(inserted[0]), row[5], row[6]))
            if len(sequence) == first_new:
                return
            again = range(max(0, first_new - RECALL_AFTER), first_new)
            docs = thread_documents(sequence, (*again, *range(first_new, len(sequence))))
            LexicalIndex.remove(conn, ns, Tier.RECALL, [sequence[i][0] for i in again])
            LexicalIndex.add(conn, ns, Tier.RECALL, docs)
        if self._worker is not None:
            self._worker.notify(ns)

    def _write_ns(self, user_id: str, agent_id: str, thread_id: str) -> int:
        check_id(thread_id, "thread_id")
        return self._db.write_namespace(agent_id, user_id)

    def append(
        self,
        role: str,
        content: str,
        *,
        user_id: str,
        thread_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        turn: int | None = None,
        created_at: str | datetime | None = None,
        message_id: str | None = None,
        tool_calls: Sequence[dict[str, Any]] | None = None,
        tool_call_id: str | None = None,
        name: str | None = None,
        trust: str | None = None,
    ) -> str:
        """Store one message; returns its ``message_id`` (a no-op if that id is stored).
        ``trust`` defaults to the role's (``guard_policy.ROLE_TRUST``)."""
        ns = self._write_ns(user_id, agent_id, thread_id)
        row = self._row(
            ns,
            role,
            content,
            thread_id,
            turn,
            created_at,
            message_id,
            tool_calls,
            tool_call_id,
            name,
            trust,
        )
        self._insert([row])
        return str(row[1])

    def append_messages(
        self,
        messages: Sequence[BaseMessage],
        *,
        user_id: str,
        thread_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        turn: int | None = None,
    ) -> list[str]:
        """Store LangChain messages in one transaction; ``message.id`` is the dedup key.

        A message may carry its own time in ``additional_kwargs["created_at"]`` (ISO 8601), so
        an imported conversation keeps its real dates for ``search_by_date``; a value that is
        not a date is ignored (the message is stored now) rather than failing the turn.
        """
        ns = self._write_ns(user_id, agent_id, thread_id)
        rows = []
        for message in messages:
            if not isinstance(message, BaseMessage):
                raise MemoryStoreError(
                    f"append_messages takes LangChain messages, got {type(message).__name__}."
                )
            tool_calls = getattr(message, "tool_calls", None) or None
            rows.append(
                self._row(
                    ns,
                    _message_role(message),
                    _message_text(message),
                    thread_id,
                    turn,
                    _stated_time(message),
                    message.id,
                    tool_calls,
                    getattr(message, "tool_call_id", None),
                    message.name,
                    message.additional_kwargs.get("trust"),
                )
            )
        self._insert(rows)
        return [str(row[1]) for row in rows]

    # -- reading -------------------------------------------------------------------------
    def _read_ns(self, user_id: str, agent_id: str) -> int | None:
        check_id(user_id, "user_id")
        check_id(agent_id, "agent_id")
        self._db.check_open()
        return self._db.namespace(agent_id, user_id, create=False)

    def _hit(
        self, row: sqlite3.Row | tuple[Any, ...], score: float, user_id: str, agent_id: str
    ) -> SearchHit:
        (_rid, message_id, thread_id, turn, role, content, created_at, tool_calls, tcid, name) = (
            row[:10]
        )
        metadata: dict[str, Any] = {
            "thread_id": thread_id,
            "turn": turn,
            "created_at": created_at,
            "source": SOURCE,
            "tags": [],
            "user_id": user_id,
            "agent_id": agent_id,
            "role": role,
        }
        metadata.update(
            guard_policy.hit_metadata(content, row[10], row[11], guard_policy.ROLE_TRUST[role])
        )
        if tool_calls:
            metadata["tool_calls"] = json.loads(tool_calls)
        if tcid:
            metadata["tool_call_id"] = tcid
        if name:
            metadata["name"] = name
        return SearchHit(id=message_id, text=content, score=score, metadata=metadata)

    def _page(
        self, sql: str, count_sql: str, params: tuple[Any, ...], k: int, page: int
    ) -> list[tuple[Any, ...]]:
        with self._db.read() as conn:
            rows = conn.execute(sql + " LIMIT ? OFFSET ?", (*params, k, page * k)).fetchall()
            if not rows and page > 0:
                (total,) = conn.execute(count_sql, params).fetchone()
                raise page_past_end(int(total), k, page)
        return rows

    def search(
        self,
        query: str,
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        k: int = 10,
        page: int = 0,
        thread_id: str | None = None,
        mode: str = "hybrid",
        include_tools: bool = False,
        exclude_turn: tuple[str, int] | None = None,
    ) -> list[SearchHit]:
        """The messages best matching ``query``, best first, each with its citation.

        What people said is ranked: tool results and assistant messages with no text (tool
        calls only) are left out unless ``include_tools`` (a past search result quoting earlier
        search results would otherwise top every search). ``exclude_turn`` is the
        ``(thread_id, turn)`` being answered: its own question is never a hit.

        ``hybrid`` fuses BM25 over each message's words (with its date and the message before
        it) and cosine similarity of its embedding; ``lexical`` is BM25 alone. Messages not
        embedded yet are embedded first (at most ``SEARCH_EMBED_CAP``; the rest are found by
        their words until the background embedder catches up).
        """
        query = check_text(query, "query", MAX_QUERY_CHARS)
        k, page = check_k_page(k, page)
        if mode not in ("hybrid", "lexical"):
            raise MemoryStoreError(f"mode must be 'hybrid' or 'lexical'; got {mode!r}.")
        terms = query_terms(query)
        dense = mode == "hybrid" and self.hybrid
        if not terms and not dense:
            raise MemoryStoreError(
                f"query {query!r} has no words to search for (common words such as 'the' or "
                "'what' are not indexed); use names, objects or topics."
            )
        if thread_id is not None:
            check_id(thread_id, "thread_id")
        ns = self._read_ns(user_id, agent_id)
        ranking: list[tuple[int, float]] = []
        if ns is not None:
            pool = pool_size(k, page)
            restrict = None
            if thread_id is not None:
                restrict = ("SELECT id FROM recall WHERE ns=? AND thread_id=?", (ns, thread_id))
            with self._db.read() as conn:
                lexical = LexicalIndex.search(conn, ns, Tier.RECALL, terms, pool, restrict=restrict)
            rankings = [lexical] if lexical else []
            if dense:
                similar = self._dense(ns, query, pool, thread_id)
                if similar:
                    rankings.append(similar)
            if len(rankings) > 1:
                ranking = self.fusion(rankings)
                ranking = boost_speaker(ranking, self._speakers(ns, ranking), query)
            elif rankings:
                ranking = list(rankings[0])
            if dense:
                ranking = relevance_floor(ranking, lexical, similar)
            if ranking and (not include_tools or exclude_turn is not None):
                ranking = self._said(ns, ranking, include_tools, exclude_turn)
        window = ranking[page * k : (page + 1) * k]
        if not window:
            if page > 0:
                raise page_past_end(len(ranking), k, page)
            return []
        rows = self._fetch(ns, [rid for rid, _ in window]) if ns is not None else {}
        return [
            self._hit(rows[rid], score, user_id, agent_id)
            for rid, score in window
            if rid in rows and guard_policy.searchable(rows[rid][11])
        ]

    def _dense(
        self, ns: int, query: str, limit: int, thread_id: str | None
    ) -> list[tuple[int, float]]:
        assert self._vectors is not None and self._embed_query is not None
        self._embed_backlog(ns, cap=SEARCH_EMBED_CAP, batch=128)
        vector = self._embed_query(query)
        restrict = None
        if thread_id is not None:
            restrict = (
                "SELECT id FROM recall WHERE ns=? AND thread_id=? AND vector IS NOT NULL",
                (ns, thread_id),
            )
        return self._vectors.search(ns, vector, limit, restrict)

    def embed_pending(self, ns: int, limit: int) -> int:
        """Embed up to ``limit`` waiting messages of a namespace and add them to its index."""
        if self._vectors is None:
            return 0
        return self._vectors.embed_pending(ns, limit)

    def embed_waiting(self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> int:
        """Embed every message of a user still waiting for its vector, now; returns how many.

        For a quiet moment chosen by the caller (before an export, between scripted turns):
        the background embedder otherwise does this once the store has been idle a while.
        """
        ns = self._read_ns(user_id, agent_id)
        if ns is None or self._vectors is None:
            return 0
        return self._embed_backlog(ns, cap=None, batch=BATCH)

    def _embed_backlog(self, ns: int, *, cap: int | None, batch: int) -> int:
        """Embed a namespace's waiting messages in batches, ``cap`` of them at most."""
        assert self._vectors is not None
        total = 0
        while cap is None or total < cap:
            step = batch if cap is None else min(batch, cap - total)
            done = self._vectors.embed_pending(ns, step)
            if not done:
                break
            total += done
        return total

    def flush(self) -> None:
        """Save changed FAISS files of recall messages."""
        if self._vectors is not None:
            self._vectors.flush()

    def stop_worker(self) -> None:
        """Stop the background embedder (``Memory.close`` does); waiting rows stay waiting."""
        if self._worker is not None:
            self._worker.stop()

    def _said(
        self,
        ns: int,
        ranking: list[tuple[int, float]],
        include_tools: bool,
        exclude_turn: tuple[str, int] | None,
    ) -> list[tuple[int, float]]:
        """``ranking`` without tool traffic (unless ``include_tools``) and the excluded turn."""
        marks = ",".join("?" * len(ranking))
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT id, role, length(trim(content)) = 0, thread_id, turn FROM recall "
                f"WHERE ns=? AND id IN ({marks})",
                (ns, *(rid for rid, _ in ranking)),
            ).fetchall()
        dropped = set()
        for rid, role, empty, thread, turn in rows:
            tool = role == "tool" or (role == "assistant" and bool(empty))
            if (tool and not include_tools) or (
                exclude_turn is not None and (thread, turn) == exclude_turn
            ):
                dropped.add(int(rid))
        return [(rid, score) for rid, score in ranking if rid not in dropped]

    def _speakers(self, ns: int, ranking: Sequence[tuple[int, float]]) -> dict[int, str | None]:
        marks = ",".join("?" * len(ranking))
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT id, substr(content, 1, 64), name FROM recall WHERE ns=? AND id IN ({marks})",
                (ns, *(rid for rid, _ in ranking)),
            ).fetchall()
        return {int(rid): speaker_of(head, name) for rid, head, name in rows}

    def _fetch(self, ns: int, rids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        marks = ",".join("?" * len(rids))
        with self._db.read() as conn:
            return {
                int(row[0]): tuple(row)
                for row in conn.execute(
                    f"SELECT {_COLUMNS} FROM recall r WHERE r.ns=? AND r.id IN ({marks})",
                    (ns, *rids),
                )
            }

    def search_by_date(
        self,
        start: str | datetime,
        end: str | datetime,
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        k: int = 10,
        page: int = 0,
    ) -> list[SearchHit]:
        """Messages with ``start <= created_at <= end`` (a bare end date includes that whole
        day), oldest first."""
        lo = parse_when(start, "start date")
        hi = parse_when(end, "end date", end_of_day=True)
        if lo > hi:
            raise MemoryStoreError(f"start {start!r} is after end {end!r}; swap them.")
        k, page = check_k_page(k, page)
        ns = self._read_ns(user_id, agent_id)
        if ns is None:
            if page > 0:
                raise page_past_end(0, k, page)
            return []
        base = "FROM recall r WHERE r.ns=? AND r.created_at >= ? AND r.created_at <= ?"
        rows = self._page(
            f"SELECT {_COLUMNS} {base} ORDER BY r.created_at, r.id",
            f"SELECT count(*) {base}",
            (ns, lo, hi),
            k,
            page,
        )
        return [
            self._hit(row, 1.0, user_id, agent_id)
            for row in rows
            if guard_policy.searchable(row[11])
        ]

    def messages(
        self, *, user_id: str, thread_id: str, agent_id: str = DEFAULT_AGENT_ID
    ) -> list[SearchHit]:
        """Every message of a thread in the order it was appended."""
        check_id(thread_id, "thread_id")
        ns = self._read_ns(user_id, agent_id)
        if ns is None:
            return []
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM recall r WHERE r.ns=? AND r.thread_id=? ORDER BY r.id",
                (ns, thread_id),
            ).fetchall()
        return [self._hit(row, 1.0, user_id, agent_id) for row in rows]

    def count(self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> int:
        ns = self._read_ns(user_id, agent_id)
        if ns is None:
            return 0
        with self._db.read() as conn:
            return LexicalIndex.count(conn, ns, Tier.RECALL)

    def all_messages(
        self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID, batch: int = 1000
    ) -> Iterator[SearchHit]:
        """Every message of every thread in the order stored, read in batches (export)."""
        ns = self._read_ns(user_id, agent_id)
        if ns is None:
            return
        after = 0
        while True:
            with self._db.read() as conn:
                rows = conn.execute(
                    f"SELECT {_COLUMNS} FROM recall r WHERE r.ns=? AND r.id>? ORDER BY r.id "
                    "LIMIT ?",
                    (ns, after, batch),
                ).fetchall()
            if not rows:
                return
            after = int(rows[-1][0])
            for row in rows:
                yield self._hit(row, 1.0, user_id, agent_id)

    def contains(self, message_id: str, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> bool:
        return bool(self.stored_ids([message_id], user_id=user_id, agent_id=agent_id))

    def stored_ids(
        self, message_ids: Sequence[str], *, user_id: str, agent_id: str = DEFAULT_AGENT_ID
    ) -> set[str]:
        """Which of ``message_ids`` recall holds: one lookup for many, as a turn's checks
        (a step's possible reply ids, a parent's resent transcript) need."""
        wanted = list(dict.fromkeys(message_ids))
        ns = self._read_ns(user_id, agent_id) if wanted else None
        if ns is None:
            return set()
        found: set[str] = set()
        with self._db.read() as conn:
            for start in range(0, len(wanted), 900):  # under SQLite's parameter limit
                chunk = wanted[start : start + 900]
                marks = ",".join("?" * len(chunk))
                found.update(
                    str(row[0])
                    for row in conn.execute(
                        f"SELECT message_id FROM recall WHERE ns=? AND message_id IN ({marks})",
                        (ns, *chunk),
                    )
                )
        return found
