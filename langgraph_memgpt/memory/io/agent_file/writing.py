"""Writing a stored agent as an agent file (Letta's current layout plus our ``memgpt`` key).

An agent imported from a file gets back what the file said (``profile.py``): its name,
description, system prompt, tools (schema and source), tool rules, tags, LLM/embedding
settings and unknown fields; its blocks' extra fields; its messages' reasoning parts, tool
returns and Letta roles. An agent made here gets Letta's fields with this store's values.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langgraph_memgpt.memory._validate import check_id, now_iso
from langgraph_memgpt.memory.io.agent_file import profile as stored
from langgraph_memgpt.memory.io.agent_file.extension import EXTENSION, FORMAT, SCHEMA_VERSION
from langgraph_memgpt.memory.search.embeddings import embedder_identity
from langgraph_memgpt.memory.tiers.archival import CITATION_KEYS
from langgraph_memgpt.memory.types import DEFAULT_AGENT_ID, MemoryStoreError, SearchHit

if TYPE_CHECKING:
    from langgraph_memgpt.memory.memory import Memory

_HIT_KEYS = {*CITATION_KEYS, "tags", "user_id", "agent_id", "vector"}
#: A block's Letta fields, for a block made here (an imported block keeps its own).
_BLOCK_DEFAULTS: dict[str, Any] = {
    "metadata": {},
    "read_only": False,
    "is_template": False,
    "preserve_on_migration": False,
}


def _openai_tool_calls(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": call.get("id"),
            "type": "function",
            "function": {
                "name": call.get("name"),
                "arguments": json.dumps(call.get("args", {}), ensure_ascii=False),
            },
        }
        for call in calls
    ]


def _message_entry(
    local: str, hit: SearchHit, agent_local: str, extras: dict[str, Any]
) -> dict[str, Any]:
    md = hit.metadata
    entry: dict[str, Any] = {
        "id": local,
        "role": md["role"],
        "content": [{"type": "text", "text": hit.text}],
        "name": md.get("name"),
        "agent_id": agent_local,
        "created_at": md.get("created_at"),
    }
    if md.get("tool_calls"):
        entry["tool_calls"] = _openai_tool_calls(md["tool_calls"])
    if md.get("tool_call_id"):
        entry["tool_call_id"] = md["tool_call_id"]
    entry.update(extras)  # reasoning parts, tool returns, Letta's role, unknown fields
    return entry


def _passage_entry(local: str, hit: SearchHit, vectors: bool) -> dict[str, Any]:
    md = hit.metadata
    entry: dict[str, Any] = {
        "id": local,
        "text": hit.text,
        "tags": list(md.get("tags") or []),
        "citation": {key: md.get(key) for key in CITATION_KEYS},
        # Everything else the record carries (chunk/page/heading, validity, trust, ...).
        "metadata": {k: v for k, v in md.items() if k not in _HIT_KEYS},
    }
    if vectors and md.get("vector") is not None:
        entry["vector"] = [float(x) for x in md["vector"]]
    return entry


def _local_validity(passages: list[dict[str, Any]], record_ids: list[str]) -> None:
    """Point ``superseded_by`` at the file's passage ids (store ids are not exported) and drop
    the ``supersedes`` list, which the import rebuilds from ``superseded_by``."""
    local = {rid: p["id"] for rid, p in zip(record_ids, passages, strict=True)}
    for passage in passages:
        md = passage["metadata"]
        md.pop("supersedes", None)
        if md.get("superseded_by") is not None:
            md["superseded_by"] = local.get(md["superseded_by"])


def _messages(
    memory: Memory, user_id: str, agent_id: str, context: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, Any], list[str]]:
    """Message entries, their threads and turns, and the ids of those in context: the ones
    an import said were, while the imported thread is the newest; else the newest thread."""
    extras = stored.load_message_extras(memory, user_id=user_id, agent_id=agent_id)
    messages, places, local_of = [], {}, {}
    for i, hit in enumerate(memory.recall.all_messages(user_id=user_id, agent_id=agent_id)):
        local = f"message-{i}"
        local_of[hit.id] = local
        messages.append(_message_entry(local, hit, "agent-0", extras.get(hit.id, {})))
        places[local] = {"thread_id": hit.metadata["thread_id"], "turn": hit.metadata["turn"]}
    latest = places[f"message-{len(messages) - 1}"]["thread_id"] if messages else None
    if context and context.get("thread_id") == latest:
        in_context = [local_of[m] for m in context.get("message_ids", []) if m in local_of]
    else:
        in_context = [m for m, place in places.items() if place["thread_id"] == latest]
    return messages, places, in_context


def export_agent(
    memory: Memory,
    *,
    user_id: str,
    agent_id: str = DEFAULT_AGENT_ID,
    vectors: bool = False,
) -> dict[str, Any]:
    """One (user, agent)'s memory and settings as an agent-file document (JSON-ready).

    ``vectors`` includes each archival record's stored vector (large; only useful to an
    importer with the same embedding model, which then skips embedding).
    """
    check_id(user_id, "user_id")
    check_id(agent_id, "agent_id")
    kept = stored.load_profile(memory, user_id=user_id, agent_id=agent_id)
    settings = dict(kept.get("settings") or {})
    block_extras = kept.get("blocks") or {}
    blocks = [
        {
            "id": f"block-{i}",
            "label": b.label,
            "value": b.value,
            "limit": b.limit,
            "description": b.description,
            **(block_extras.get(b.label) or _BLOCK_DEFAULTS),
        }
        for i, b in enumerate(memory.core.get(user_id=user_id, agent_id=agent_id).values())
    ]
    tools = [{**tool, "id": f"tool-{i}"} for i, tool in enumerate(settings.pop("tools", []))]
    messages, places, in_context = _messages(memory, user_id, agent_id, kept.get("context") or {})
    records = list(
        memory.archival.records(user_id=user_id, agent_id=agent_id, with_vectors=vectors)
    )
    passages = [_passage_entry(f"passage-{i}", hit, vectors) for i, hit in enumerate(records)]
    _local_validity(passages, [hit.id for hit in records])
    embedder = memory.archival.embeddings
    model = None if embedder is None else embedder_identity(embedder)
    from langgraph_memgpt import __version__ as version

    created = now_iso()
    agent: dict[str, Any] = {
        "id": "agent-0",
        "name": agent_id,
        "agent_type": "memgpt_agent",
        "description": f"langgraph-memgpt memory of user {user_id}",
        "system": "",
        "tags": [],
        "tool_rules": [],
        "metadata": {},
        "embedding_config": {
            "embedding_model": model,
            "embedding_dim": memory.archival.dim,
            "embedding_endpoint_type": "local",
        },
        **settings,  # what an imported agent's file said, unknown fields included
        "block_ids": [b["id"] for b in blocks],
        "tool_ids": [t["id"] for t in tools],
        "source_ids": [],
        "messages": messages,
        "in_context_message_ids": in_context,
        "files_agents": [],
        "group_ids": [],
    }
    return {
        "agents": [agent],
        "blocks": blocks,
        "tools": tools,
        **{key: [] for key in ("groups", "files", "sources", "mcp_servers", "skills")},
        "metadata": {
            "format": FORMAT,
            "schema_version": str(SCHEMA_VERSION),
            "exported_by": f"langgraph-memgpt {version}",
        },
        "created_at": created,
        EXTENSION: {
            "format": FORMAT,
            "schema_version": SCHEMA_VERSION,
            "user_id": user_id,
            "agent_id": agent_id,
            "exported_at": created,
            "embedding_model": model,
            "embedding_dim": memory.archival.dim,
            "messages": places,
            "archival": passages,
        },
    }


def write_json(document: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write a document atomically (a temporary file renamed into place)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(document, out, ensure_ascii=False, indent=1)
        os.replace(tmp, path)
    except OSError as exc:
        raise MemoryStoreError(f"cannot write {path}: {exc.strerror or exc}.") from exc
    return path


def export_to_file(
    memory: Memory,
    path: str | os.PathLike[str],
    *,
    user_id: str,
    agent_id: str = DEFAULT_AGENT_ID,
    vectors: bool = False,
) -> Path:
    """``export_agent`` written to ``path`` (JSON, UTF-8)."""
    document = export_agent(memory, user_id=user_id, agent_id=agent_id, vectors=vectors)
    return write_json(document, path)
