"""The system prompt's core blocks and memory statistics are read in one statement per render
(``Memory.prompt_view``), on both engines, and never cached: a render shows what another
``Memory`` on the same store wrote since, exactly as the tiers' own reads report it."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from langgraph_memgpt import Memory, create_memgpt_agent
from langgraph_memgpt.configuration import Identity, MemGPTConfig
from langgraph_memgpt.context import AgentSettings, render_system_message, superseded_note
from langgraph_memgpt.memory.types import Block
from tests.conftest import ScriptedChatModel
from tests.test_postgres_bulk import counted_statements

U = {"user_id": "u1"}
IDENTITY = Identity(user_id="u1", agent_id="default", thread_id="t1")


def _open(location: Any) -> Memory:
    return Memory.open(location, embeddings=DeterministicFakeEmbedding(size=32))


def _stats_as_the_tiers_read_them(mem: Memory) -> str:
    """The statistics line as renders built it before, from the tiers' own reads."""
    return (
        f"{mem.recall.count(**U)} messages in recall memory (conversation_search), "
        f"{mem.archival.count(**U)} passages in archival memory (archival_memory_search)"
        f"{superseded_note(mem.archival.count_superseded(**U))}; "
    )


def _write_some(writer: Memory, first: int) -> None:
    """Core edits, recall messages (some indexed, some waiting) and archival records, one of
    them superseded: everything the prompt's statistics count."""
    writer.core.append("human", f"Fact {first}.", **U)
    writer.core.create_block(f"notes-{first}", value=f"note {first}", **U)
    for i in range(3):
        writer.recall.append("user", f"message {first + i}", thread_id="t1", **U)
    writer.recall.catch_up(**U)  # these are indexed; the next two wait
    for i in range(3, 5):
        writer.recall.append("user", f"message {first + i}", thread_id="t1", **U)
    old = writer.archival.insert(f"Maya lives in Lisbon ({first})", **U)
    new = writer.archival.insert(f"Maya moved to Porto ({first})", **U)
    writer.archival.supersede(old, by=new, reason="moved", **U)


def test_a_render_shows_another_memorys_writes_as_the_tiers_read_them(
    new_store: Callable[[str], Any],
) -> None:
    location = new_store("shared")
    with _open(location) as reader, _open(location) as writer:
        settings = AgentSettings(memory=reader, config=MemGPTConfig(), system_prompt="s")
        empty = reader.prompt_view(**U)
        assert (empty.recall, empty.archival, empty.superseded) == (0, 0, 0)
        assert list(empty.blocks) == ["persona", "human"]  # seeded, as core.get does
        for first in (0, 100):  # twice: nothing read by the first render is kept
            _write_some(writer, first)
            view = reader.prompt_view(**U)
            assert view.blocks == reader.core.get(**U)
            assert view.recall == reader.recall.count(**U)
            assert view.archival == reader.archival.count(**U)
            assert view.superseded == reader.archival.count_superseded(**U)
            text = render_system_message(settings, IDENTITY, "", 0).text
            assert _stats_as_the_tiers_read_them(reader) in text
            assert reader.core.render(**U) in text
        assert (view.recall, view.archival, view.superseded) == (10, 4, 2)
        assert list(view.blocks) == ["persona", "human", "notes-0", "notes-100"]
        assert view.blocks["human"].value == "Fact 0.\nFact 100."


def test_a_namespace_without_blocks_still_has_its_counts(memory: Memory) -> None:
    memory.core.restore([], only=True, **U)  # an agent from a file that had no blocks
    memory.archival.insert("Maya lives in Lisbon", **U)
    memory.recall.append("user", "hello", thread_id="t1", **U)
    view = memory.prompt_view(**U)
    assert view.blocks == {}
    assert (view.recall, view.archival, view.superseded) == (1, 1, 0)
    memory.core.restore([Block("b", "v", 10, "d"), Block("a", "w", 20, "")], **U)
    assert memory.prompt_view(**U).blocks == memory.core.get(**U)
    assert list(memory.prompt_view(**U).blocks) == ["b", "a"]  # by position, not by label


@contextmanager
def _statements(mem: Memory) -> Iterator[list[str]]:
    """Every statement ``mem`` sends: psycopg's, or SQLite's trace of its connection."""
    if mem.backend == "postgres":
        with counted_statements() as seen:
            yield seen
        return
    seen: list[str] = []
    conn: sqlite3.Connection = mem._db.conn  # type: ignore[attr-defined]
    conn.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        conn.set_trace_callback(None)


def test_a_render_is_one_statement(memory: Memory) -> None:
    _write_some(memory, 0)
    settings = AgentSettings(memory=memory, config=MemGPTConfig(), system_prompt="s")
    render_system_message(settings, IDENTITY, "", 0)  # the namespace's id is looked up once
    with _statements(memory) as seen:
        message = render_system_message(settings, IDENTITY, "", 0)
    assert len(seen) == 1, seen
    assert "5 messages in recall memory" in message.text  # 3 indexed and 2 waiting
    with _statements(memory) as seen:  # the tiers' reads it replaces
        memory.core.get(**U)
        memory.recall.count(**U)
        memory.archival.count(**U)
        memory.archival.count_superseded(**U)
    assert len(seen) >= 5


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_the_agent_prompt_shows_writes_made_between_turns(
    new_store: Callable[[str], Any], mode: str
) -> None:
    location = new_store("agent")
    with _open(location) as mine, _open(location) as other:
        model = ScriptedChatModel(script=[AIMessage("one"), AIMessage("two")])
        agent = create_memgpt_agent(model, memory=mine, checkpointer=InMemorySaver())
        config: Any = {"configurable": {"thread_id": "t1", "user_id": "u1"}}

        def turn(text: str, message_id: str) -> None:
            state = {"messages": [HumanMessage(text, id=message_id)]}
            if mode == "invoke":
                agent.invoke(state, config)
            else:
                asyncio.run(agent.ainvoke(state, config))

        turn("hi", "h1")
        other.archival.insert("Maya lives in Lisbon", **U)
        other.core.append("human", "Name: Maya.", **U)
        turn("again", "h2")
        system = model.prompts[-1][0].text
        assert "Name: Maya." in system
        # h1 and its answer; h2 and "two" are stored once the model has answered
        assert "2 messages in recall memory" in system
        assert "1 passages in archival memory" in system
        assert mine.recall.count(**U) == 4
