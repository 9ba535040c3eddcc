"""The turn being decided: what the user asked, what was called so far, and what is bound.

Decides where the current turn starts (the newest real user message; the pressure alert is
not one), whether it still needs an answer, which facts and question it holds, and which
stores were already made in earlier, still visible turns (so a fact is never saved twice).
Every rule module reads the turn through this one view, computed once per model call.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from langgraph_memgpt.models.offline.calls import (
    STORE_TOOLS,
    Call,
    CallRecord,
    records_of,
    signature,
)
from langgraph_memgpt.models.offline.dates import date_relative_phrases
from langgraph_memgpt.models.offline.facts import Fact, extract_facts, question_of
from langgraph_memgpt.models.offline.prompt import CoreBlock, is_alert, parse_core, today_of
from langgraph_memgpt.models.offline.text import message_text


@dataclass
class Turn:
    """Everything the driver knows at one model call."""

    messages: list[BaseMessage]
    tools: set[str]
    max_pressure_saves: int = 3
    max_tool_rounds: int = 5
    system_text: str = ""
    core: dict[str, CoreBlock] = field(default_factory=dict)
    today: date | None = None
    current: str | None = None  # the user message this turn answers (None: nothing pending)
    current_index: int | None = None
    turn: list[BaseMessage] = field(default_factory=list)
    records: list[CallRecord] = field(default_factory=list)
    stored_before: set[str] = field(default_factory=set)
    facts: list[Fact] = field(default_factory=list)
    question: str | None = None

    def __post_init__(self) -> None:
        if self.messages and isinstance(self.messages[0], SystemMessage):
            self.system_text = message_text(self.messages[0])
        self.core = parse_core(self.system_text)
        self.today = today_of(self.system_text)
        start = None
        for i in range(len(self.messages) - 1, -1, -1):
            message = self.messages[i]
            if isinstance(message, HumanMessage) and not is_alert(message):
                start = i
                break
        self.turn = self.messages[start + 1 :] if start is not None else list(self.messages)
        self.records = records_of(self.turn)
        earlier = self.messages[: start if start is not None else 0]
        self.stored_before = {
            signature(r.name, r.args) for r in records_of(earlier) if r.ok and r.name in STORE_TOOLS
        }
        answered = any(isinstance(m, AIMessage) and not m.tool_calls for m in self.turn)
        if start is not None and not answered:
            self.current_index = start
            self.current = message_text(self.messages[start])
            self.facts = [
                replace(
                    fact,
                    core_text=date_relative_phrases(fact.core_text, self.today),
                    archival_text=date_relative_phrases(fact.archival_text, self.today),
                )
                for fact in extract_facts(self.current)
            ]
            self.question = question_of(self.current)

    def record(self, name: str, args: dict[str, Any]) -> CallRecord | None:
        """The call already made in this turn with exactly these arguments, if any."""
        wanted = signature(name, args)
        for record in self.records:
            if signature(record.name, record.args) == wanted:
                return record
        return None

    def call(self, name: str, **args: Any) -> Call | None:
        """A call of ``name``, or ``None`` when that tool is not bound."""
        return (name, args) if name in self.tools else None

    @property
    def rounds(self) -> int:
        """Tool-calling rounds so far in this turn."""
        return sum(1 for m in self.turn if isinstance(m, AIMessage) and m.tool_calls)

    @property
    def after_alert(self) -> bool:
        """The newest message is the memory-pressure alert."""
        return bool(self.messages) and is_alert(self.messages[-1])
