"""Reading an agent file: every layout checked whole, one plan per agent, nothing written.

:func:`parse_agents` detects the layout (``models.detect_layout``; a legacy file is turned
into the current layout first), validates each entry with the pydantic models of
``models.py`` and the store's own rules, and raises one :class:`AgentFileError` listing every
problem. What the tiers do not hold (the agent's name, system prompt, tools, tool rules, tags,
LLM/embedding settings, unknown fields; a message's reasoning and tool returns; a block's
``read_only`` and metadata) is kept in the plan as data, to be stored beside the agent and
written back on export.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from langgraph_memgpt.memory._validate import check_text, parse_when
from langgraph_memgpt.memory.io.agent_file.extension import (
    EXTENSION,
    Passage,
    extension,
    listed,
    passages,
    place,
)
from langgraph_memgpt.memory.io.agent_file.models import (
    AgentFileModel,
    AgentModel,
    BlockModel,
    MessageModel,
    ToolModel,
    detect_layout,
    to_current,
)
from langgraph_memgpt.memory.io.agent_file.problems import AgentFileError, Problems
from langgraph_memgpt.memory.tiers.core import DEFAULT_LIMIT, MAX_LIMIT, label_problem
from langgraph_memgpt.memory.tiers.recall import MAX_MESSAGE_CHARS, ROLES
from langgraph_memgpt.memory.types import Block

#: Letta's roles that are ours under another name ("function" is OpenAI's old "tool").
LETTA_ROLES = {"function": "tool", "summary": "system"}
#: Letta roles with no conversation text to keep (a human-in-the-loop approval).
SKIPPED_ROLES = ("approval",)
#: Agent fields that are file structure, not the agent's settings.
_AGENT_STRUCTURE = (
    "id",
    "messages",
    "in_context_message_ids",
    "block_ids",
    "tool_ids",
    "files_agents",
    "group_ids",
)
_BLOCK_KEPT = ("id", "label", "value", "limit", "description")
_MESSAGE_KEPT = ("id", "role", "content", "name", "tool_calls", "tool_call_id", "created_at")


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
    #: What recall does not hold, written back on export: reasoning and other content
    #: parts, ``tool_returns``, Letta's role when it is not ours, unknown fields.
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class AgentPlan:
    """Everything importing one agent would write, checked."""

    kind: str  # "memgpt" (ours) or "letta"
    layout: str  # "current" or "legacy"
    local_id: str  # the agent's id in the file ("agent-0")
    agent_name: str
    user_id: str | None
    agent_id: str | None
    embedding_model: str | None
    blocks: list[Block]
    messages: list[Message]
    in_context: list[str]
    passages: list[Passage]
    #: The agent's settings as data (name, system, tools with schema and source, tool rules,
    #: tags, llm/embedding config, unknown fields): stored, exported, never executed.
    profile: dict[str, Any] = field(default_factory=dict)
    block_extras: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0  # messages with no conversation text (approvals)


def _text_of(content: Any) -> tuple[str, bool]:
    """A message's text (its text parts joined) and whether the content was only that."""
    if content is None:
        return "", True
    if isinstance(content, str):
        return content, True
    texts = [part.text or "" for part in content if part.type == "text"]
    plain = len(content) == 1 and texts != [] and not content[0].model_extra
    return "\n".join(texts), plain


def _tool_calls(message: MessageModel, where: str, p: Problems) -> list[dict[str, Any]] | None:
    """OpenAI-format tool calls as LangChain's ``{name, args, id, type}``."""
    calls = []
    for i, call in enumerate(message.tool_calls or []):
        at = f"{where}.tool_calls[{i}].function.arguments"
        raw = call.function.arguments
        try:
            args = json.loads(raw) if isinstance(raw, str) else raw
        except (json.JSONDecodeError, RecursionError):
            p.add(at, "is not valid JSON")
            return None
        if not isinstance(args, dict):
            p.add(at, "must be a JSON object")
            return None
        calls.append({"name": call.function.name, "args": args, "id": call.id, "type": "tool_call"})
    return calls


