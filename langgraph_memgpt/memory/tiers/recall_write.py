"""Writing recall messages: validation, idempotent appends (``message_id`` is the key), and
indexing each message with its date and neighbours (``search.indexing``)."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from langchain_core.messages import BaseMessage

from langgraph_memgpt.memory._validate import (
    check_id,
    check_text,
    check_turn,
    now_iso,
    parse_when,
    to_json,
)
from langgraph_memgpt.memory.backends.lexical import LexicalIndex, Tier
from langgraph_memgpt.memory.search.indexing import (
    RECALL_AFTER,
    WINDOW,
    context_fields,
    neighbours,
)
from langgraph_memgpt.memory.tiers.recall_base import (
    MAX_MESSAGE_CHARS,
    ROLES,
    RecallBase,
    mark_unindexed,
)
from langgraph_memgpt.memory.types import (
    DEFAULT_AGENT_ID,
    ROLE_TRUST,
    MemoryStoreError,
    check_trust,
)

logger = logging.getLogger(__name__)

_SURROGATE = re.compile("[\ud800-\udfff]")
#: Messages per ``INSERT`` statement (12 parameters each, within both engines' limits).
INSERT_ROWS = 1_000


def storable_message(content: str) -> str:
    """A message is kept rather than failing the turn: a tool's output may carry NUL bytes or
    lone surrogates, which no backend can store; U+FFFD takes their place."""
    if "\x00" in content:
        content = content.replace("\x00", "\ufffd")
    if not content.isascii():
        content = _SURROGATE.sub("\ufffd", content)
    return content


def thread_documents(
    sequence: Sequence[tuple[int, str, str]], positions: Sequence[int]
) -> list[tuple[int, list[tuple[str, float]]]]:
    """What the lexical index stores for the messages at ``positions`` of a thread's
    ``(id, content, created_at)`` sequence: each with its date and neighbours as context, as
    weighted fields (``LexicalIndex.add_fields`` analyses them as one batch)."""
    texts = [text for _, text, _ in sequence]
    order = list(range(len(sequence)))
    docs = []
    for i in positions:
        before, after = neighbours(texts, order, i, after_window=RECALL_AFTER)
        fields = context_fields(texts[i], sequence[i][2], before, after)
        docs.append((sequence[i][0], fields))
    return docs


_ROLE_OF_TYPE = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}


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


class RecallWrite(RecallBase):
    """Append messages to one user's log, each indexed with its thread context."""

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
        trust = ROLE_TRUST[role] if trust is None else check_trust(trust)
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
            self._on_write(content, trust),
        )

    def _insert(self, rows: list[tuple[Any, ...]]) -> None:
        """Insert the rows whose message id is new, in one transaction, and index them or
        mark them for indexing before the next read (``defer_indexing``, ``recall_index``).

        All rows are of one thread. A message is indexed with the ``WINDOW`` messages before
        and after it, so the last ``RECALL_AFTER`` messages already stored are indexed again
        with the new ones as their following context.
        """
        if not rows:
            return
        ns, thread = rows[0][0], rows[0][2]
        with self._db.transaction() as conn:
            tail: list[tuple[int, str, str]] = []
            if not self.defer_indexing:
                tail = [
                    (int(r[0]), r[1], r[2])
                    for r in conn.execute(
                        "SELECT id, content, created_at FROM recall WHERE ns=? AND thread_id=? "
                        "ORDER BY id DESC LIMIT ?",
                        (ns, thread, WINDOW + RECALL_AFTER),
                    ).fetchall()[::-1]
                ]
            new_ids: dict[str, int] = {}
            for start in range(0, len(rows), INSERT_ROWS):  # one statement per batch of rows
                chunk = rows[start : start + INSERT_ROWS]
                marks = ",".join(["(?,?,?,?,?,?,?,?,?,?,?,?)"] * len(chunk))
                for rid, message_id in conn.execute(
                    "INSERT INTO recall(ns, message_id, thread_id, turn, role, content, "
                    f"created_at, tool_calls, tool_call_id, name, trust, guard) VALUES {marks} "
                    "ON CONFLICT DO NOTHING RETURNING id, message_id",
                    [value for row in chunk for value in row],
                ).fetchall():
                    new_ids[str(message_id)] = int(rid)
            added: list[tuple[int, str, str]] = []
            for row in rows:  # in the order given (a repeated message id: its first row)
                rid = new_ids.pop(str(row[1]), None)
                if rid is not None:
                    added.append((rid, row[5], row[6]))
            if not added:
                return
            if self.defer_indexing:
                mark_unindexed(conn, ns, min(rid for rid, _, _ in added))
            else:
                sequence = tail + added
                again = range(max(0, len(tail) - RECALL_AFTER), len(tail))
                docs = thread_documents(sequence, (*again, *range(len(tail), len(sequence))))
                LexicalIndex.remove(conn, ns, Tier.RECALL, [sequence[i][0] for i in again])
                LexicalIndex.add_fields(conn, ns, Tier.RECALL, docs)
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
        ``trust`` defaults to the role's (``ROLE_TRUST``)."""
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
