"""Every memory tool validates its arguments and answers bad input with an actionable error."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import ToolMessage

from langgraph_memgpt import MEMORY_TOOL_NAMES, create_memory_tools
from tests.conftest import tool_call

CONFIG = {"configurable": {"user_id": "u1", "thread_id": "t1", "memgpt_turn": 4}}


@pytest.fixture
def tools(memory) -> dict[str, Any]:
    return {t.name: t for t in create_memory_tools(memory, page_size=2)}


def call(
    tools: dict[str, Any], name: str, config: dict[str, Any] = CONFIG, **args: Any
) -> ToolMessage:
    result = tools[name].invoke(tool_call(name, **args), config)
    assert isinstance(result, ToolMessage)
    return result


def test_surface_is_the_memgpt_tool_set(tools) -> None:
    assert set(tools) == set(MEMORY_TOOL_NAMES)
    for tool in tools.values():
        schema = tool.tool_call_schema.model_json_schema()
        # Identity is never a model-visible argument.
        assert not {"user_id", "agent_id", "thread_id", "config"} & set(schema["properties"])


def test_core_append_and_replace(tools, memory) -> None:
    assert call(tools, "core_memory_append", label="human", content="Likes tea").status == "success"
    result = call(
        tools, "core_memory_replace", label="human", old_content="tea", new_content="coffee"
    )
    assert result.status == "success"
    assert "coffee" in memory.core.get(user_id="u1")["human"].value


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("core_memory_append", {"label": "nosuch", "content": "x"}, "human"),
        ("core_memory_append", {"label": "human", "content": "x" * 100_000}, "limit"),
        ("core_memory_append", {"label": "human"}, "content"),
        (
            "core_memory_replace",
            {"label": "human", "old_content": "absent text", "new_content": "y"},
            "absent text",
        ),
        ("archival_memory_insert", {"content": ""}, "empty"),
        ("archival_memory_insert", {"content": "ok", "tags": "not-a-list"}, "tags"),
        ("archival_memory_search", {"query": "x", "page": -1}, "page"),
        ("archival_memory_search", {"query": "x", "page": "two"}, "page"),
        ("archival_memory_search", {"query": "anything", "page": 7}, "page"),
        ("conversation_search", {}, "query"),
        ("conversation_search", {"query": "anything", "page": 3}, "page"),
        (
            "conversation_search_date",
            {"start_date": "yesterday", "end_date": "2026-01-01"},
            "YYYY-MM-DD",
        ),
        (
            "conversation_search_date",
            {"start_date": "2026-02-01", "end_date": "2026-01-01"},
            "before",
        ),
        (
            "conversation_search_date",
            {"start_date": "2026-13-45", "end_date": "2026-01-01"},
            "YYYY-MM-DD",
        ),
    ],
)
def test_bad_input_is_an_error_message_not_an_exception(tools, name, args, expected) -> None:
    result = call(tools, name, **args)
    assert result.status == "error"
    assert expected.lower() in str(result.content).lower()


def test_archival_insert_cites_thread_and_turn(tools, memory) -> None:
    call(tools, "archival_memory_insert", content="The launch moved to May 14", tags=["plans"])
    result = call(tools, "archival_memory_search", query="launch date")
    hit = result.artifact["hits"][0]
    assert hit["metadata"]["thread_id"] == "t1" and hit["metadata"]["turn"] == 4
    assert "thread t1, turn 4" in result.content


def test_identity_comes_from_config_not_from_arguments(tools, memory) -> None:
    result = call(tools, "archival_memory_insert", content="secret of u1", user_id="u2")
    assert result.status == "success"
    assert memory.archival.count(user_id="u2") == 0
    other = {"configurable": {"user_id": "u2", "thread_id": "t9"}}
    assert (
        call(tools, "archival_memory_search", config=other, query="secret").artifact["hits"] == []
    )


def test_date_search_pages(tools, memory) -> None:
    for i in range(5):
        memory.recall.append("user", f"message {i}", user_id="u1", thread_id="t1", turn=i)
    from datetime import UTC, datetime

    today = datetime.now(UTC).date().isoformat()
    first = call(tools, "conversation_search_date", start_date=today, end_date=today)
    second = call(tools, "conversation_search_date", start_date=today, end_date=today, page=1)
    assert len(first.artifact["hits"]) == 2 and len(second.artifact["hits"]) == 2
    assert {h["id"] for h in first.artifact["hits"]}.isdisjoint(
        h["id"] for h in second.artifact["hits"]
    )


def test_a_date_search_covers_ordered_days_or_says_how_to_fix_it() -> None:
    from datetime import date

    from langchain_core.tools import ToolException

    from langgraph_memgpt.tools import date_range

    assert date_range("2024-03-01", "2024-03-02T10:00") == (date(2024, 3, 1), date(2024, 3, 2))
    with pytest.raises(ToolException, match="before start_date 2024-03-02. Swap them"):
        date_range("2024-03-02", "2024-03-01")
    with pytest.raises(ToolException, match="start_date 'May' is not a date"):
        date_range("May", "2024-03-01")


def test_a_passage_too_long_for_one_record_is_saved_as_pieces_of_one_time() -> None:
    from langgraph_memgpt.memory.tiers.archival import MAX_TEXT_CHARS
    from langgraph_memgpt.tools import archival_metadata, archival_pieces, insert_reply

    assert archival_pieces("short") == ["short"]
    long = "A sentence about the plan. " * (MAX_TEXT_CHARS // 20)
    pieces = archival_pieces(long)
    assert len(pieces) > 1 and all(len(p) <= MAX_TEXT_CHARS for p in pieces)
    assert " ".join(pieces).split() == long.split()  # nothing lost at the cuts
    assert "created_at" not in archival_metadata("t1", 3, 1)  # one record: the store's time
    shared = archival_metadata("t1", 3, len(pieces))
    assert shared["created_at"] and (shared["thread_id"], shared["turn"]) == ("t1", 3)
    assert insert_reply("x", ["r1"], "(thread t1, turn 3)") == (
        "Stored in archival memory as record r1 (thread t1, turn 3)."
    )
    assert "as 2 records, r1 to r2" in insert_reply(long, ["r1", "r2"], "(thread t1, turn 3)")


def test_the_tools_have_coroutines_that_run_off_the_event_loop(tools, memory) -> None:
    import asyncio
    import threading

    assert all(tool.coroutine is not None for tool in tools.values())
    threads: list[int] = []
    search = memory.archival.search

    def recording_search(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return search(*args, **kwargs)

    memory.archival.search = recording_search  # type: ignore[method-assign]

    async def scenario() -> tuple[int, list[ToolMessage]]:
        saved = await tools["archival_memory_insert"].ainvoke(
            tool_call("archival_memory_insert", content="The boat leaves at 9."), CONFIG
        )
        found = await tools["archival_memory_search"].ainvoke(
            tool_call("archival_memory_search", query="boat"), CONFIG
        )
        bad = await tools["conversation_search_date"].ainvoke(
            tool_call("conversation_search_date", start_date="soon", end_date="later"), CONFIG
        )
        return threading.get_ident(), [saved, found, bad]

    loop_thread, (saved, found, bad) = asyncio.run(scenario())
    assert saved.status == "success" and "turn 4" in saved.content  # identity from the config
    assert "The boat leaves at 9." in found.content and found.artifact["hits"]
    assert bad.status == "error" and "YYYY-MM-DD" in bad.content
    assert threads and loop_thread not in threads  # the store was called from a worker thread
    assert memory.archival.count(user_id="u1") == 1