def _blocks(
    doc: dict[str, Any], agent: AgentModel, at: str, p: Problems, plan: AgentPlan
) -> list[Block]:
    raw_blocks = listed(doc, "blocks", p)
    ids = {b["id"]: i for i, b in enumerate(raw_blocks) if isinstance(b, dict) and "id" in b}
    chosen = list(range(len(raw_blocks))) if agent.block_ids is None else []
    for j, ref in enumerate(agent.block_ids or []):
        if ref not in ids:
            p.add(f"{at}.block_ids[{j}]", f"{ref!r} is not the id of a block in this file")
        else:
            chosen.append(ids[ref])
    out: list[Block] = []
    for i in chosen:
        where = f"blocks[{i}]"
        block = p.model(BlockModel, raw_blocks[i], where)
        if block is None:
            continue
        problem = label_problem(block.label)
        if problem is not None:
            p.add(f"{where}.label", problem)
            continue
        if block.label in plan.block_extras:
            p.add(f"{where}.label", f"block {block.label!r} appears twice for this agent")
            continue
        value, description = block.value, block.description or ""
        ok = p.check(f"{where}.value", check_text, value, "value", MAX_LIMIT, allow_empty=True)
        ok2 = p.check(
            f"{where}.description", check_text, description, "description", 2000, allow_empty=True
        )
        limit = max(DEFAULT_LIMIT, len(value)) if block.limit is None else block.limit
        if limit < 1:
            p.add(f"{where}.limit", f"must be a positive integer, got {limit}")
            continue
        if limit > MAX_LIMIT:
            plan.warnings.append(
                f"block {block.label!r}: limit {limit} is over the {MAX_LIMIT} a block may have "
                f"here; set to {MAX_LIMIT}"
            )
            limit = MAX_LIMIT
        if len(value) > limit:
            plan.warnings.append(
                f"block {block.label!r} holds {len(value)} characters, over its limit {limit}: "
                f"imported whole with its limit raised to {len(value)}"
            )
            limit = len(value)
        if ok is None or ok2 is None:
            continue
        raw = raw_blocks[i]
        plan.block_extras[block.label] = {
            k: v for k, v in raw.items() if k not in _BLOCK_KEPT and v is not None
        }
        out.append(Block(block.label, value, limit, description))
    return out


def _message(
    raw: Any, where: str, ext: dict[str, Any], default_thread: str, p: Problems
) -> Message | None:
    message = p.model(MessageModel, raw, where)
    if message is None:
        return None
    role = LETTA_ROLES.get(message.role, message.role)
    if role not in ROLES:
        p.add(f"{where}.role", f"must be one of {', '.join(ROLES)}, got {message.role!r}")
        return None
    text, plain = _text_of(message.content)
    if (
        p.check(
            f"{where}.content", check_text, text, "content", MAX_MESSAGE_CHARS, allow_empty=True
        )
        is None
    ):
        return None
    when = None
    if message.created_at is not None:
        when = p.check(f"{where}.created_at", parse_when, message.created_at, "created_at")
        if when is None:
            return None
    located = place(ext, message.id, default_thread, p)
    calls = _tool_calls(message, where, p)
    if located is None or calls is None:
        return None
    extras = {k: v for k, v in raw.items() if k not in _MESSAGE_KEPT and v not in (None, [])}
    extras.pop("agent_id", None)  # the file-local agent id: written anew on export
    if not plain:
        extras["content"] = raw["content"]
    if role != message.role:
        extras["role"] = message.role
    return Message(
        local_id=message.id,
        role=role,
        content=text,
        created_at=when,
        thread_id=located[0],
        turn=located[1],
        name=message.name,
        tool_calls=calls if role == "assistant" else [],
        tool_call_id=message.tool_call_id,
        extras=extras,
    )


def _messages(
    agent: AgentModel, at: str, ext: dict[str, Any], p: Problems, plan: AgentPlan
) -> None:
    default_thread = f"imported-{plan.agent_name}"[:256]
    ids: set[str] = set()
    for i, raw in enumerate(agent.messages):
        where = f"{at}.messages[{i}]"
        local = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(local, str) and local in ids:
            p.add(f"{where}.id", f"{local!r} is used twice")
            continue
        if isinstance(local, str):
            ids.add(local)
        if isinstance(raw, dict) and raw.get("role") in SKIPPED_ROLES:
            plan.skipped += 1
            continue
        message = _message(raw, where, ext, default_thread, p)
        if message is not None:
            plan.messages.append(message)
    kept = {m.local_id for m in plan.messages}
    for j, ref in enumerate(agent.in_context_message_ids):
        if ref not in ids:
            p.add(f"{at}.in_context_message_ids[{j}]", f"{ref!r} is not a message in this agent")
        elif ref in kept:
            plan.in_context.append(ref)


