"""The real ``ChatOpenAI`` client through the whole graph, against a local fake server."""

from __future__ import annotations

import io
from typing import Any

import pytest
from langchain_core.messages import convert_to_messages
from langchain_core.messages.utils import count_tokens_approximately
from langchain_openai import ChatOpenAI
from langgraph.checkpoint.memory import InMemorySaver

from langgraph_memgpt import MEMORY_TOOL_NAMES, MemGPTConfig, create_memgpt_agent
from langgraph_memgpt.cli import main as cli_main
from langgraph_memgpt.configuration import chat_model_from_settings
from langgraph_memgpt.prompts import CORE_MEMORY_HEADER, SUMMARY_HEADER
from tests.fake_openai import Reply, calls, http_error, serve, text

CONFIG = {"configurable": {"thread_id": "t1", "user_id": "u1"}}


@pytest.fixture
def server():
    with serve() as (fake, url):
        yield fake, url
    # A refused request may end as a graceful "service failure" turn: it must not pass unseen.
    assert not fake.rejected, fake.rejected


def make_agent(url: str, memory, *, retries: int = 0, timeout: float = 5.0, **config: Any):
    model = ChatOpenAI(
        model="fake-model", base_url=url, api_key="test", max_retries=retries, timeout=timeout
    )
    settings = MemGPTConfig(**{"context_window": 4096, **config})
    return create_memgpt_agent(model, memory=memory, config=settings, checkpointer=InMemorySaver())


def system_text(request: dict[str, Any]) -> str:
    return request["messages"][0]["content"]


def test_memory_tool_turn_with_splice_back(server, memory) -> None:
    fake, url = server
    fake.script = [
        calls(("archival_memory_insert", {"content": "The Q3 launch moved to May 14"})),
        text("Saved it."),
        calls(("archival_memory_search", {"query": "Q3 launch"})),
        text("May 14 (thread t1, turn 1)."),
    ]
    agent = make_agent(url, memory)
    agent.invoke({"messages": [("user", "Remember: Q3 launch moved to May 14")]}, CONFIG)
    state = agent.invoke({"messages": [("user", "When is the Q3 launch?")]}, CONFIG)
    assert state["messages"][-1].content == "May 14 (thread t1, turn 1)."
    requests = fake.chat_requests
    assert len(requests) == 4
    # Tool schemas were sent, for every memory tool.
    sent_tools = {t["function"]["name"] for t in requests[0]["tools"]}
    assert set(MEMORY_TOOL_NAMES) <= sent_tools
    # Core blocks and the summary section are in the system message.
    assert CORE_MEMORY_HEADER in system_text(requests[0])
    assert SUMMARY_HEADER in system_text(requests[0])
    assert "<human" in system_text(requests[0])
    # Splice-back: the search result reached the model as a tool message with its citation.
    tool_messages = [m for m in requests[3]["messages"] if m["role"] == "tool"]
    assert "May 14" in tool_messages[-1]["content"]
    assert "thread t1, turn 1" in tool_messages[-1]["content"]
    # Every prompt stayed within the budget: the messages and tool schemas sent, counted with
    # the graph's counter, fit the window less the room kept for the answer.
    for request in requests:
        assert sent_tokens(request) <= 4096 - MemGPTConfig().reserve_tokens


def sent_tokens(request: dict[str, Any]) -> int:
    """Tokens of a request body by the graph's counter: its messages and its tool schemas."""
    messages = convert_to_messages(request["messages"])
    return count_tokens_approximately(messages, tools=request.get("tools") or None)


def test_budget_holds_against_the_server_over_many_turns(server, memory) -> None:
    fake, url = server
    fake.default = Reply(content="noted " * 30)
    fake.summarize = lambda n: Reply(content=f"The user told long story number {n}.")
    agent = make_agent(url, memory, context_window=2500, reserve_tokens=200)
    for i in range(25):
        agent.invoke({"messages": [("user", f"turn {i}: " + "long story " * 60)]}, CONFIG)
    state = agent.get_state(CONFIG).values
    assert state["evicted_total"] > 0
    assert "summary" in state
    chat = [r for r in fake.chat_requests if "tools" in r]
    summaries = [r for r in fake.chat_requests if "tools" not in r]
    assert summaries, "the model was asked to summarize evicted messages"
    for request in chat:
        assert request["tools"] and sent_tokens(request) <= 2500 - 200
    # The most recent summary is the state's and reached the next system prompt.
    assert state["summary"] == f"The user told long story number {len(summaries)}."
    assert state["summary"] in system_text(chat[-1])


