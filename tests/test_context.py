"""Eviction units of the FIFO (``message_groups``) and the per-run settings cache."""

from __future__ import annotations

from langchain_core.embeddings import DeterministicFakeEmbedding
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from langgraph_memgpt import MemGPTConfig, Memory
from langgraph_memgpt.context import MAX_RUN_VARIANTS, AgentSettings, message_groups
from tests.conftest import tool_call


def _ids(groups: list[list[object]]) -> list[list[str]]:
    return [[str(getattr(m, "id", "")) for m in group] for group in groups]


def test_parallel_tool_calls_stay_one_group_until_every_result() -> None:
    messages = [
        HumanMessage("save both", id="h1"),
        AIMessage(
            "",
            tool_calls=[tool_call("a", "c1"), tool_call("b", "c2"), tool_call("c", "c3")],
            id="a1",
        ),
        ToolMessage("r1", tool_call_id="c1", id="t1"),
        ToolMessage("r3", tool_call_id="c3", id="t3"),  # results may come in any order
        ToolMessage("r2", tool_call_id="c2", id="t2"),
        AIMessage("done", id="a2"),
    ]
    assert _ids(message_groups(messages)) == [["h1"], ["a1", "t1", "t3", "t2"], ["a2"]]


def test_unparsable_tool_calls_are_grouped_with_their_error_results() -> None:
    bad = {"name": "archival_memory_insert", "args": "{oops", "id": "bad1", "error": "bad JSON"}
    messages = [
        HumanMessage("save", id="h1"),
        AIMessage(
            "",
            tool_calls=[tool_call("conversation_search", "ok1", query="x")],
            invalid_tool_calls=[{**bad, "type": "invalid_tool_call"}],
            id="a1",
        ),
        ToolMessage("Error: could not be parsed", tool_call_id="bad1", status="error", id="t1"),
        ToolMessage("hits", tool_call_id="ok1", id="t2"),
        HumanMessage("next", id="h2"),
    ]
    assert _ids(message_groups(messages)) == [["h1"], ["a1", "t1", "t2"], ["h2"]]


def test_run_budget_variants_are_cached_and_bounded(tmp_path) -> None:
    with Memory.open(tmp_path / "m", embeddings=DeterministicFakeEmbedding(size=8)) as memory:
        settings = AgentSettings(memory=memory, config=MemGPTConfig(), system_prompt="s")
        first = settings.for_run({"context_window": 2000})
        assert first.config.context_window == 2000
        assert settings.for_run({"context_window": 2000}) is first  # reused, not rebuilt
        assert settings.for_run({"context_window": settings.config.context_window}) is settings
        for window in range(3000, 3000 + 3 * MAX_RUN_VARIANTS):
            assert settings.for_run({"context_window": window}).config.context_window == window
        assert len(settings._variants) <= MAX_RUN_VARIANTS
