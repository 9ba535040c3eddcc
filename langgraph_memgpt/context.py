"""Rendering and measuring the main context.

Both ``reason`` (which sends the prompt) and ``compact`` (which keeps it within budget) need the
exact same rendering, so it lives here once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from langchain_core.messages import (
    AIMessage,
    AnyMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.messages.utils import count_tokens_approximately
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from langgraph_memgpt.configuration import Identity, MemGPTConfig, approximate_token_counter
from langgraph_memgpt.prompts import (
    CORE_MEMORY_HEADER,
    MEMORY_ALERT_NAME,
    MEMORY_STATS_HEADER,
    SUMMARY_HEADER,
)
from langgraph_memgpt.tokens import approximate_count_cached

if TYPE_CHECKING:
    from langgraph_memgpt.memory import Memory
    from langgraph_memgpt.memory.types import Block, PromptView


#: How many per-run budgets (``context_window`` overrides) one agent keeps built. A server whose
#: callers each pick a budget must not grow this without limit; the least recently used goes.
MAX_RUN_VARIANTS = 8


@dataclass
class AgentSettings:
    """What every node of one compiled agent shares."""

    memory: Memory
    config: MemGPTConfig
    system_prompt: str
    tools: Sequence[BaseTool] = field(default_factory=tuple)
    agent_id: str | None = None
    #: Sleep-time consolidation, told when a turn ends (``memory.consolidation.Consolidator``).
    consolidator: Any = None
    tool_tokens: int = 0
    _variants: OrderedDict[int, AgentSettings] = field(
        default_factory=OrderedDict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        schemas: list[Any] = [convert_to_openai_tool(t) for t in self.tools]
        # Tool schemas are sent with every call, so they are charged to the budget once here.
        self.tool_tokens = count_tokens_approximately([], tools=schemas) if schemas else 0

    def count(self, messages: Sequence[BaseMessage]) -> int:
        """Tokens of ``messages`` with this agent's counter."""
        counter = self.config.token_counter or approximate_token_counter
        if counter is approximate_token_counter:
            return approximate_count_cached(messages)  # the same sum, per message cached
        return counter(messages)

    def for_run(self, context: Any) -> AgentSettings:
        """These settings, with the budget a run's context may override (Studio's form)."""
        window = getattr(context, "context_window", None)
        if isinstance(context, dict):
            window = context.get("context_window")
        if not window or int(window) == self.config.context_window:
            return self
        window = int(window)  # "4096" from a form and 4096 are one budget
        cached = self._variants.get(window)
        if cached is None:
            cached = replace(self, config=replace(self.config, context_window=window))
            cached._variants = OrderedDict()  # a variant builds no variants of its own
            self._variants[window] = cached
            while len(self._variants) > MAX_RUN_VARIANTS:
                self._variants.popitem(last=False)
        else:
            self._variants.move_to_end(window)
        return cached

    @property
    def prompt_limit(self) -> int:
        """Most tokens a prompt may take: the window less the room kept for the answer."""
        return self.config.context_window - self.config.reserve_tokens

    @property
    def warning_tokens(self) -> int:
        return int(self.config.context_window * self.config.warning_fraction)

    @property
    def target_tokens(self) -> int:
        return int(self.config.context_window * self.config.target_fraction)


def is_memory_alert(message: BaseMessage) -> bool:
    return isinstance(message, HumanMessage) and message.name == MEMORY_ALERT_NAME


