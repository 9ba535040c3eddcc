"""The agent file: one versioned JSON document holding an agent's whole memory.

The layout is Letta's Agent File (``.af``, ``letta/schemas/agent_file.py``) where it maps, so a
file exported by Letta imports its blocks and messages, and Letta reads ours the same way:

* ``agents[]``: ``id`` (a file-local id such as ``agent-0``), ``name``, ``block_ids``,
  ``messages[]`` (``id`` such as ``message-0``, ``role``, ``content`` as a string or Letta's
  ``[{"type": "text", "text": ...}]``, ``name``, ``tool_calls`` in OpenAI's format,
  ``tool_call_id``, ``created_at``), ``in_context_message_ids``, ``embedding_config``;
* ``blocks[]``: ``id`` (``block-0``), ``label``, ``value``, ``limit``, ``description``;
* ``groups``, ``files``, ``sources``, ``tools``, ``mcp_servers`` (empty in ours, ignored on
  import), ``metadata`` (strings only, as in Letta) and ``created_at``.

What Letta has no place for sits under the ``memgpt`` key, which Letta ignores: the format name
and schema version, whose memory it was, the embedding model, each message's thread and turn,
and archival memory (``archival[]``: ``text``, ``tags``, ``citation``, ``metadata``, optional
``vector``). File-local ids are never stored: import gives everything new ids.

:func:`parse` checks a whole document before anything is written and raises one
:class:`AgentFileError` listing every problem, each with its JSON path.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from langgraph_memgpt.memory._validate import check_id, check_tags, check_text, parse_when
from langgraph_memgpt.memory.tiers.archival import MAX_TEXT_CHARS, RESERVED_KEYS
from langgraph_memgpt.memory.tiers.core import _LABEL, DEFAULT_LIMIT, MAX_LIMIT
from langgraph_memgpt.memory.tiers.recall import MAX_MESSAGE_CHARS, ROLES
from langgraph_memgpt.memory.types import Block, MemoryStoreError

FORMAT = "langgraph-memgpt-agent-file"
SCHEMA_VERSION = 1
EXTENSION = "memgpt"
#: Letta's roles that are ours under another name ("function" is OpenAI's old "tool").
LETTA_ROLES = {"function": "tool"}
LETTA_LISTS = ("groups", "files", "sources", "tools", "mcp_servers")
MAX_ITEMS = 1_000_000
MAX_PROBLEMS_SHOWN = 50


class AgentFileError(MemoryStoreError):
    """A document that cannot be imported; ``problems`` lists every reason found."""

    def __init__(self, problems: list[str], where: str = "the agent file") -> None:
        self.problems = problems
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        lines = "\n".join(f"  - {p}" for p in shown)
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(
            f"{len(problems)} problem(s) in {where}; nothing was imported:\n{lines}{tail}"
        )


@dataclass
class Message:
    """One recall message ready to store (times as stored, tool calls in LangChain form)."""

    local_id: str
    role: str
    content: str
    created_at: str | None
    thread_id: str
    turn: int | None = None
    name: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    tool_call_id: str | None = None


@dataclass
class Passage:
    """One archival record ready to store."""

    text: str
    tags: list[str]
    metadata: dict[str, Any]  # citation keys + the record's own metadata
    vector: list[float] | None = None
    local_id: str | None = None  # the file's id ("passage-3"), which superseded_by refers to


@dataclass
class AgentPlan:
    """Everything an import would write, checked."""

    kind: str  # "memgpt" (ours) or "letta"
    agent_name: str
    user_id: str | None
    agent_id: str | None
    embedding_model: str | None
    blocks: list[Block]
    messages: list[Message]
    in_context: list[str]
    passages: list[Passage]


class _Problems:
    """Collects problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def check(self, where: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)``, or None with its MemoryStoreError recorded."""
        try:
            return fn(*args, **kwargs)
        except MemoryStoreError as exc:
            self.add(where, str(exc).rstrip("."))
            return None

    def kind(self, where: str, value: Any, types: type | tuple[type, ...], name: str) -> bool:
        if isinstance(value, types) and not isinstance(value, bool):
            return True
        self.add(where, f"must be {name}, got {type(value).__name__}")
        return False


def loads(data: bytes | str, where: str = "the agent file") -> Any:
    """JSON text to Python, with a clear error for truncated or malformed text."""
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        # ``msg`` may end mid-phrase ("Unterminated string starting at"): the place completes it.
        place = f"line {exc.lineno} column {exc.colno}"
        what = f"{exc.msg} {place}" if exc.msg.endswith(" at") else f"{exc.msg} at {place}"
        rest = data[exc.pos + 1 :]
        unclosed = exc.msg.startswith("Unterminated string") and (
            '"' not in rest if isinstance(rest, str) else b'"' not in rest
        )
        hint = " (the file looks truncated)" if exc.pos >= len(data) - 1 or unclosed else ""
        raise AgentFileError([f"not valid JSON: {what}{hint}"], where) from None
    except (RecursionError, UnicodeDecodeError, ValueError) as exc:
        raise AgentFileError([f"cannot be read as JSON: {type(exc).__name__}"], where) from None


def _text_of(content: Any, where: str, problems: _Problems) -> str | None:
    """A message's text: a string, or the text parts of Letta's content list."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for i, part in enumerate(content):
            if isinstance(part, dict) and part.get("type") == "text":
                if isinstance(part.get("text"), str):
                    parts.append(part["text"])
                else:
                    problems.add(f"{where}[{i}].text", "must be a string")
            elif not isinstance(part, dict):
                problems.add(f"{where}[{i}]", "must be an object")
            # other parts (images, reasoning) have no text to keep
        return "\n".join(parts)
    problems.add(where, "must be a string or a list of content parts")
    return None


