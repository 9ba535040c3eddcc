"""The ``memgpt`` key of an agent file: what Letta has no place for, which Letta ignores.

The format name and schema version, whose memory it was, the embedding model, each message's
thread and turn (``messages``: file message id -> ``{thread_id, turn}``) and archival memory
(``archival[]``: ``text``, ``tags``, ``citation``, ``metadata``, optional ``vector``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from langgraph_memgpt.memory._validate import check_id, check_tags, check_text, parse_when
from langgraph_memgpt.memory.io.agent_file.problems import Problems
from langgraph_memgpt.memory.tiers.archival import MAX_TEXT_CHARS, RESERVED_KEYS

FORMAT = "langgraph-memgpt-agent-file"
SCHEMA_VERSION = 1
EXTENSION = "memgpt"
MAX_ITEMS = 1_000_000
_CITATION = ("thread_id", "turn", "created_at", "source")


@dataclass
class Passage:
    """One archival record ready to store."""

    text: str
    tags: list[str]
    metadata: dict[str, Any]  # citation keys + the record's own metadata
    vector: list[float] | None = None
    local_id: str | None = None  # the file's id ("passage-3"), which superseded_by refers to


def listed(doc: dict[str, Any], key: str, p: Problems, where: str = "") -> list[Any]:
    """``doc[key]`` when it is a list of at most ``MAX_ITEMS`` entries (else a problem)."""
    value = doc.get(key, [])
    at = f"{where}{key}"
    if value is None:
        return []
    if not p.kind(at, value, list, "a list"):
        return []
    if len(value) > MAX_ITEMS:
        p.add(at, f"has {len(value)} entries; at most {MAX_ITEMS} are imported")
        return []
    return value


def extension(doc: dict[str, Any], p: Problems) -> dict[str, Any]:
    """The checked ``memgpt`` object ({} when the file has none: a Letta file)."""
    ext = doc.get(EXTENSION)
    if ext is None:
        return {}
    if not p.kind(EXTENSION, ext, dict, "an object"):
        return {}
    if ext.get("format") != FORMAT:
        p.add(f"{EXTENSION}.format", f"must be {FORMAT!r}, got {ext.get('format')!r}")
    version = ext.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        p.add(f"{EXTENSION}.schema_version", f"must be a positive integer, got {version!r}")
    elif version > SCHEMA_VERSION:
        p.add(
            f"{EXTENSION}.schema_version",
            f"{version} is newer than this langgraph-memgpt reads ({SCHEMA_VERSION}); upgrade it",
        )
    for key in ("user_id", "agent_id"):
        if ext.get(key) is not None:
            p.check(f"{EXTENSION}.{key}", check_id, ext[key], key)
    model = ext.get("embedding_model")
    if model is not None and not isinstance(model, str):
        p.add(f"{EXTENSION}.embedding_model", "must be a string")
    threads = ext.get("messages", {})
    if not p.kind(f"{EXTENSION}.messages", threads, dict, "an object"):
        ext = {**ext, "messages": {}}
    return ext


def place(ext: dict[str, Any], local: str, default_thread: str, p: Problems) -> Any:
    """(thread_id, turn) of a file message, or None with a problem recorded."""
    at = f"{EXTENSION}.messages[{local!r}]"
    where = ext.get("messages", {}).get(local, {})
    if not p.kind(at, where, dict, "an object"):
        return None
    thread = where.get("thread_id", default_thread)
    if p.check(f"{at}.thread_id", check_id, thread, "thread_id") is None:
        return None
    turn = where.get("turn")
    if turn is not None and (isinstance(turn, bool) or not isinstance(turn, int)):
        p.add(f"{at}.turn", "must be an integer")
        return None
    return thread, turn


def _finite_vector(vector: Any) -> bool:
    return (
        isinstance(vector, list)
        and bool(vector)
        and all(
            isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
            for x in vector
        )
    )


def passages(ext: dict[str, Any], p: Problems) -> list[Passage]:
    """The archival records of ``memgpt.archival``, checked."""
    out: list[Passage] = []
    dims: set[int] = set()
    for i, raw in enumerate(listed(ext, "archival", p, f"{EXTENSION}.")):
        where = f"{EXTENSION}.archival[{i}]"
        if not p.kind(where, raw, dict, "an object"):
            continue
        text = p.check(f"{where}.text", check_text, raw.get("text"), "text", MAX_TEXT_CHARS)
        tags = p.check(f"{where}.tags", check_tags, raw.get("tags"))
        citation, metadata = raw.get("citation", {}), raw.get("metadata", {})
        if not (
            p.kind(f"{where}.citation", citation, dict, "an object")
            and p.kind(f"{where}.metadata", metadata, dict, "an object")
        ):
            continue
        bad = [k for k in (*RESERVED_KEYS, *_CITATION) if k in metadata]
        if bad:
            p.add(f"{where}.metadata", f"may not set {', '.join(bad)}")
            continue
        unknown = set(citation) - set(_CITATION)
        if unknown:
            p.add(f"{where}.citation", f"unknown keys {', '.join(sorted(unknown))}")
            continue
        md = {k: v for k, v in citation.items() if v is not None}
        checks: list[tuple[str, Callable[[Any], Any]]] = [
            ("thread_id", partial(check_id, what="thread_id")),
            ("created_at", partial(parse_when, what="created_at")),
            ("source", partial(check_text, what="source", max_chars=4096)),
        ]
        failed = False
        for key, fn in checks:
            if key in md and p.check(f"{where}.citation.{key}", fn, md[key]) is None:
                failed = True
        turn = md.get("turn")
        if turn is not None and (isinstance(turn, bool) or not isinstance(turn, int)):
            p.add(f"{where}.citation.turn", "must be an integer")
            failed = True
        vector = raw.get("vector")
        if vector is not None:
            if not _finite_vector(vector):
                p.add(f"{where}.vector", "must be a non-empty list of finite numbers")
                failed = True
            else:
                dims.add(len(vector))
        if failed or text is None or tags is None:
            continue
        try:
            json.dumps(metadata)
        except (TypeError, ValueError, RecursionError):
            p.add(f"{where}.metadata", "must be plain JSON")
            continue
        local = raw.get("id") if isinstance(raw.get("id"), str) else None
        out.append(Passage(text, tags, {**metadata, **md}, vector, local))
    if len(dims) > 1:
        p.add(f"{EXTENSION}.archival", f"vectors have different lengths {sorted(dims)}")
    return out
