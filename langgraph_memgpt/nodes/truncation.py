"""Shortening kept messages when evicting alone cannot make the prompt fit.

A single huge message (a pasted document, a long tool result) can be larger than the whole
budget; eviction never removes the newest user message, so its text is cut instead. The cut is
only in the prompt: the full text was written to recall memory before.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, SystemMessage, ToolMessage

from langgraph_memgpt.context import AgentSettings, prompt_tokens

TRUNCATION_NOTE = "\n[... truncated to fit the context window; the full text is in recall memory]"


def _size(message: AnyMessage) -> int:
    """Characters a message puts in the prompt: its text and its tool calls' arguments."""
    size = len(str(message.content))
    if isinstance(message, AIMessage):
        size += sum(len(str(call["args"])) for call in message.tool_calls)
    return size


def _shortened(message: AnyMessage, keep_chars: int) -> AnyMessage:
    """``message`` with its text and each long tool-call argument cut to ``keep_chars``."""
    update: dict[str, Any] = {}
    content = str(message.content)
    if len(content) > keep_chars:
        update["content"] = content[:keep_chars] + TRUNCATION_NOTE
    if isinstance(message, AIMessage) and message.tool_calls:
        update["tool_calls"] = [
            {
                **call,
                "args": {
                    key: value[:keep_chars] + TRUNCATION_NOTE
                    if isinstance(value, str) and len(value) > keep_chars
                    else value
                    for key, value in call["args"].items()
                },
            }
            for call in message.tool_calls
        ]
    return message.model_copy(update=update)


def truncate_to_fit(
    settings: AgentSettings, system: SystemMessage, kept: list[AnyMessage], limit: int
) -> list[AnyMessage]:
    """Shorten the longest kept messages until the prompt fits (full text stays in recall).

    First every message (its text, each tool-call argument) longer than a quarter of the
    prompt limit is cut to that length: the cut depends on the message alone, so a long
    question and the tool call that copies it are cut alike and stay cut the same way at the
    next compaction (a model comparing them sees what it already did). Only if that is not
    enough are the longest cut further. An error tool result is never shortened: it tells the
    model what to do next.
    """
    if prompt_tokens(settings, system, kept) <= limit:
        return []
    shortenable = [
        i for i, m in enumerate(kept) if not (isinstance(m, ToolMessage) and m.status == "error")
    ]
    current = list(kept)
    cap = limit  # characters: about a quarter of the limit's tokens
    for i in shortenable:
        if _size(current[i]) > cap + len(TRUNCATION_NOTE):
            current[i] = _shortened(current[i], cap)
    while shortenable and prompt_tokens(settings, system, current) > limit:
        longest = max(shortenable, key=lambda i: _size(current[i]))
        size = _size(current[longest])
        overflow = prompt_tokens(settings, system, current) - limit
        keep_chars = max(0, size - overflow * 4 - len(TRUNCATION_NOTE) - 64)
        shortened = _shortened(current[longest], keep_chars)
        if _size(shortened) >= size:
            break  # nothing left to shorten; the fixed part alone is over budget
        current[longest] = shortened
    return [new for new, old in zip(current, kept, strict=True) if new is not old]