def _tool_calls(value: Any, where: str, problems: _Problems) -> list[dict[str, Any]]:
    """OpenAI-format tool calls as LangChain's ``{name, args, id, type}``."""
    if value is None:
        return []
    if not problems.kind(where, value, list, "a list"):
        return []
    calls = []
    for i, call in enumerate(value):
        at = f"{where}[{i}]"
        if not problems.kind(at, call, dict, "an object"):
            continue
        fn = call.get("function")
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not fn["name"]:
            problems.add(at, "needs function.name")
            continue
        raw = fn.get("arguments", "{}")
        try:
            args = json.loads(raw) if isinstance(raw, str) else raw
        except (json.JSONDecodeError, RecursionError):
            problems.add(f"{at}.function.arguments", "is not valid JSON")
            continue
        if not isinstance(args, dict):
            problems.add(f"{at}.function.arguments", "must be a JSON object")
            continue
        call_id = call.get("id")
        if call_id is not None and not isinstance(call_id, str):
            problems.add(f"{at}.id", "must be a string")
            continue
        calls.append({"name": fn["name"], "args": args, "id": call_id, "type": "tool_call"})
    return calls


def _unique_ids(items: list[Any], where: str, problems: _Problems) -> dict[str, int]:
    ids: dict[str, int] = {}
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        local = item.get("id")
        if not isinstance(local, str) or not local:
            problems.add(f"{where}[{i}].id", "must be a non-empty string")
        elif local in ids:
            problems.add(f"{where}[{i}].id", f"{local!r} is used twice")
        else:
            ids[local] = i
    return ids


def _list(doc: dict[str, Any], key: str, problems: _Problems, where: str = "") -> list[Any]:
    value = doc.get(key, [])
    at = f"{where}{key}"
    if not problems.kind(at, value, list, "a list"):
        return []
    if len(value) > MAX_ITEMS:
        problems.add(at, f"has {len(value)} entries; at most {MAX_ITEMS} are imported")
        return []
    return value