def _profile(
    doc: dict[str, Any], raw: dict[str, Any], agent: AgentModel, at: str, p: Problems
) -> dict[str, Any]:
    """The agent's settings as data, its tools (schema and source) included."""
    profile = {k: v for k, v in raw.items() if k not in _AGENT_STRUCTURE and v is not None}
    raw_tools = listed(doc, "tools", p)
    by_id = {t.get("id"): i for i, t in enumerate(raw_tools) if isinstance(t, dict)}
    wanted = range(len(raw_tools)) if agent.tool_ids is None else []
    for j, ref in enumerate(agent.tool_ids or []):
        if ref not in by_id:
            p.add(f"{at}.tool_ids[{j}]", f"{ref!r} is not the id of a tool in this file")
        else:
            wanted = [*wanted, by_id[ref]]
    tools = []
    for i in wanted:
        if p.model(ToolModel, raw_tools[i], f"tools[{i}]") is not None:
            tools.append({k: v for k, v in raw_tools[i].items() if k != "id"})
    if tools:
        profile["tools"] = tools
    else:
        profile.pop("tools", None)
    return profile


def _embedding_model(agent: AgentModel) -> str | None:
    model = (agent.embedding_config or {}).get("embedding_model")
    return model if isinstance(model, str) else None


def _pick(agents: list[Any], agent: str | None, p: Problems) -> list[int]:
    if not agents:
        p.add("agents", "is empty: there is no agent to import")
        return []
    if agent is None:
        return list(range(len(agents)))
    matches = [
        i
        for i, a in enumerate(agents)
        if isinstance(a, dict) and agent in (a.get("id"), a.get("name"))
    ]
    if not matches:
        names = [str(a.get("name") or a.get("id")) for a in agents if isinstance(a, dict)]
        p.add("agents", f"no agent with id or name {agent!r} (the file holds {', '.join(names)})")
    return matches[:1]


def parse_agents(
    doc: Any, *, agent: str | None = None, where: str = "the agent file"
) -> list[AgentPlan]:
    """Check a whole agent document; one plan per agent (or the one ``agent`` names, by file
    id or name). Raises :class:`AgentFileError` listing every problem at once."""
    if isinstance(doc, str) and doc.lstrip().startswith("{"):
        from langgraph_memgpt.memory.io.agent_file.problems import loads

        doc = loads(doc, where)  # a document encoded twice
    if not isinstance(doc, dict):
        raise AgentFileError(
            [f"the document must be a JSON object, got {type(doc).__name__}"], where
        )
    p = Problems()
    layout = detect_layout(doc)
    if layout is None:
        raise AgentFileError(
            [
                "agents: is missing: this is not an agent file (neither Letta's current layout, "
                "with agents[], nor the one before October 2025, with core_memory)"
            ],
            where,
        )
    if layout == "legacy":
        converted, found = to_current(doc)
        for problem in found:
            p.add(*problem.split(": ", 1))
        doc = {**converted, EXTENSION: doc.get(EXTENSION)} if EXTENSION in doc else converted
    ext = extension(doc, p)
    top = p.model(AgentFileModel, {k: v for k, v in doc.items() if k != EXTENSION}, "")
    plans: list[AgentPlan] = []
    for index in _pick(listed(doc, "agents", p) if top else [], agent, p):
        raw, at = doc["agents"][index], f"agents[{index}]"
        model = p.model(AgentModel, raw, at)
        if model is None:
            continue
        plan = AgentPlan(
            kind="memgpt" if ext else "letta",
            layout=layout,
            local_id=model.id,
            agent_name=model.name or model.id,
            user_id=ext.get("user_id"),
            agent_id=ext.get("agent_id"),
            embedding_model=ext.get("embedding_model") or _embedding_model(model),
            blocks=[],
            messages=[],
            in_context=[],
            passages=[],
        )
        plan.blocks = _blocks(doc, model, at, p, plan)
        _messages(model, at, ext, p, plan)
        plan.profile = _profile(doc, raw, model, at, p)
        plans.append(plan)
    if plans and ext:
        plans[0].passages = passages(ext, p)
    if p.items or not plans:
        raise AgentFileError(p.items or ["no agent to import"], where)
    return plans


def parse(doc: Any, *, agent: str | None = None, where: str = "the agent file") -> AgentPlan:
    """The one agent of a document (or the one ``agent`` names); see :func:`parse_agents`."""
    plans = parse_agents(doc, agent=agent, where=where)
    if len(plans) > 1:
        names = ", ".join(plan.agent_name for plan in plans)
        raise AgentFileError([f"agents: holds {len(plans)} agents ({names}); pick one"], where)
    return plans[0]
