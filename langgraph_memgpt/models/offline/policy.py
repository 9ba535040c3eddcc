"""The policy for one model call: the next batch of tool calls, or the reply.

Decides what the driver does with the turn as it stands: on the memory-pressure alert, save
the visible facts that were never stored; for the user's message, store each fact it states
(:mod:`.storing`) and page memory in for its question (:mod:`.searching`), all the calls whose
inputs are ready going out in one parallel batch; when nothing is left to call, or the turn's
tool rounds are spent, reply with what was stored and what was found (:mod:`.answers`). A call
already made in the turn is never made again, so the driver cannot loop.
"""

from __future__ import annotations

import re

from langgraph_memgpt.models.offline.answers import resolve_question
from langgraph_memgpt.models.offline.calls import INSERT, Call
from langgraph_memgpt.models.offline.storing import fact_outcome, pressure_saves, resolve_fact
from langgraph_memgpt.models.offline.text import is_greeting, same
from langgraph_memgpt.models.offline.turn import Turn


def next_calls(turn: Turn) -> list[Call]:
    """Every tool call whose inputs are ready, in one parallel batch; empty: answer now."""
    calls: list[Call] = []
    if turn.after_alert:
        calls.extend(pressure_saves(turn))
    if turn.current is not None and turn.rounds < turn.max_tool_rounds:
        for fact in turn.facts:
            status, call, _ = resolve_fact(turn, fact)
            if status == "pending" and call is not None:
                calls.append(call)
        if turn.question is not None:
            call, _ = resolve_question(turn)
            if call is not None:
                calls.append(call)
    unique: list[Call] = []
    for call in calls:
        # Never loop: a call already made in this turn is not made again.
        if turn.record(*call) is None and call not in unique:
            unique.append(call)
    return unique


def answer(turn: Turn) -> str:
    """The reply closing the turn: what was stored, what was found, what the alert saved."""
    parts: list[str] = []
    if turn.current is not None:
        for fact in turn.facts:
            status, call, detail = resolve_fact(turn, fact)
            parts.append(fact_outcome(fact, status, call, detail))
        if turn.question is not None:
            call, text = resolve_question(turn, final=True)
            parts.append(
                text
                if call is None
                else f'I ran out of tool steps before I could look up "{turn.question}".'
            )
    saved = [
        str(r.args.get("content"))
        for r in turn.records
        if r.after_alert
        and r.name == INSERT
        and r.ok
        and not any(same(str(r.args.get("content")), f.archival_text) for f in turn.facts)
    ]
    if saved:
        parts.append(
            f"Memory pressure: saved {len(saved)} earlier fact(s) to archival memory before "
            f"eviction ({'; '.join(s.rstrip('.') for s in saved)})."
        )
    parts = [p for p in parts if p]
    alert_note = (
        "Memory pressure noted: nothing new to save; older messages stay searchable in "
        "recall memory."
        if turn.after_alert
        else ""
    )
    if not parts:
        if turn.current is not None:
            parts.append(small_talk(turn, turn.current))
        elif not alert_note:
            parts.append("Hello! How can I help?")
    return " ".join([*parts, alert_note]).strip()


def small_talk(turn: Turn, text: str) -> str:
    """A reply to a message with no fact and no question: greet, thank, say goodbye."""
    human = turn.core.get("human")
    name = next(
        (
            line.split(":", 1)[1].strip()
            for line in (human.lines if human is not None else [])
            if line.lower().startswith("name:")
        ),
        None,
    )
    lower = text.lower()
    if is_greeting(text):
        hello = f"Hello, {name}!" if name else "Hello!"
        return (
            f"{hello} I am the offline MemGPT driver, a rule-based stand-in for an LLM: tell "
            "me facts and I will store them; ask me questions and I will search my memory."
        )
    if re.search(r"\bthank", lower):
        return "You're welcome!"
    if re.search(r"\b(?:bye|goodbye|see you)\b", lower):
        return "Goodbye! What we discussed stays in memory."
    return "Noted. I found no fact to store and no question to look up in that message."
