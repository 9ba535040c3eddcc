"""Pydantic models of Letta's agent file (``.af``), both layouts, and the layout detector.

Written from Letta's published schema (``letta/schemas/agent_file.py``: ``AgentFileSchema``,
``AgentSchema``, ``BlockSchema``, ``MessageSchema``, ``ToolSchema``) and the files it exports:

* **current** (Letta from about 0.12, October 2025): ``agents[]``, ``blocks[]``, ``tools[]``,
  ``groups[]``, ``files[]``, ``sources[]``, ``mcp_servers[]``, ``skills[]``, ``metadata``,
  ``created_at``; agents refer to blocks and tools by file-local ids;
* **legacy** (before October 2025): one agent at the top level, its blocks in
  ``core_memory[]``, its tools inline in ``tools[]`` (with ``source_code``), messages without
  ids and the context as ``in_context_message_indices`` (positions in ``messages``).

Only the fields this package reads are typed, loosely (``None`` wherever Letta writes it);
every model keeps unknown fields (``extra="allow"``) so they are passed through on export.
:func:`to_current` turns a legacy document into the current layout, so one reader serves both.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, StrictStr

Layout = Literal["current", "legacy"]


class Loose(BaseModel):
    """A Letta object: typed where read, everything else kept as it came."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def dump(self) -> dict[str, Any]:
        """The object as JSON, unknown fields included (``None`` values kept, as in the file)."""
        return self.model_dump(mode="json")


class ToolCallFunction(Loose):
    name: StrictStr
    arguments: StrictStr | dict[str, Any] = "{}"


class ToolCall(Loose):
    """A tool call in OpenAI's format, as Letta stores it."""

    id: StrictStr | None = None
    type: StrictStr | None = "function"
    function: ToolCallFunction


class ContentPart(Loose):
    """One part of a message's content: ``text``, ``reasoning``, ``tool_return``, image..."""

    type: StrictStr
    text: StrictStr | None = None


class ToolReturn(Loose):
    """Letta's record of a tool's execution (status, stdout/stderr, the function's response)."""

    status: StrictStr | None = None


class MessageModel(Loose):
    id: StrictStr
    role: StrictStr
    content: StrictStr | list[ContentPart] | None = None
    name: StrictStr | None = None
    tool_calls: list[ToolCall] | None = None
    tool_call_id: StrictStr | None = None
    tool_returns: list[ToolReturn] | None = None
    created_at: StrictStr | None = None


class BlockModel(Loose):
    id: StrictStr
    label: StrictStr
    value: StrictStr = ""
    limit: StrictInt | None = None
    description: StrictStr | None = None
    read_only: StrictBool | None = None


class ToolModel(Loose):
    """A tool: its JSON schema and source are data here, never executed."""

    id: StrictStr | None = None
    name: StrictStr
    description: StrictStr | None = None
    source_type: StrictStr | None = None
    source_code: StrictStr | None = None
    json_schema: dict[str, Any] | None = None
    tags: list[StrictStr] | None = None


class AgentModel(Loose):
    id: StrictStr
    name: StrictStr | None = None
    description: StrictStr | None = None
    system: StrictStr | None = None
    block_ids: list[StrictStr] | None = None
    tool_ids: list[StrictStr] | None = None
    tool_rules: list[dict[str, Any]] | None = None
    tags: list[StrictStr] | None = None
    llm_config: dict[str, Any] | None = None
    embedding_config: dict[str, Any] | None = None
    messages: list[Any] = []  # each a MessageModel, checked one by one
    in_context_message_ids: list[StrictStr] = []


class AgentFileModel(Loose):
    """Letta's ``AgentFileSchema`` (current layout); our own ``memgpt`` key rides along.

    Agents, blocks, tools and messages are checked one by one (``AgentModel``, ``BlockModel``,
    ``ToolModel``, ``MessageModel``), so one bad entry does not hide the problems of the others.
    """

    agents: list[Any]
    blocks: list[Any] = []
    tools: list[Any] = []
    groups: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    sources: list[dict[str, Any]] = []
    mcp_servers: list[dict[str, Any]] = []
    skills: list[dict[str, Any]] = []
    metadata: dict[str, Any] | None = None
    created_at: StrictStr | None = None


#: Top-level keys only the legacy layout has (one agent at the top level).
LEGACY_KEYS = ("core_memory", "in_context_message_indices")
#: Legacy top-level keys that belong to the document, not to its agent.
_LEGACY_DOCUMENT_KEYS = ("core_memory", "messages", "in_context_message_indices", "tools")


def detect_layout(doc: dict[str, Any]) -> Layout | None:
    """Which layout ``doc`` is in: ``agents`` means current; ``core_memory`` or
    ``in_context_message_indices`` (or an agent's ``system`` and ``messages`` at the top
    level) means legacy; None for neither."""
    if "agents" in doc:
        return "current"
    if any(key in doc for key in LEGACY_KEYS) or ("system" in doc and "messages" in doc):
        return "legacy"
    return None


def to_current(doc: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A legacy document in the current layout, and the problems found doing so.

    Blocks get ids ``block-N``, tools ``tool-N``, messages ``message-N`` (their position), so
    ``in_context_message_indices`` become ``in_context_message_ids``. The agent keeps every
    other top-level field (``metadata_`` becomes ``metadata``, as Letta renamed it).
    """
    problems: list[str] = []

    def listed(key: str) -> list[Any]:
        value = doc.get(key) or []
        if not isinstance(value, list):
            problems.append(f"{key}: must be a list, got {type(value).__name__}")
            return []
        return value

    blocks = [
        {**b, "id": f"block-{i}"} if isinstance(b, dict) else b
        for i, b in enumerate(listed("core_memory"))
    ]
    tools = [
        {**t, "id": f"tool-{i}"} if isinstance(t, dict) else t
        for i, t in enumerate(listed("tools"))
    ]
    messages = [
        {**m, "id": f"message-{i}"} if isinstance(m, dict) else m
        for i, m in enumerate(listed("messages"))
    ]
    in_context = []
    for j, index in enumerate(listed("in_context_message_indices")):
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(messages):
            problems.append(
                f"in_context_message_indices[{j}]: {index!r} is not the position of a message"
            )
        else:
            in_context.append(f"message-{index}")
    agent = {k: v for k, v in doc.items() if k not in _LEGACY_DOCUMENT_KEYS}
    if "metadata_" in agent and "metadata" not in agent:
        agent["metadata"] = agent.pop("metadata_")
    agent.update(
        id="agent-0",
        block_ids=[b["id"] for b in blocks if isinstance(b, dict)],
        tool_ids=[t["id"] for t in tools if isinstance(t, dict)],
        messages=messages,
        in_context_message_ids=in_context,
    )
    current = {"agents": [agent], "blocks": blocks, "tools": tools}
    return current, problems