def _blocks(doc: dict[str, Any], agent: dict[str, Any], p: _Problems, at: str) -> list[Block]:
    blocks = _list(doc, "blocks", p)
    ids = _unique_ids(blocks, "blocks", p)
    wanted = agent.get("block_ids")
    if wanted is None:
        chosen = list(range(len(blocks)))
    elif not p.kind(f"{at}.block_ids", wanted, list, "a list"):
        chosen = []
    else:
        chosen = []
        for j, ref in enumerate(wanted):
            if not isinstance(ref, str) or ref not in ids:
                p.add(f"{at}.block_ids[{j}]", f"{ref!r} is not the id of a block in this file")
            else:
                chosen.append(ids[ref])
    out: list[Block] = []
    labels: set[str] = set()
    for i in chosen:
        raw, where = blocks[i], f"blocks[{i}]"
        if not p.kind(where, raw, dict, "an object"):
            continue
        label, value = raw.get("label"), raw.get("value", "")
        if not isinstance(label, str) or not _LABEL.match(label):
            p.add(
                f"{where}.label", f"{label!r} is not a block label (1-64 letters, digits, _ or -)"
            )
            continue
        if label in labels:
            p.add(f"{where}.label", f"block {label!r} appears twice for this agent")
        labels.add(label)
        if not p.kind(f"{where}.value", value, str, "a string"):
            continue
        limit = raw.get("limit")
        if limit is None:
            limit = max(DEFAULT_LIMIT, len(value))
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            p.add(f"{where}.limit", f"must be an integer from 1 to {MAX_LIMIT}, got {limit!r}")
            continue
        if len(value) > limit:
            p.add(f"{where}.value", f"has {len(value)} characters, over its limit {limit}")
            continue
        description = raw.get("description") or ""
        if not p.kind(f"{where}.description", description, str, "a string"):
            continue
        ok = p.check(f"{where}.value", check_text, value, "value", MAX_LIMIT, allow_empty=True)
        ok2 = p.check(
            f"{where}.description",
            check_text,
            description,
            "description",
            2000,
            allow_empty=True,
        )
        if ok is not None and ok2 is not None:
            out.append(Block(label, value, limit, description))
    return out


def _messages(
    agent: dict[str, Any], ext: dict[str, Any], p: _Problems, at: str, default_thread: str
) -> tuple[list[Message], list[str]]:
    raw_messages = _list(agent, "messages", p, f"{at}.")
    ids = _unique_ids(raw_messages, f"{at}.messages", p)
    threads = ext.get("messages", {})
    if not p.kind(f"{EXTENSION}.messages", threads, dict, "an object"):
        threads = {}
    out: list[Message] = []
    for i, raw in enumerate(raw_messages):
        where = f"{at}.messages[{i}]"
        if not p.kind(where, raw, dict, "an object"):
            continue
        local = raw.get("id")
        role = (
            LETTA_ROLES.get(raw.get("role"), raw.get("role"))
            if isinstance(raw.get("role"), str)
            else raw.get("role")
        )
        if role == "approval":  # a human-in-the-loop approval: no text of the conversation
            continue
        if role not in ROLES:
            p.add(f"{where}.role", f"must be one of {', '.join(ROLES)}, got {role!r}")
            continue
        text = _text_of(raw.get("content"), f"{where}.content", p)
        if text is None:
            continue
        if (
            p.check(
                f"{where}.content",
                check_text,
                text,
                "content",
                MAX_MESSAGE_CHARS,
                allow_empty=True,
            )
            is None
        ):
            continue
        created = raw.get("created_at")
        when = (
            None
            if created is None
            else p.check(f"{where}.created_at", parse_when, created, "created_at")
        )
        if created is not None and when is None:
            continue
        place = threads.get(local, {}) if isinstance(local, str) else {}
        if not p.kind(f"{EXTENSION}.messages[{local!r}]", place, dict, "an object"):
            continue
        thread = place.get("thread_id", default_thread)
        if (
            p.check(
                f"{EXTENSION}.messages[{local!r}].thread_id",
                check_id,
                thread,
                "thread_id",
            )
            is None
        ):
            continue
        turn = place.get("turn")
        if turn is not None and (isinstance(turn, bool) or not isinstance(turn, int)):
            p.add(f"{EXTENSION}.messages[{local!r}].turn", "must be an integer")
            continue
        name, call_id = raw.get("name"), raw.get("tool_call_id")
        if name is not None and not isinstance(name, str):
            p.add(f"{where}.name", "must be a string")
            continue
        if call_id is not None and not isinstance(call_id, str):
            p.add(f"{where}.tool_call_id", "must be a string")
            continue
        calls = _tool_calls(raw.get("tool_calls"), f"{where}.tool_calls", p)
        out.append(
            Message(
                local_id=str(local),
                role=role,
                content=text,
                created_at=when,
                thread_id=thread,
                turn=turn,
                name=name,
                tool_calls=calls if role == "assistant" else [],
                tool_call_id=call_id,
            )
        )
    in_context = _list(agent, "in_context_message_ids", p, f"{at}.")
    for j, ref in enumerate(in_context):
        if not isinstance(ref, str) or ref not in ids:
            p.add(f"{at}.in_context_message_ids[{j}]", f"{ref!r} is not a message in this agent")
    return out, [r for r in in_context if isinstance(r, str) and r in ids]


