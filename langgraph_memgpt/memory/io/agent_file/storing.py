"""Writing one checked agent plan into a store: blocks, messages, archival, settings as data.

The tiers write in their own transactions (core in one, each thread's messages in one,
archival in batches), so "nothing half-written" rests on validate-all-then-write plus a
resumable re-run: message ids are derived from the file's hash, archival records already
there are skipped, and the settings are written last.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langgraph_memgpt.memory.io.agent_file import profile as stored
from langgraph_memgpt.memory.io.agent_file.extension import Passage
from langgraph_memgpt.memory.io.agent_file.reading import AgentPlan, Message
from langgraph_memgpt.memory.types import MemoryStoreError

if TYPE_CHECKING:
    from langgraph_memgpt.memory.memory import Memory

ARCHIVAL_BATCH = 1000
_ID_SPACE = uuid.UUID("6f1c1d52-5f0e-4f5e-9b1e-6d656d677074")
#: Hit keys the store derives from its own state (validity, the guard's verdict): written to
#: the file so a reader sees them, recomputed on import rather than stored as metadata.
DERIVED_KEYS = (
    "superseded_by",
    "superseded_at",
    "superseded_reason",
    "supersedes",
    "untrusted",
    "guard_reasons",
    "quarantined",
    "approved",
    "trust",
)


def _lc_message(message: Message, new_id: str, trust: str) -> BaseMessage:
    kwargs: dict[str, Any] = {}
    if message.created_at:
        kwargs["created_at"] = message.created_at
    kwargs["trust"] = trust  # read by recall.append_messages
    common: dict[str, Any] = {"id": new_id, "additional_kwargs": kwargs, "name": message.name}
    if message.role == "user":
        return HumanMessage(content=message.content, **common)
    if message.role == "assistant":
        return AIMessage(content=message.content, tool_calls=message.tool_calls, **common)
    if message.role == "system":
        return SystemMessage(content=message.content, **common)
    return ToolMessage(content=message.content, tool_call_id=message.tool_call_id or "", **common)


def _runs(messages: list[Message]) -> Iterable[list[Message]]:
    """Consecutive messages of one thread and turn (one ``append_messages`` call each)."""
    run: list[Message] = []
    for message in messages:
        if run and (run[-1].thread_id, run[-1].turn) != (message.thread_id, message.turn):
            yield run
            run = []
        run.append(message)
    if run:
        yield run


def _passage_key(text: str, md: dict[str, Any]) -> tuple[Any, ...]:
    return (text, md.get("source"), md.get("created_at"), md.get("thread_id"))


def _stored_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """A passage's metadata without the keys the store derives itself (``DERIVED_KEYS``)."""
    return {k: v for k, v in metadata.items() if k not in DERIVED_KEYS}


def write_agent(
    memory: Memory,
    plan: AgentPlan,
    *,
    user_id: str,
    agent_id: str,
    digest: str,
    use_vectors: bool,
    trust: str,
) -> int:
    """Store ``plan`` as (user_id, agent_id); the number of archival records already there."""
    ident: dict[str, Any] = {"user_id": user_id, "agent_id": agent_id}
    memory.core.restore(plan.blocks, only=True, **ident)
    new_ids: dict[str, str] = {}
    for run in _runs(plan.messages):
        lc = []
        for m in run:
            new_ids[m.local_id] = str(
                uuid.uuid5(_ID_SPACE, f"{digest}/{agent_id}/{user_id}/{m.local_id}")
            )
            lc.append(_lc_message(m, new_ids[m.local_id], trust))
        memory.recall.append_messages(lc, thread_id=run[0].thread_id, turn=run[0].turn, **ident)
    skipped = _write_passages(memory, plan.passages, ident, use_vectors, trust)
    extras = {new_ids[m.local_id]: m.extras for m in plan.messages if m.extras}
    stored.save_message_extras(memory, extras, **ident)
    by_local = {m.local_id: m for m in plan.messages}
    context = [by_local[local] for local in plan.in_context]
    stored.save_profile(
        memory,
        {
            "settings": plan.profile,
            "blocks": plan.block_extras,
            "context": {
                "thread_id": context[-1].thread_id,
                "message_ids": [new_ids[m.local_id] for m in context],
            }
            if context
            else {},
        },
        **ident,
    )
    return skipped


def _write_passages(
    memory: Memory,
    passages: list[Passage],
    ident: dict[str, Any],
    use_vectors: bool,
    trust: str,
) -> int:
    already: dict[tuple[Any, ...], list[str]] = {}
    for hit in memory.archival.records(**ident):
        already.setdefault(_passage_key(hit.text, hit.metadata), []).append(hit.id)
    new_id: dict[str | None, str] = {}  # the file's passage id -> the stored record's id
    todo: list[Passage] = []
    skipped = 0
    for passage in passages:
        found = already.get(_passage_key(passage.text, passage.metadata))
        if found:
            new_id[passage.local_id] = found.pop(0)
            skipped += 1
        else:
            todo.append(passage)
    # One insert per run of equal tags (tags are per call), in file order, in batches.
    start = 0
    while start < len(todo):
        end = start + 1
        while (
            end < len(todo) and end - start < ARCHIVAL_BATCH and todo[end].tags == todo[start].tags
        ):
            end += 1
        batch = todo[start:end]
        ids = memory.archival.insert_many(
            [p.text for p in batch],
            tags=batch[0].tags,
            metadatas=[_stored_metadata(p.metadata) for p in batch],
            vectors=[p.vector for p in batch] if use_vectors else None,
            trust=trust,
            dedupe=False,  # a faithful copy: the file's records, as many as it holds
            **ident,
        )
        new_id.update(zip((p.local_id for p in batch), ids, strict=True))
        start = end
    _restore_validity(memory, passages, new_id, ident)
    return skipped


def _restore_validity(
    memory: Memory, passages: list[Passage], new_id: dict[str | None, str], ident: dict[str, str]
) -> None:
    """Supersede each imported record the file says was superseded, by its (new) successor.

    Runs after every record is stored, so a successor later in the file is there; a record
    already superseded (a re-run of an interrupted import) is left as it is. A record
    superseded by nothing (a fact that stopped being true, an archived core line a newer one
    replaced) or by a record the file does not hold stays superseded, by nothing: importing
    must not make a stale fact current again.
    """
    for passage in passages:
        by = passage.metadata.get("superseded_by")
        old, new = new_id.get(passage.local_id), new_id.get(by) if isinstance(by, str) else None
        if old is None or (new is None and not passage.metadata.get("superseded_at")):
            continue
        reason = str(passage.metadata.get("superseded_reason") or "superseded (imported)")
        try:
            memory.archival.supersede(old, by=new, reason=reason, **ident)
        except MemoryStoreError:
            continue  # already superseded: nothing to restore
