"""Tool calls of the current turn and what came back: search hits, errors, bound tools.

Decides what the driver can tell from the turn so far: which calls were made and with what
result (a failed store is retried once with corrected arguments, a call is never repeated),
the hits a search returned (from the tool's structured artifact, or parsed from its text for
tools that return content only), whether a page was full (so a next page may exist) and which
tools are bound (the driver never calls one that is not, like a real chat model).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from langgraph_memgpt.memory.guard.spotlight import safe_quote
from langgraph_memgpt.models.offline.prompt import is_alert
from langgraph_memgpt.models.offline.text import message_text

APPEND = "core_memory_append"
REPLACE = "core_memory_replace"
INSERT = "archival_memory_insert"
SEARCH_ARCHIVAL = "archival_memory_search"
SEARCH_RECALL = "conversation_search"
SEARCH_DATE = "conversation_search_date"
STORE_TOOLS = frozenset({APPEND, REPLACE, INSERT})

#: A tool call the driver decides on: (tool name, arguments).
Call = tuple[str, dict[str, Any]]


@dataclass
class Hit:
    """A search result, from the ToolMessage's artifact or parsed from its text."""

    text: str
    citation: str
    score: float = 0.0
    role: str | None = None
    untrusted: bool = False


@dataclass
class CallRecord:
    """A tool call made earlier in the turn, with its result (``None``: no result came back)."""

    name: str
    args: dict[str, Any]
    result: ToolMessage | None
    after_alert: bool = False

    @property
    def hits(self) -> list[Hit]:
        """What a search returned (empty for a failed call or one with no result yet)."""
        return hits_of(self.result) if self.result is not None else []

    @property
    def ok(self) -> bool:
        """The call came back and did not fail."""
        return self.result is not None and not _is_error(self.result)

    @property
    def error(self) -> str:
        """Why the call failed, as the tool said it (without its "Error:" prefix)."""
        if self.result is None:
            return "no result came back"
        text = message_text(self.result).strip()
        return re.sub(r"^error:\s*", "", text, flags=re.IGNORECASE) or "unknown error"


def _is_error(message: ToolMessage) -> bool:
    return message.status == "error" or message_text(message).lstrip().lower().startswith("error")


_HIT_LINE_RE = re.compile(r"^\[(\d+)\]\s*\(([^)]*)\)\s*(.*)$")
_ROLE_PREFIX_RE = re.compile(r"^(user|assistant|tool|system|human|ai):\s+", re.IGNORECASE)


def _citation_from_metadata(metadata: dict[str, Any]) -> str:
    parts = []
    if metadata.get("thread_id") is not None:
        parts.append(f"thread {metadata['thread_id']}")
    if metadata.get("turn") is not None:
        parts.append(f"turn {metadata['turn']}")
    if metadata.get("created_at"):
        parts.append(str(metadata["created_at"]))
    if metadata.get("source"):
        parts.append(f"source {metadata['source']}")
    return ", ".join(parts) or "no citation"


def hits_of(message: ToolMessage) -> list[Hit]:
    """Search hits of a tool result: the structured artifact when present, else the text.

    The text fallback reads lines ``[n] (citation) text`` so the driver also works with tools
    that return content only.
    """
    if _is_error(message):
        return []
    artifact = message.artifact
    if isinstance(artifact, dict) and isinstance(artifact.get("hits"), list):
        hits = []
        for raw in artifact["hits"]:
            if not isinstance(raw, dict):
                continue
            metadata: dict[str, Any] = (
                raw["metadata"] if isinstance(raw.get("metadata"), dict) else {}
            )
            hits.append(
                Hit(
                    text=str(raw.get("text") or ""),
                    citation=str(raw.get("citation") or _citation_from_metadata(metadata)),
                    score=float(raw.get("score") or 0.0),
                    role=metadata.get("role"),
                    untrusted=bool(metadata.get("untrusted")) or metadata.get("trusted") is False,
                )
            )
        return defused(hits)
    hits = []
    for line in message_text(message).splitlines():
        match = _HIT_LINE_RE.match(line.strip())
        if match:
            text = match.group(3)
            role_match = _ROLE_PREFIX_RE.match(text)
            role = role_match.group(1).lower() if role_match else None
            if role_match:
                text = text[role_match.end() :]
            hits.append(Hit(text=text, citation=match.group(2), role=role))
        elif hits and line.strip() and not line.startswith("Cite results"):
            hits[-1].text += "\n" + line.strip()
    return defused(hits)


_DATA_MARK_RE = re.compile(r"<<(?:END )?DATA [0-9a-f]+(?: \([^)]*\))?>>")


def defused(hits: list[Hit]) -> list[Hit]:
    """Untrusted hits (flagged in metadata, or shown in a DATA block) keep only what may be
    quoted: the driver reads no orders from them and never repeats a token they plant."""
    for hit in hits:
        if "<<DATA " in hit.text:
            hit.untrusted = True
            hit.text = _DATA_MARK_RE.sub("", hit.text).strip()
        if hit.untrusted:
            hit.text = safe_quote(hit.text)
    return hits


def records_of(messages: Sequence[BaseMessage]) -> list[CallRecord]:
    """Every tool call of ``messages`` in order, each paired with its result message."""
    results = {m.tool_call_id: m for m in messages if isinstance(m, ToolMessage)}
    records = []
    previous: BaseMessage | None = None
    for message in messages:
        if isinstance(message, AIMessage):
            after_alert = previous is not None and is_alert(previous)
            for call in message.tool_calls:
                records.append(
                    CallRecord(
                        name=call["name"],
                        args=dict(call.get("args") or {}),
                        result=results.get(call.get("id") or ""),
                        after_alert=after_alert,
                    )
                )
        previous = message
    return records


def signature(name: str, args: dict[str, Any]) -> str:
    """A call's identity: the same tool with the same arguments is the same call."""
    return json.dumps([name, args], sort_keys=True, default=str)


def tool_names(tools: Any) -> set[str]:
    """Names of the tools bound for this call, whatever form they were passed in."""
    names: set[str] = set()
    for tool in tools or []:
        if isinstance(tool, dict):
            function = tool.get("function")
            name = function.get("name") if isinstance(function, dict) else tool.get("name")
        elif isinstance(tool, BaseTool):
            name = tool.name
        else:
            try:
                name = convert_to_openai_tool(tool)["function"]["name"]
            except Exception:  # an exotic tool form: it simply cannot be called
                name = None
        if name:
            names.add(str(name))
    return names