def _passages(ext: dict[str, Any], p: _Problems) -> list[Passage]:
    out: list[Passage] = []
    dims: set[int] = set()
    for i, raw in enumerate(_list(ext, "archival", p, f"{EXTENSION}.")):
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
        bad = [
            k
            for k in (*RESERVED_KEYS, "thread_id", "turn", "created_at", "source")
            if k in metadata
        ]
        if bad:
            p.add(f"{where}.metadata", f"may not set {', '.join(bad)}")
            continue
        unknown = set(citation) - {"thread_id", "turn", "created_at", "source"}
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
            if (
                not isinstance(vector, list)
                or not vector
                or not all(
                    isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
                    for x in vector
                )
            ):
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


def _extension(doc: dict[str, Any], p: _Problems) -> dict[str, Any]:
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
    return ext


def parse(doc: Any, *, agent: str | None = None, where: str = "the agent file") -> AgentPlan:
    """Check a whole agent document and return what importing it would write.

    ``agent`` picks one of several agents by its file id or name. Raises
    :class:`AgentFileError` listing every problem at once.
    """
    p = _Problems()
    if not isinstance(doc, dict):
        raise AgentFileError(
            [f"the document must be a JSON object, got {type(doc).__name__}"], where
        )
    ext = _extension(doc, p)
    agents = _list(doc, "agents", p)
    for key in LETTA_LISTS:
        _list(doc, key, p)
    chosen: dict[str, Any] | None = None
    index = 0
    if not agents and "agents" in doc:
        p.add("agents", "is empty: there is no agent to import")
    elif "agents" not in doc:
        p.add("agents", "is missing: this is not an agent file")
    elif agent is not None:
        matches = [
            i
            for i, a in enumerate(agents)
            if isinstance(a, dict) and agent in (a.get("id"), a.get("name"))
        ]
        if not matches:
            p.add("agents", f"no agent with id or name {agent!r}")
        else:
            index = matches[0]
            chosen = agents[index]
    elif len(agents) > 1:
        names = [a.get("name") or a.get("id") for a in agents if isinstance(a, dict)]
        p.add("agents", f"holds {len(agents)} agents ({', '.join(map(str, names))}); pick one")
    else:
        chosen = agents[0]
    if chosen is not None and not p.kind(f"agents[{index}]", chosen, dict, "an object"):
        chosen = None
    if chosen is None:
        raise AgentFileError(p.items or ["no agent to import"], where)
    at = f"agents[{index}]"
    name = chosen.get("name") or chosen.get("id") or "agent"
    if not isinstance(name, str):
        p.add(f"{at}.name", "must be a string")
        name = "agent"
    default_thread = f"imported-{name}"[:256]
    blocks = _blocks(doc, chosen, p, at)
    messages, in_context = _messages(chosen, ext, p, at, default_thread)
    passages = _passages(ext, p)
    model = ext.get("embedding_model")
    if model is None and isinstance(chosen.get("embedding_config"), dict):
        model = chosen["embedding_config"].get("embedding_model")
    if model is not None and not isinstance(model, str):
        p.add(f"{EXTENSION}.embedding_model", "must be a string")
        model = None
    if p.items:
        raise AgentFileError(p.items, where)
    return AgentPlan(
        kind="memgpt" if ext else "letta",
        agent_name=name,
        user_id=ext.get("user_id"),
        agent_id=ext.get("agent_id"),
        embedding_model=model,
        blocks=blocks,
        messages=messages,
        in_context=in_context,
        passages=passages,
    )
