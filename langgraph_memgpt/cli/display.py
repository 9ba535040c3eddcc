"""How tool calls, tool results and node updates look on the terminal.

Everything shown is shortened at a word boundary: a 100 KB message must not echo a
25,000-character tool-argument line, and a cut must not end mid-word. The full text is never
lost by this: it is in the thread's state and in recall memory.
"""

from __future__ import annotations

import re
from typing import Any

#: Terminal escape sequences: CSI (colours, cursor moves, clearing), OSC (titles, links),
#: DCS/APC/PM strings, and the two-character ESC forms.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[ -/]*[0-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
#: Other control characters (newline and tab are kept; C1 included).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe(text: str) -> str:
    """``text`` fit to print on a terminal: escape sequences removed, other control
    characters shown as U+FFFD. What people and tools wrote may hold them (a pasted colour
    code, a file's bytes); echoed raw they would recolour, move or retitle the user's terminal.
    Only the display changes: memory keeps the text as it was written."""
    if text.isprintable():
        return text
    return _CONTROLS.sub("\ufffd", _ESCAPES.sub("", text))


class SafeStream:
    """A text stream that passes everything written through :func:`safe`."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        #: The stream underneath, for a caller that writes its own escape sequences.
        self.raw = stream

    def write(self, text: str) -> int:
        self._stream.write(safe(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


#: Longest tool-argument value shown in a tool-call line.
ARG_CHARS = 120
#: Longest tool result, alert or summary excerpt shown.
LINE_CHARS = 300


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at the last word boundary before ``limit`` characters.

    Says how much was left out, so a shortened argument is never mistaken for the real one.
    """
    flat = " ".join(str(text).split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return f"{cut.rstrip(' ,.;:')}… (+{len(flat) - len(cut)} chars)"


def format_call(name: str, args: dict[str, Any]) -> str:
    """``name(key='value', ...)`` with each long value shortened."""
    shown = []
    for key, value in (args or {}).items():
        if isinstance(value, str):
            shown.append(f"{key}={shorten(value, ARG_CHARS)!r}")
        else:
            shown.append(f"{key}={shorten(repr(value), ARG_CHARS)}")
    return f"{name}({', '.join(shown)})"


def result_line(content: Any) -> str:
    """The first non-empty lines of a tool result, joined, shortened (never an empty line)."""
    lines = [line.strip() for line in str(content).splitlines() if line.strip()]
    return shorten(" | ".join(lines[:3]), LINE_CHARS) if lines else "(empty result)"


def print_update(node: str, update: dict[str, Any] | None, out: Any) -> None:
    """One readable trace line per node and per message it produced (``--trace``, demo)."""
    from langchain_core.messages import AIMessage, HumanMessage, RemoveMessage, ToolMessage

    update = update or {}
    messages = update.get("messages") or []
    removed = [m for m in messages if isinstance(m, RemoveMessage)]
    results = [m for m in messages if isinstance(m, ToolMessage)]
    notes = []
    if "context_tokens" in update:
        notes.append(f"context {update['context_tokens']} tokens")
    if removed:
        notes.append(f"evicted {len(removed)} messages to recall, summary updated")
    if update.get("compact_requested"):
        notes.append("prompt needs compacting first")
    if update.get("overflow_retry"):
        notes.append("the model rejected the prompt as too long: compacting, then one retry")
    if results and not notes:
        notes.append(f"{len(results)} tool result(s)")
    print(f"  [{node}]" + (" " + "; ".join(notes) if notes else ""), file=out)
    for message in messages:
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                print(f"      tool call -> {format_call(call['name'], call['args'])}", file=out)
            if message.text:
                print(f"      assistant: {message.text}", file=out)
        elif isinstance(message, ToolMessage):
            status = "ERROR " if message.status == "error" else ""
            print(f"      {status}{message.name} result: {result_line(message.content)}", file=out)
        elif isinstance(message, HumanMessage):
            print(f"      runtime message: {shorten(message.text, LINE_CHARS)}", file=out)
    if update.get("summary"):
        print(f"      summary now: {shorten(update['summary'], LINE_CHARS)}", file=out)
