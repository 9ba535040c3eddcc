"""Recall memory: idempotent appends, BM25 and hybrid search, date ranges, pagination,
isolation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from langgraph_memgpt.memory import Memory, MemoryStoreError


@pytest.fixture
def mem(store: Any) -> Iterator[Memory]:
    with Memory.open(store, embeddings=None) as memory:
        yield memory


def test_append_messages_roles_links_and_idempotence(mem: Memory) -> None:
    messages = [
        SystemMessage("system prompt", id="s"),
        HumanMessage("my dog is called Rex", id="h1"),
        AIMessage("", id="a1", tool_calls=[{"name": "save", "args": {"x": 1}, "id": "c1"}]),
        ToolMessage("saved", tool_call_id="c1", name="save", id="t1"),
        AIMessage("Noted, Rex it is.", id="a2"),
    ]
    ids = mem.recall.append_messages(messages, user_id="u1", thread_id="th", turn=1)
    assert ids == ["s", "h1", "a1", "t1", "a2"]
    again = mem.recall.append_messages(messages[1:3], user_id="u1", thread_id="th", turn=1)
    assert again == ["h1", "a1"]
    assert mem.recall.count(user_id="u1") == 5
    assert mem.recall.contains("a1", user_id="u1")
    assert not mem.recall.contains("a1", user_id="u2")
    log = mem.recall.messages(user_id="u1", thread_id="th")
    assert [h.metadata["role"] for h in log] == ["system", "user", "assistant", "tool", "assistant"]
    assert log[2].metadata["tool_calls"][0]["id"] == "c1"
    assert log[3].metadata["tool_call_id"] == "c1" and log[3].metadata["name"] == "save"
    for hit in log:
        assert {"thread_id", "turn", "created_at", "source", "tags", "user_id", "agent_id"} <= set(
            hit.metadata
        )
        assert hit.metadata["turn"] == 1 and hit.metadata["created_at"].endswith("+00:00")


def test_append_is_idempotent_on_message_id(mem: Memory) -> None:
    first = mem.recall.append("user", "hello", user_id="u1", thread_id="t", message_id="m1")
    second = mem.recall.append("user", "hello", user_id="u1", thread_id="t", message_id="m1")
    assert first == second == "m1"
    assert mem.recall.count(user_id="u1") == 1
    generated = mem.recall.append("assistant", "hi", user_id="u1", thread_id="t")
    assert generated != "m1" and mem.recall.count(user_id="u1") == 2


def test_a_batch_with_stored_and_repeated_ids_stores_each_message_once_in_order(
    mem: Memory,
) -> None:
    """A batch is one ``INSERT`` statement: a message already stored and an id repeated
    within the batch are skipped, the rest keep their order (and their index context)."""
    mem.recall.append("user", "the first word", user_id="u1", thread_id="t", message_id="a")
    batch = [
        HumanMessage("kiwi one", id="b"),
        HumanMessage("the first word", id="a"),
        AIMessage("kiwi two", id="c"),
        HumanMessage("kiwi again", id="b"),
        AIMessage("kiwi three", id="d"),
    ]
    mem.recall.append_messages(batch, user_id="u1", thread_id="t")
    log = mem.recall.messages(user_id="u1", thread_id="t")
    assert [h.text for h in log] == ["the first word", "kiwi one", "kiwi two", "kiwi three"]
    hits = mem.recall.search("kiwi", user_id="u1", k=10, mode="lexical")
    kiwis = sorted(h.text for h in hits if "kiwi" in h.text)  # others match by context
    assert kiwis == ["kiwi one", "kiwi three", "kiwi two"]


def test_search_ranks_and_tolerates_any_query(mem: Memory) -> None:
    mem.recall.append("user", "I adopted a cat named Whiskers", user_id="u1", thread_id="t")
    mem.recall.append("user", "The weather is nice today", user_id="u1", thread_id="t")
    mem.recall.append(
        "user", "Whiskers the cat loves tuna; the cat is old", user_id="u1", thread_id="t2"
    )
    hits = mem.recall.search("what is my cat's name? AND \"NEAR(*", user_id="u1")
    assert hits[0].text == "I adopted a cat named Whiskers"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    # The message after the adoption is indexed with its neighbour's words (at half weight),
    # so it is found too, below the message that says it.
    assert {h.text for h in hits[1:]} == {
        "Whiskers the cat loves tuna; the cat is old",
        "The weather is nice today",
    }
    weather = next(h for h in hits if h.text.startswith("The weather"))
    assert weather.score < hits[0].score * 0.75
    assert [h.text for h in mem.recall.search("cat", user_id="u1", thread_id="t2")] == [
        "Whiskers the cat loves tuna; the cat is old"
    ]
    assert mem.recall.search("cats", user_id="u2") == []  # other user: nothing
    with pytest.raises(MemoryStoreError, match="no words"):
        mem.recall.search("?!", user_id="u1")
    with pytest.raises(MemoryStoreError, match="empty"):
        mem.recall.search("   ", user_id="u1")


def test_pagination(mem: Memory) -> None:
    for i in range(7):
        mem.recall.append("user", f"note number {i} about apples", user_id="u1", thread_id="t")
    pages = [mem.recall.search("apples", user_id="u1", k=3, page=p) for p in range(3)]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert len({h.id for p in pages for h in p}) == 7
    with pytest.raises(MemoryStoreError, match=r"7 results in 3 page\(s\).*pages 0 to 2"):
        mem.recall.search("apples", user_id="u1", k=3, page=3)
    assert mem.recall.search("bananas", user_id="u1") == []
    with pytest.raises(MemoryStoreError, match="no results"):
        mem.recall.search("bananas", user_id="u1", page=1)
    for bad_k in (0, 101, "3", True):
        with pytest.raises(MemoryStoreError, match="k must be"):
            mem.recall.search("apples", user_id="u1", k=bad_k)  # type: ignore[arg-type]
    with pytest.raises(MemoryStoreError, match="page must be"):
        mem.recall.search("apples", user_id="u1", page=-1)


def test_search_by_date(mem: Memory) -> None:
    for day in ("2024-03-01T10:00:00Z", "2024-03-02T23:59:00Z", "2024-03-03T00:00:00Z"):
        mem.recall.append("user", f"on {day}", user_id="u1", thread_id="t", created_at=day)
    hits = mem.recall.search_by_date("2024-03-01", "2024-03-02", user_id="u1")
    assert [h.text for h in hits] == ["on 2024-03-01T10:00:00Z", "on 2024-03-02T23:59:00Z"]
    assert hits[0].metadata["created_at"] == "2024-03-01T10:00:00.000000+00:00"
    hits = mem.recall.search_by_date("2024-03-02T12:00:00+00:00", "2024-03-03", user_id="u1")
    assert len(hits) == 2
    second_page = mem.recall.search_by_date("2024-03-01", "2024-03-03", user_id="u1", k=2, page=1)
    assert [h.text for h in second_page] == ["on 2024-03-03T00:00:00Z"]  # the third, in order
    with pytest.raises(MemoryStoreError, match="YYYY-MM-DD"):
        mem.recall.search_by_date("March 1st", "2024-03-02", user_id="u1")
    with pytest.raises(MemoryStoreError, match="after end"):
        mem.recall.search_by_date("2024-03-05", "2024-03-02", user_id="u1")
    with pytest.raises(MemoryStoreError, match="pages 0 to 1"):
        mem.recall.search_by_date("2024-03-01", "2024-03-03", user_id="u1", k=2, page=2)


def test_bad_inputs(mem: Memory) -> None:
    with pytest.raises(MemoryStoreError, match="role must be one of"):
        mem.recall.append("robot", "x", user_id="u1", thread_id="t")
    with pytest.raises(MemoryStoreError, match="thread_id"):
        mem.recall.append("user", "x", user_id="u1", thread_id="")
    with pytest.raises(MemoryStoreError, match="maximum"):
        mem.recall.append("user", "x" * 1_000_001, user_id="u1", thread_id="t")
    with pytest.raises(MemoryStoreError, match="created_at"):
        mem.recall.append("user", "x", user_id="u1", thread_id="t", created_at="yesterday")
    assert mem.recall.count(user_id="u1") == 0


def test_stored_ids_answers_for_many_ids_of_one_user(mem: Memory) -> None:
    mem.recall.append_messages(
        [HumanMessage("hi", id="h1"), AIMessage("hello", id="a1")], user_id="u1", thread_id="t"
    )
    ids = ["a1", "nope", "h1", "a1", *[f"x{i}" for i in range(1000)]]  # past one SQL chunk
    assert mem.recall.stored_ids(ids, user_id="u1") == {"a1", "h1"}
    assert mem.recall.stored_ids(ids, user_id="u2") == set()
    assert mem.recall.stored_ids([], user_id="u1") == set()


def test_search_ranks_what_people_said_not_tool_traffic_or_the_open_question(mem: Memory) -> None:
    ident = {"user_id": "u1"}
    mem.recall.append_messages(
        [
            HumanMessage("My sister Ingrid lives in Bergen.", id="h1"),
            AIMessage("Nice, Bergen is rainy.", id="a1"),
        ],
        thread_id="t",
        turn=1,
        **ident,
    )
    mem.recall.append_messages(
        [
            HumanMessage("Where does my sister live?", id="h2"),
            AIMessage(
                "",
                id="a2",
                tool_calls=[
                    {"name": "conversation_search", "args": {"query": "sister"}, "id": "c"}
                ],
            ),
            ToolMessage(
                "1. sister Ingrid lives in Bergen (sister sister)", tool_call_id="c", id="t2"
            ),
        ],
        thread_id="t",
        turn=2,
        **ident,
    )
    said = [h.id for h in mem.recall.search("sister", **ident)]
    assert "t2" not in said and "a2" not in said and {"h1", "h2"} <= set(said)
    everything = [h.id for h in mem.recall.search("sister", include_tools=True, **ident)]
    assert "t2" in everything
    open_turn = [h.id for h in mem.recall.search("sister", exclude_turn=("t", 2), **ident)]
    assert open_turn[0] == "h1" and not {"h2", "a2", "t2"} & set(open_turn)
