"""Storing facts: which tool saves a fact, how a failed save is retried, and what to confirm.

Decides, for each fact of the user's message, the MemGPT move: append an identity fact to its
core block, replace the line of the same slot when the value changed, insert everything else
(and what does not fit in core) into archival memory. A failed call is retried at most once with
corrected arguments (an unknown block falls back to ``human``, an over-full block to archival),
never repeated as is. On the memory-pressure alert it saves the facts of the visible
conversation that were never stored, before eviction drops them from the prompt.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, HumanMessage

from langgraph_memgpt.models.offline.calls import (
    APPEND,
    INSERT,
    REPLACE,
    STORE_TOOLS,
    Call,
    CallRecord,
    signature,
)
from langgraph_memgpt.models.offline.facts import Fact, extract_facts
from langgraph_memgpt.models.offline.prompt import is_alert
from langgraph_memgpt.models.offline.text import contains, message_text, same, sentence_case
from langgraph_memgpt.models.offline.turn import Turn

#: Where storing a fact stands: (status, call, detail), status one of "pending", "saved",
#: "failed", "already" or "none".
Outcome = tuple[str, Call | None, str]


def _first_attempt(turn: Turn, fact: Fact) -> tuple[str, str, dict[str, Any] | None]:
    """(status, tool, args) of the first way to store a fact; status "already" or "call"."""
    for record in turn.records:
        # Already attempted in this turn: the chain continues from there, whatever core
        # memory now shows (a successful append makes the fact appear in it).
        if record.name in STORE_TOOLS and any(
            same(str(record.args.get(k, "")), text)
            for k in ("content", "new_content")
            for text in (fact.core_text, fact.archival_text)
            if text
        ):
            return ("call", record.name, record.args)
    archival = turn.call(INSERT, content=fact.archival_text)
    if fact.label is None:
        return ("call", INSERT, archival[1]) if archival else ("none", "", None)
    block = turn.core.get(fact.label)
    if block is not None:
        if contains(block.value, fact.core_text):
            return ("already", fact.label, None)
        if fact.key is not None:
            for line in block.lines:
                if line.lower().startswith(fact.key.lower()):
                    call = turn.call(
                        REPLACE, label=fact.label, old_content=line, new_content=fact.core_text
                    )
                    if call:
                        return ("call", *call)
        if block.used + len(fact.core_text) + 1 > block.limit and archival:
            # The block is visibly full: MemGPT would not even try; archival has no limit.
            return ("call", *archival)
    append = turn.call(APPEND, label=fact.label, content=fact.core_text)
    if append:
        return ("call", *append)
    return ("call", *archival) if archival else ("none", "", None)


def _fix(turn: Turn, fact: Fact, record: CallRecord) -> Call | None:
    """One corrected retry for a failed store, or ``None`` when the error is not fixable."""
    error = record.error.lower()
    archival = turn.call(INSERT, content=fact.archival_text)
    if record.name == INSERT:
        return None
    label = str(record.args.get("label", fact.label or "human"))
    if record.name == REPLACE and "not found" in error:
        return turn.call(APPEND, label=label, content=fact.core_text) or archival
    if "unknown core memory block" in error or ("unknown" in error and "label" in error):
        if label != "human":
            return turn.call(APPEND, label="human", content=fact.core_text) or archival
        return archival
    if "limit" in error or "too long" in error or "exceed" in error:
        return archival
    return None


def resolve_fact(turn: Turn, fact: Fact) -> Outcome:
    """Where storing ``fact`` stands: ("pending", call, ""), ("saved", call, ""),
    ("failed", call, error), ("already", None, label) or ("none", None, "").

    Walks first attempt -> fix -> fix... over the calls already made in this turn, so a
    failed call is retried at most once with corrected arguments and never repeated.
    """
    status, name, args = _first_attempt(turn, fact)
    if status == "already":
        return ("already", None, f"core memory ({name})")
    if args is None:
        return ("none", None, "")
    call: Call = (name, args)
    if turn.record(*call) is None and signature(*call) in turn.stored_before:
        # Stored successfully in an earlier, still visible turn: do not duplicate it.
        return ("already", None, "archival memory" if name == INSERT else "core memory")
    seen: set[str] = set()
    while True:
        seen.add(signature(*call))
        record = turn.record(*call)
        if record is None:
            return ("pending", call, "")
        if record.ok or record.result is None:
            return ("saved", call, "")
        fixed = _fix(turn, fact, record)
        if fixed is None or signature(*fixed) in seen:
            return ("failed", call, record.error)
        call = fixed


def pressure_saves(turn: Turn) -> list[Call]:
    """archival inserts for facts in the visible FIFO that were never stored, oldest first
    (the oldest messages are evicted first)."""
    if INSERT not in turn.tools:
        return []
    stored: list[str] = []
    for message in turn.messages:
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                args = call.get("args") or {}
                stored.extend(str(args[k]) for k in ("content", "new_content") if k in args)
    core_text = "\n".join(block.value for block in turn.core.values())
    saves: list[Call] = []
    for i, message in enumerate(turn.messages):
        if i == turn.current_index or not isinstance(message, HumanMessage) or is_alert(message):
            continue
        for fact in extract_facts(message_text(message)):
            texts = [t for t in (fact.core_text, fact.archival_text) if t]
            if any(same(t, s) for t in texts for s in stored):
                continue
            if fact.core_text and contains(core_text, fact.core_text):
                continue
            save = (INSERT, {"content": fact.archival_text})
            if save not in saves:
                saves.append(save)
    return saves[: turn.max_pressure_saves]


def fact_outcome(fact: Fact, status: str, call: Call | None, detail: str) -> str:
    """The reply's sentence about one fact: where it went, or why it could not be stored."""
    if status == "already":
        text = fact.core_text if detail.startswith("core") else fact.archival_text
        return f"I already have that in {detail}: {sentence_case(text)}"
    if status == "none":
        return f'I cannot store "{fact.archival_text}": no memory tools are available to me.'
    if call is None:
        return ""
    name, args = call
    if status == "pending":
        return f'I ran out of tool steps before storing "{fact.archival_text.rstrip(".")}".'

    if status == "failed":
        return f'I could not store "{fact.archival_text.rstrip(".")}": {detail}'
    if name == APPEND:
        return f"Saved to core memory ({args['label']}): {sentence_case(args['content'])}"
    if name == REPLACE:
        return (
            f"Updated core memory ({args['label']}): "
            f'"{args["old_content"]}" -> "{args["new_content"]}".'
        )
    if name == INSERT:
        return f"Stored in archival memory: {sentence_case(args['content'])}"
    return ""
