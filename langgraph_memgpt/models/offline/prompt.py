"""Reading the prompt: core memory, today's date and the memory-pressure alert.

Decides what the driver knows from the main context the graph renders, the way an LLM would
read it: the core blocks with their fill level (a visibly full block is not appended to), the
"Today is ..." line of the memory statistics (relative dates in questions resolve against it)
and which message is the runtime's pressure alert rather than the user. Everything is parsed
from the fixed markers of :mod:`langgraph_memgpt.prompts`, never from internal state: the
driver sees exactly what a real model would see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from langgraph_memgpt.models.offline.text import message_text
from langgraph_memgpt.prompts import (
    CORE_MEMORY_HEADER,
    MEMORY_ALERT_NAME,
    MEMORY_STATS_HEADER,
    PRESSURE_ALERT_MARKER,
    SUMMARY_HEADER,
)


@dataclass
class CoreBlock:
    """A core block as rendered in the system prompt (``<label characters="n/limit">``)."""

    label: str
    value: str
    used: int
    limit: int

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.value.splitlines() if line.strip()]


_BLOCK_RE = re.compile(
    r'<(?P<label>[A-Za-z][\w-]*) characters="(?P<used>\d+)/(?P<limit>\d+)">\n'
    r"(?P<value>.*?)\n?</(?P=label)>",
    re.DOTALL,
)
_TODAY_RE = re.compile(r"Today is (\d{4}-\d{2}-\d{2})")


def _section(text: str, header: str) -> str:
    """Text under a ``### header`` up to the next known header."""
    start = text.find(header)
    if start < 0:
        return ""
    body = text[start + len(header) :]
    ends = [
        body.find(h) for h in (CORE_MEMORY_HEADER, SUMMARY_HEADER, MEMORY_STATS_HEADER) if h in body
    ]
    return body[: min(ends)] if ends else body


def parse_core(system_text: str) -> dict[str, CoreBlock]:
    """Core blocks from the rendered system prompt, by label."""
    section = _section(system_text, CORE_MEMORY_HEADER)
    return {
        m.group("label"): CoreBlock(
            m.group("label"), m.group("value").strip(), int(m.group("used")), int(m.group("limit"))
        )
        for m in _BLOCK_RE.finditer(section)
    }


def today_of(system_text: str) -> date | None:
    """The "Today is YYYY-MM-DD" of the memory statistics, if the prompt has one."""
    match = _TODAY_RE.search(_section(system_text, MEMORY_STATS_HEADER))
    try:
        return date.fromisoformat(match.group(1)) if match else None
    except ValueError:
        return None


def is_alert(message: BaseMessage) -> bool:
    """The runtime's memory-pressure alert (never a real user message)."""
    if isinstance(message, HumanMessage) and message.name == MEMORY_ALERT_NAME:
        return True
    return isinstance(message, HumanMessage | SystemMessage) and message_text(
        message
    ).lstrip().startswith(PRESSURE_ALERT_MARKER)
