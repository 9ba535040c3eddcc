"""Large messages and search results, at the tool and prompt layer.

A long passage is saved in pieces instead of refused; an error result stays whole in the
prompt however large the turn; "More: page=N" is offered only when that page holds results;
a query that matches no word and nothing closely in meaning says so instead of returning noise.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings
from langchain_core.messages import AIMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver

from langgraph_memgpt import MemGPTConfig, Memory, create_memgpt_agent, create_memory_tools
from langgraph_memgpt.memory.search.fusion import DENSE_FLOOR, relevance_floor
from langgraph_memgpt.memory.tiers.archival import MAX_TEXT_CHARS
from langgraph_memgpt.tools import NO_GOOD_MATCH, split_passage
from tests.conftest import ScriptedChatModel, tool_call

CONFIG = {"configurable": {"user_id": "u1", "thread_id": "t1", "memgpt_turn": 4}}


def call(tools: dict[str, Any], name: str, **args: Any) -> ToolMessage:
    result = tools[name].invoke(tool_call(name, **args), CONFIG)
    assert isinstance(result, ToolMessage)
    return result


@pytest.fixture
def tools(memory: Memory) -> dict[str, Any]:
    return {t.name: t for t in create_memory_tools(memory, page_size=2)}


def test_a_passage_longer_than_a_record_is_saved_in_pieces(tools, memory: Memory) -> None:
    sentences = [
        f"Sentence {i} tells about item number {i} in the long inventory." for i in range(2000)
    ]
    passage = " ".join(sentences)
    assert len(passage) > 5 * MAX_TEXT_CHARS
    result = call(tools, "archival_memory_insert", content=passage)
    assert result.status == "success", result.content
    count = memory.archival.count(user_id="u1")
    assert count > 1
    assert f"as {count} records" in str(result.content)
    # nothing is lost: every sentence is in exactly one piece, none cut in the middle
    pieces = [hit.text for hit in memory.archival.search("inventory", user_id="u1", k=count)]
    assert len(pieces) == count
    stored = sorted(s.strip() for piece in pieces for s in piece.split("inventory.") if s.strip())
    assert stored == sorted(s.removesuffix("inventory.").strip() for s in sentences)


def test_split_passage_keeps_every_word_and_cuts_at_boundaries() -> None:
    text = ("word " * 30 + "end of sentence. ") * 50
    pieces = split_passage(text, 400)
    assert all(len(piece) <= 400 for piece in pieces)
    assert " ".join(pieces).split() == text.split()
    assert all(piece.endswith(".") for piece in pieces[:-1])
    assert split_passage("x" * 1000, 400) == ["x" * 400, "x" * 400, "x" * 200]


def test_an_error_result_is_never_truncated_out_of_the_prompt(memory: Memory, run_config) -> None:
    huge = "Remember this: " + "lorem ipsum " * 9000
    model = ScriptedChatModel(
        script=[
            AIMessage(
                content="",
                tool_calls=[tool_call("core_memory_append", label="human", content=huge[:60_000])],
            ),
            AIMessage(content="I could not save it."),
        ]
    )
    agent = create_memgpt_agent(
        model,
        memory=memory,
        config=MemGPTConfig(context_window=3000, reserve_tokens=200),
        checkpointer=InMemorySaver(),
    )
    agent.invoke({"messages": [("user", huge)]}, run_config)
    errors = [m for m in model.prompts[-1] if isinstance(m, ToolMessage)]
    assert len(errors) == 1 and errors[0].status == "error"
    assert "truncated" not in str(errors[0].content)
    assert str(errors[0].content).endswith("(move details to archival memory).")  # whole advice


def test_next_page_is_offered_only_when_it_holds_results(tools, memory: Memory) -> None:
    for i in range(3):
        memory.archival.insert(f"The red kite number {i} nests here.", user_id="u1")
    first = call(tools, "archival_memory_search", query="red kite")
    assert "More: page=1." in str(first.content)
    second = call(tools, "archival_memory_search", query="red kite", page=1)
    assert "1 result(s), page 1" in str(second.content)
    assert "More:" not in str(second.content)
    beyond = call(tools, "archival_memory_search", query="red kite", page=2)
    assert beyond.status == "error" and "page" in str(beyond.content)
    memory.recall.append("user", "The red kite flew over the hill", user_id="u1", thread_id="t1")
    recall = call(tools, "conversation_search", query="red kite")
    assert "1 result(s)" in str(recall.content) and "More:" not in str(recall.content)


def test_deep_pages_say_whether_more_follow(tools, memory: Memory) -> None:
    texts = [f"The red kite number {i} nests here." for i in range(105)]
    memory.archival.insert_many(texts, user_id="u1")
    # page size 2: page 51 holds results 103-104 of 105, page 52 the last one
    before_last = call(tools, "archival_memory_search", query="red kite", page=51)
    assert "2 result(s), page 51" in str(before_last.content)
    assert "More: page=52." in str(before_last.content) and before_last.artifact["more"]
    last = call(tools, "archival_memory_search", query="red kite", page=52)
    assert "1 result(s), page 52" in str(last.content) and "More:" not in str(last.content)
    assert last.artifact["more"] is False


class _Topics(Embeddings):
    """Unit vectors by topic: texts about birds point one way, network notes another."""

    def _vector(self, text: str) -> list[float]:
        lowered = text.lower()
        if any(w in lowered for w in ("kite", "bird", "raptor")):
            return [1.0, 0.0, 0.0]
        if any(w in lowered for w in ("wifi", "router", "internet")):
            return [0.0, 1.0, 0.0]
        return [0.0, 0.0, 1.0]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def test_a_query_that_matches_nothing_well_returns_nothing(tmp_path) -> None:
    with Memory.open(tmp_path / "m", embeddings=_Topics()) as memory:
        memory.archival.insert("The wifi password is on the router.", user_id="u1")
        memory.recall.append("user", "The wifi is slow again", user_id="u1", thread_id="t1")
        tools = {t.name: t for t in create_memory_tools(memory)}
        # no shared word, nothing close in meaning: no hits, and the tool says so
        assert memory.archival.search("peanuts", user_id="u1") == []
        assert memory.recall.search("peanuts", user_id="u1") == []
        result = call(tools, "archival_memory_search", query="peanuts")
        assert NO_GOOD_MATCH in str(result.content) and "wifi" not in str(result.content)
        # close in meaning without a shared word is still found
        assert memory.archival.search("internet access", user_id="u1")[0].text.startswith(
            "The wifi"
        )
        # the dense-only mode a caller asks for explicitly keeps its nearest records
        assert memory.archival.search("peanuts", user_id="u1", mode="dense")


def test_relevance_floor_keeps_lexical_matches_and_close_dense_ones_in_order() -> None:
    fused = [(1, 0.9), (2, 0.8), (3, 0.7), (4, 0.6)]
    lexical = [(3, 5.0)]
    dense = [(1, float(np.float32(DENSE_FLOOR + 0.1))), (2, DENSE_FLOOR - 0.1), (4, 0.0)]
    assert relevance_floor(fused, lexical, dense) == [(1, 0.9), (3, 0.7)]
