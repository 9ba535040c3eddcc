"""Sleep-time consolidation: watermark, idempotence, merges, conflicts, core limits, the graph."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from langgraph_memgpt import create_memgpt_agent
from langgraph_memgpt.configuration import MemGPTConfig
from langgraph_memgpt.context import render_system_message
from langgraph_memgpt.memory import Consolidator, Memory, consolidate
from langgraph_memgpt.memory.testing import HashEmbeddings
from langgraph_memgpt.models import OfflineDriver
from langgraph_memgpt.tools import create_memory_tools

U = {"user_id": "u1"}


@pytest.fixture
def mem(store: Any) -> Iterator[Memory]:
    with Memory.open(store, embeddings=HashEmbeddings()) as memory:
        yield memory


def _visible(mem: Memory, query: str) -> list[str]:
    return [hit.text for hit in mem.archival.search(query, k=10, **U)]


def test_consolidation_settles_conflicts_and_merges_restatements(mem: Memory) -> None:
    mem.archival.insert_many(
        [
            "Maya lives in Lisbon",
            "Maya's brother lives in Porto",
            "Maya works at Google",
            "Maya moved to Faro",
            "Maya is living in Faro",
            "Maya joined Microsoft",
        ],
        metadatas=[{"created_at": f"2026-01-0{i + 1}"} for i in range(6)],
        **U,
    )
    report = consolidate(mem, **U)
    assert report.processed == 6 and report.superseded == 2 and report.merged == 1
    visible = _visible(mem, "Maya")
    assert "Maya lives in Lisbon" not in visible and "Maya works at Google" not in visible
    assert {"Maya moved to Faro", "Maya's brother lives in Porto", "Maya joined Microsoft"} <= set(
        visible
    )
    assert "Maya is living in Faro" not in visible  # merged into the first statement
    assert mem.archival.count(**U) == 6  # nothing deleted
    # Idempotent: everything is past the watermark, and a second run changes nothing.
    again = consolidate(mem, **U)
    assert again.processed == 0 and again.changed == 0
    assert _visible(mem, "Maya") == visible


def test_only_records_past_the_watermark_are_decided(mem: Memory) -> None:
    mem.archival.insert("Maya lives in Lisbon", metadata={"created_at": "2026-01-01"}, **U)
    assert consolidate(mem, **U).processed == 1
    mem.archival.insert("Maya moved to Porto", metadata={"created_at": "2026-02-01"}, **U)
    report = consolidate(mem, **U)
    assert report.processed == 1 and report.superseded == 1
    assert _visible(mem, "where does Maya live") == ["Maya moved to Porto"]


def test_a_newer_record_is_never_hidden_by_an_older_one(mem: Memory) -> None:
    # Imported out of order: the later fact arrives first but carries the later time.
    mem.archival.insert("Maya moved to Porto", metadata={"created_at": "2026-03-01"}, **U)
    mem.archival.insert("Maya lives in Lisbon", metadata={"created_at": "2026-01-01"}, **U)
    consolidate(mem, **U)
    assert "Maya moved to Porto" in _visible(mem, "Maya")


def test_core_blocks_lose_repeats_and_replaced_lines_and_stay_within_limits(mem: Memory) -> None:
    mem.core.set(
        "human",
        "User lives in Berlin\nName: Ana\nuser lives in berlin.\nUser lives in Hamburg",
        **U,
    )
    report = consolidate(mem, **U)
    assert mem.core.get(**U)["human"].value == "Name: Ana\nUser lives in Hamburg"
    assert report.core_duplicates_removed == 1 and report.core_lines_archived == 1
    old = mem.archival.search("User lives in Berlin", include_superseded=True, **U)[0]
    assert old.text == "User lives in Berlin" and old.metadata["superseded_at"]
    assert "core" in old.metadata["tags"]
    # A block over its limit (the limit was lowered) is trimmed into archival, oldest first.
    mem.core.create_block("notes", limit=40, **U)
    mem.core.update("notes", lambda b: "first note is long enough\nsecond note here", **U)
    consolidate(mem, **U)
    notes = mem.core.get(**U)["notes"]
    assert len(notes.value) <= notes.limit and notes.value == "second note here"
    assert _visible(mem, "first note")[0] == "first note is long enough"
    assert consolidate(mem, **U).changed == 0


def test_consolidator_runs_every_n_turns_in_the_background(mem: Memory) -> None:
    consolidator = Consolidator(mem, every=2)
    mem.archival.insert("Maya lives in Lisbon", metadata={"created_at": "2026-01-01"}, **U)
    mem.archival.insert("Maya moved to Porto", metadata={"created_at": "2026-02-01"}, **U)
    assert consolidator.turn_finished("u1") is False
    assert consolidator.turn_finished("u1") is True
    consolidator.wait()
    assert consolidator.runs == 1 and consolidator.last_report is not None
    assert consolidator.last_report.superseded == 1
    consolidator.close()
    assert consolidator.turn_finished("u1") is False


def test_the_agent_sees_the_change(mem: Memory) -> None:
    graph = create_memgpt_agent(
        OfflineDriver(),
        memory=mem,
        checkpointer=None,
        config=MemGPTConfig(consolidate_every=1),
    )
    config = {"configurable": {"thread_id": "t1", "user_id": "u1"}}
    for text in ["My friend Maya lives in Lisbon.", "Maya moved to Faro."]:
        graph.invoke({"messages": [("user", text)]}, config)
    graph.consolidator.wait()  # type: ignore[attr-defined]
    assert mem.archival.count_superseded(**U) == 1
    search = next(t for t in create_memory_tools(mem) if t.name == "archival_memory_search")
    reply = search.invoke({"query": "Maya"}, config=config)  # type: ignore[arg-type]
    assert "Maya moved to Faro" in reply and "updates 1 earlier record" in reply
    assert "My friend Maya lives in Lisbon." in reply  # quoted as the hidden one
    from langgraph_memgpt.configuration import Identity
    from langgraph_memgpt.context import AgentSettings

    settings = AgentSettings(memory=mem, config=MemGPTConfig(), system_prompt="s")
    system = render_system_message(settings, Identity("u1", "default", "t1"), "", 0)
    assert "1 of them superseded" in str(system.content)


def test_consolidation_can_be_turned_off(mem: Memory) -> None:
    graph = create_memgpt_agent(
        OfflineDriver(), memory=mem, checkpointer=None, config=MemGPTConfig(consolidate_every=0)
    )
    assert graph.consolidator is None  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="consolidate_every"):
        MemGPTConfig(consolidate_every=-1)


def test_consolidation_waits_for_the_turns_to_pause(mem: Memory) -> None:
    """Queued on the N-th turn, it runs once no turn has finished for ``idle_seconds``: turns
    in quick succession never share the CPU with it."""
    import time

    consolidator = Consolidator(mem, every=1, idle_seconds=2.0)
    mem.archival.insert("Maya lives in Lisbon", metadata={"created_at": "2026-01-01"}, **U)
    mem.archival.insert("Maya moved to Porto", metadata={"created_at": "2026-02-01"}, **U)
    for _ in range(10):  # a turn every 50 ms: never 2 s without one
        assert consolidator.turn_finished("u1") is True
        time.sleep(0.05)
    assert consolidator.runs == 0, "consolidation ran between back-to-back turns"
    deadline = time.monotonic() + 30
    while consolidator.runs == 0 and time.monotonic() < deadline:
        time.sleep(0.1)  # the pause: nobody calls wait()
    assert consolidator.runs == 1
    assert mem.archival.count_superseded(**U) == 1
    consolidator.close()


def test_a_database_outage_postpones_consolidation_without_a_traceback(
    mem: Memory, caplog: pytest.LogCaptureFixture
) -> None:
    """The store going away mid-run (a Postgres restart) is expected: one warning line, no
    traceback (logging's last resort would print it in a chat user's terminal), and the next
    run settles the records."""
    import logging

    from langgraph_memgpt.memory import MemoryStoreUnavailable
    from langgraph_memgpt.memory.hygiene.supersede import RuleDecider

    class RestartingDatabase:
        def __init__(self) -> None:
            self.down = True

        def decide(self, new: str, older: Any) -> Any:
            if self.down:
                raise MemoryStoreUnavailable("the database is restarting")
            return RuleDecider().decide(new, older)

    decider = RestartingDatabase()
    consolidator = Consolidator(mem, every=1, decider=decider, background=False)
    mem.archival.insert("Maya lives in Lisbon", metadata={"created_at": "2026-01-01"}, **U)
    mem.archival.insert("Maya moved to Porto", metadata={"created_at": "2026-02-01"}, **U)
    with caplog.at_level(logging.WARNING, logger="langgraph_memgpt.memory.hygiene.consolidation"):
        consolidator.turn_finished("u1")
    (record,) = caplog.records
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "postponed" in record.getMessage() and "restarting" in record.getMessage()
    assert consolidator.runs == 0
    decider.down = False
    consolidator.turn_finished("u1")
    assert consolidator.runs == 1 and consolidator.last_report is not None
    assert consolidator.last_report.superseded == 1
    consolidator.close()