def latest_user_message(messages: Sequence[AnyMessage]) -> HumanMessage | None:
    """The newest real user message (alerts from the runtime do not count)."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage) and not is_memory_alert(message):
            return message
    return None


def read_view(settings: AgentSettings, identity: Identity) -> PromptView:
    """The core blocks and memory statistics of this identity, one statement, read afresh for
    each prompt (another process may have written since): a prompt and its state mirror."""
    return settings.memory.prompt_view(user_id=identity.user_id, agent_id=identity.agent_id)


def core_as_state(blocks: Mapping[str, Block]) -> dict[str, dict[str, Any]]:
    """Core blocks as plain data, mirrored into state so Studio and tests can see them."""
    return {
        label: {"value": b.value, "limit": b.limit, "description": b.description}
        for label, b in blocks.items()
    }


def render_system_message(
    settings: AgentSettings,
    identity: Identity,
    summary: str,
    evicted_total: int,
    view: PromptView | None = None,
) -> SystemMessage:
    """System prompt + pinned core blocks + recursive summary + memory statistics.

    ``view`` is what the caller has just read (:func:`read_view`); otherwise it is read here.
    """
    if view is None:
        view = read_view(settings, identity)
    core = "\n".join(block.render() for block in view.blocks.values())
    today = datetime.now(UTC).date().isoformat()
    stats_text = (
        f"{view.recall} messages in recall memory (conversation_search), "
        f"{view.archival} passages in archival memory (archival_memory_search)"
        f"{superseded_note(view.superseded)}; "
        f"{evicted_total} messages evicted from this prompt so far. Today is {today}."
    )
    content = (
        f"{settings.system_prompt.rstrip()}\n\n"
        f"{CORE_MEMORY_HEADER}\n{core}\n\n"
        f"{SUMMARY_HEADER}\n{summary or '(nothing evicted yet)'}\n\n"
        f"{MEMORY_STATS_HEADER}\n{stats_text}"
    )
    return SystemMessage(content=content)


def superseded_note(superseded: int) -> str:
    """How many archival passages were replaced by newer ones (kept, hidden from search)."""
    if not superseded:
        return ""
    return f", {superseded} of them superseded by newer ones (kept, hidden from search)"


def prompt_tokens(
    settings: AgentSettings, system: SystemMessage, messages: Sequence[BaseMessage]
) -> int:
    """Tokens a model call would take, tool schemas included."""
    return settings.count([system, *messages]) + settings.tool_tokens


def message_groups(messages: Sequence[AnyMessage]) -> list[list[AnyMessage]]:
    """Split the FIFO into eviction units.

    An AI message that calls tools and the tool results answering it form one unit: evicting
    one without the other would leave a dangling tool call that model APIs reject.
    """
    groups: list[list[AnyMessage]] = []
    open_calls: set[str] = set()
    for message in messages:
        if isinstance(message, ToolMessage) and groups and message.tool_call_id in open_calls:
            groups[-1].append(message)
            open_calls.discard(message.tool_call_id)
            continue
        groups.append([message])
        open_calls = (
            {
                str(c["id"])
                for c in [*message.tool_calls, *message.invalid_tool_calls]
                if c.get("id")
            }
            if isinstance(message, AIMessage)
            else set()
        )
    return groups


def fifo_ids_after(messages: Sequence[BaseMessage], produced: Sequence[BaseMessage]) -> list[str]:
    """Ids in the FIFO once ``produced`` is added: what this thread has already seen."""
    return [m.id for m in [*messages, *produced] if m.id]


def pending_tool_calls(messages: Sequence[AnyMessage]) -> list[dict[str, Any]]:
    """Tool calls of the newest AI message that have no tool result yet."""
    answered: set[str] = set()
    for message in reversed(messages):
        if isinstance(message, ToolMessage):
            answered.add(message.tool_call_id)
        elif isinstance(message, AIMessage):
            calls = [dict(c) for c in message.tool_calls]
            # Calls whose arguments did not parse still need an answer (APIs reject a dangling
            # call id), so they are returned too, marked with the parse error.
            calls += [
                {**dict(c), "args": {}, "invalid": c.get("error") or "arguments are not valid JSON"}
                for c in message.invalid_tool_calls
            ]
            return [c for c in calls if c.get("id") not in answered]
        else:
            return []
    return []


def transcript(messages: Sequence[BaseMessage]) -> str:
    """One line per message, the form the summarizer reads."""
    lines = []
    for message in messages:
        text = message.text if isinstance(message.content, list) else str(message.content)
        if isinstance(message, AIMessage) and message.tool_calls:
            calls = ", ".join(f"{c['name']}({c['args']})" for c in message.tool_calls)
            text = f"{text} [calls {calls}]".strip()
        if isinstance(message, ToolMessage):
            role = f"tool {message.name or ''}".strip()
        elif isinstance(message, HumanMessage):
            role = "system" if is_memory_alert(message) else "user"
        elif isinstance(message, AIMessage):
            role = "assistant"
        else:
            role = message.type
        lines.append(f"{role}: {' '.join(text.split())}")
    return "\n".join(lines)