def test_retries_on_429_then_succeeds(server, memory) -> None:
    fake, url = server
    fake.script = [
        http_error(429, "slow down", **{"retry-after-ms": "10"}),
        http_error(503, "overloaded", **{"retry-after-ms": "10"}),
        text("hello"),
    ]
    agent = make_agent(url, memory, retries=2)
    state = agent.invoke({"messages": [("user", "hi")]}, CONFIG)
    assert state["messages"][-1].content == "hello"
    assert len(fake.chat_requests) == 3


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (http_error(500, "boom"), "server_error"),
        (http_error(429, "rate limited", **{"retry-after-ms": "10"}), "rate_limited"),
        (http_error(401, "bad key"), "auth"),
        (Reply(content="late", delay=2.0), "timeout"),
    ],
)
def test_service_failure_ends_with_a_clear_message_and_nothing_is_lost(
    server, memory, reply, kind
) -> None:
    fake, url = server
    fake.default = reply
    agent = make_agent(url, memory, timeout=0.5)
    state = agent.invoke({"messages": [("user", "What is the plan for Tuesday?")]}, CONFIG)
    last = state["messages"][-1]
    assert f"model error: {kind}" in last.content
    assert "send it again" in last.content
    # The user's message is in recall, and the thread goes on.
    assert memory.recall.search("plan Tuesday", user_id="u1")
    fake.default = text("The plan is rest.")
    state = agent.invoke({"messages": [("user", "What is the plan for Tuesday?")]}, CONFIG)
    assert state["messages"][-1].content == "The plan is rest."


def test_malformed_tool_call_json_gets_an_error_and_the_model_recovers(server, memory) -> None:
    fake, url = server
    fake.script = [
        calls(("archival_memory_insert", '{"content": "unterminated')),
        calls(("archival_memory_insert", {"content": "fixed fact"})),
        text("stored"),
    ]
    agent = make_agent(url, memory)
    state = agent.invoke({"messages": [("user", "save a fact")]}, CONFIG)
    assert state["messages"][-1].content == "stored"
    second = fake.chat_requests[1]["messages"]
    error = [m for m in second if m["role"] == "tool"][-1]
    assert "could not be parsed" in error["content"] and "valid JSON" in error["content"]
    assert memory.archival.count(user_id="u1") == 1


def test_unknown_tool_from_the_server_is_answered_with_the_tool_list(server, memory) -> None:
    fake, url = server
    fake.script = [calls(("delete_everything", {"now": True})), text("sorry")]
    agent = make_agent(url, memory)
    state = agent.invoke({"messages": [("user", "go")]}, CONFIG)
    assert state["messages"][-1].content == "sorry"
    error = [m for m in fake.chat_requests[1]["messages"] if m["role"] == "tool"][-1]
    assert "delete_everything" in error["content"] and "conversation_search" in error["content"]


def test_context_length_error_compacts_and_retries_once(server, memory) -> None:
    fake, url = server
    fake.default = text("ok " * 10)
    agent = make_agent(url, memory, context_window=8000)
    for i in range(6):
        agent.invoke({"messages": [("user", f"story {i}: " + "words " * 150)]}, CONFIG)
    before = len(agent.get_state(CONFIG).values["messages"])
    fake.script = [
        http_error(
            400, "This model's maximum context length is 2048 tokens.", "context_length_exceeded"
        ),
        text("summary of the evicted part"),  # the forced compaction's summary call
        text("answer after compaction"),
    ]
    state = agent.invoke({"messages": [("user", "and now?")]}, CONFIG)
    assert state["messages"][-1].content == "answer after compaction"
    assert len(state["messages"]) < before
    chat = [r for r in fake.chat_requests if "tools" in r]
    assert len(chat[-1]["messages"]) < len(chat[-2]["messages"])
    assert "summary of the evicted part" in system_text(chat[-1])


def test_context_length_error_twice_ends_with_a_clear_message(server, memory) -> None:
    fake, url = server
    fake.default = http_error(400, "prompt is too long", "context_length_exceeded")
    agent = make_agent(url, memory)
    state = agent.invoke({"messages": [("user", "hello there")]}, CONFIG)
    assert "model error: context_length" in state["messages"][-1].content
    assert memory.recall.search("hello there", user_id="u1")


def test_chat_model_selection(monkeypatch) -> None:
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "MEMGPT_MODEL"):
        monkeypatch.delenv(var, raising=False)
    model, description = chat_model_from_settings()
    assert "offline driver" in description and "not an LLM" in description
    model, description = chat_model_from_settings(model="m1", base_url="http://127.0.0.1:9/v1")
    assert isinstance(model, ChatOpenAI) and model.model_name == "m1"
    assert "127.0.0.1:9" in description
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("MEMGPT_TIMEOUT", "7")
    model, _ = chat_model_from_settings()
    assert isinstance(model, ChatOpenAI) and model.request_timeout == 7.0


def test_cli_chat_streams_tokens_and_shows_tool_calls(
    server, tmp_path, monkeypatch, capsys
) -> None:
    fake, url = server
    fake.script = [
        calls(("core_memory_append", {"label": "human", "content": "Name: Dana"})),
        text("Nice to meet you, Dana. I saved your name."),
    ]
    monkeypatch.setenv("MEMGPT_EMBEDDINGS", "none")
    monkeypatch.setattr("sys.stdin", io.StringIO("I am Dana\n"))
    code = cli_main(
        ["chat", "--model", "fake-model", "--base-url", url, "--data-dir", str(tmp_path / "d")]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert all(r.get("stream") for r in fake.chat_requests), "chat must request streaming"
    assert "-> core_memory_append" in out
    assert "<- core_memory_append [ok]" in out
    assert "assistant> Nice to meet you, Dana. I saved your name." in out
    assert "fake-model via langchain-openai" in out
