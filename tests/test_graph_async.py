"""The graph through ``ainvoke``/``astream``/``abatch`` with the default checkpointer, on both
backends: page fault, eviction, resume after a crash, isolation between users, every stream
mode, and memory I/O kept off the event loop."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatResult

from langgraph_memgpt import MemGPTConfig, OfflineDriver, create_memgpt_agent
from langgraph_memgpt.prompts import MEMORY_ALERT_NAME
from tests.conftest import ScriptedChatModel, tool_call


class AsyncScriptedChatModel(ScriptedChatModel):
    """The scripted model with an async API of its own, as an HTTP client has: the async
    ``reason`` awaits it on the loop and sends only memory I/O to worker threads."""

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._generate(messages, stop=stop, **kwargs)


@pytest.fixture(params=["sync-only model", "async model"])
def model_class(request: pytest.FixtureRequest) -> type[ScriptedChatModel]:
    """Both bodies of the async ``reason``: whole in a thread, or awaiting the model."""
    return ScriptedChatModel if request.param == "sync-only model" else AsyncScriptedChatModel


def test_the_async_model_path_is_the_one_taken() -> None:
    from langgraph_memgpt.nodes.reason import has_native_async

    assert has_native_async(AsyncScriptedChatModel())
    assert not has_native_async(ScriptedChatModel())
    assert not has_native_async(OfflineDriver())


def test_routers_run_on_the_loop_not_in_a_thread(memory) -> None:
    """A sync path function costs a thread hop per routing decision under ``ainvoke``; ours
    are awaited inline (LangGraph's own test for an executor-backed async body)."""
    from langgraph.pregel._utils import _has_native_async

    agent = create_memgpt_agent(OfflineDriver(), memory=memory)
    paths = [spec.path for specs in agent.builder.branches.values() for spec in specs.values()]
    assert len(paths) == 3
    assert all(_has_native_async(path) for path in paths)


async def _nodes(agent: Any, payload: Any, config: dict[str, Any]) -> list[str]:
    return [
        node
        async for chunk in agent.astream(payload, config, stream_mode="updates")
        for node in chunk
        if not node.startswith("__")
    ]


def test_page_fault_spliced_back_through_astream(memory, run_config, model_class) -> None:
    memory.archival.insert(
        "Alice's favourite colour is teal", user_id="u1", metadata={"thread_id": "t0", "turn": 3}
    )
    model = model_class(
        script=[
            AIMessage(content="", tool_calls=[tool_call("archival_memory_search", query="colour")]),
            AIMessage(content="teal"),
        ]
    )
    agent = create_memgpt_agent(model, memory=memory)  # the default saver, async API
    nodes = asyncio.run(_nodes(agent, {"messages": [("user", "what colour?")]}, run_config))
    assert nodes == ["reason", "memory_interrupt", "reason"]
    observation = model.prompts[1][-1]
    assert isinstance(observation, ToolMessage) and "teal" in observation.content
    assert agent.get_state(run_config).values["messages"][-1].content == "teal"  # sync view


def test_eviction_through_ainvoke_loses_nothing(memory, run_config) -> None:
    def respond(prompt: list[Any]) -> AIMessage:
        last = prompt[-1]
        if isinstance(last, HumanMessage) and last.name != MEMORY_ALERT_NAME:
            return AIMessage(
                content="",
                tool_calls=[
                    tool_call("archival_memory_insert", f"c-{last.id}", content=last.content[:60])
                ],
            )
        return AIMessage(content="saved " + "ok " * 10)

    model = AsyncScriptedChatModel(fallback=respond)
    config = MemGPTConfig(context_window=3000, reserve_tokens=200)
    agent = create_memgpt_agent(model, memory=memory, config=config)
    sent = [f"fact number {i}: " + "detail " * 40 for i in range(24)]

    async def talk() -> dict[str, Any]:
        for text in sent:
            state = await agent.ainvoke({"messages": [("user", text)]}, run_config)
        return state

    state = asyncio.run(talk())
    assert state["evicted_total"] > 0 and model.summary_prompts
    for prompt in model.prompts:
        body = prompt[1:]
        calls = {c["id"] for m in body if isinstance(m, AIMessage) for c in m.tool_calls}
        assert {m.tool_call_id for m in body if isinstance(m, ToolMessage)} == calls
    for i, text in enumerate(sent):
        hits = memory.recall.search(f"fact number {i}", user_id="u1", k=50)
        assert any(h.text == text for h in hits), f"message {i} missing from recall"
    assert memory.archival.count(user_id="u1") == len(sent)


def test_a_crashed_turn_resumes_through_ainvoke(memory, run_config, model_class) -> None:
    calls = {"n": 0}

    def flaky(prompt: list[Any]) -> AIMessage:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("model service died")
        if calls["n"] == 1:
            return AIMessage(
                content="",
                tool_calls=[tool_call("archival_memory_insert", content="Bob likes tea")],
            )
        return AIMessage(content="stored")

    agent = create_memgpt_agent(model_class(fallback=flaky), memory=memory)

    async def scenario() -> dict[str, Any]:
        with pytest.raises(RuntimeError):
            await agent.ainvoke({"messages": [("user", "Bob likes tea")]}, run_config)
        assert (await agent.aget_state(run_config)).next == ("reason",)
        return await agent.ainvoke(None, run_config)

    state = asyncio.run(scenario())
    assert state["messages"][-1].content == "stored"
    assert memory.archival.count(user_id="u1") == 1  # the tool did not run twice


def test_concurrent_users_and_threads_stay_apart(memory) -> None:
    agent = create_memgpt_agent(OfflineDriver(), memory=memory)
    people = {"ann": "Lisbon", "bob": "Oslo"}

    async def converse(user: str, thread: str) -> dict[str, Any]:
        config = {"configurable": {"thread_id": f"{user}-{thread}", "user_id": user}}
        await agent.ainvoke(
            {"messages": [("user", f"Remember that I live in {people[user]}.")]}, config
        )
        return await agent.ainvoke({"messages": [("user", "Where do I live?")]}, config)

    async def everyone() -> list[dict[str, Any]]:
        jobs = [converse(u, t) for u in people for t in ("a", "b")]
        return list(await asyncio.gather(*jobs))

    states = asyncio.run(everyone())
    for (user, city), state in zip(
        [(u, c) for u, c in people.items() for _ in "ab"], states, strict=True
    ):
        other = next(c for u, c in people.items() if u != user)
        text = " ".join(m.text for m in state["messages"])
        assert city in state["messages"][-1].text
        assert other not in text
        assert state["turn"] == 2
    for user, city in people.items():
        other = next(c for u, c in people.items() if u != user)
        assert any(city in h.text for h in memory.recall.search(city, user_id=user, k=10))
        assert not any(other in h.text for h in memory.recall.search(other, user_id=user, k=10))
        core = " ".join(b.value for b in memory.core.get(user_id=user).values())
        assert other not in core


def test_every_stream_mode_events_and_abatch(memory) -> None:
    agent = create_memgpt_agent(OfflineDriver(), memory=memory)
    config = {"configurable": {"thread_id": "s", "user_id": "u"}}
    modes = ["values", "updates", "messages", "custom", "debug", "checkpoints", "tasks"]

    async def scenario() -> tuple[set[str], list[str], list[dict[str, Any]]]:
        seen = set()
        payload = {"messages": [("user", "Remember that the launch is on May 14.")]}
        async for mode, _chunk in agent.astream(payload, config, stream_mode=modes):
            seen.add(mode)
        events = [
            e["event"]
            async for e in agent.astream_events(
                {"messages": [("user", "When is the launch?")]}, config, version="v2"
            )
        ]
        batch = await agent.abatch(
            [{"messages": [("user", "hello")]}] * 3,
            [{"configurable": {"thread_id": f"b{i}", "user_id": "u"}} for i in range(3)],
        )
        return seen, events, batch

    seen, events, batch = asyncio.run(scenario())
    assert {"values", "updates", "messages", "debug", "checkpoints", "tasks"} <= seen
    assert "on_chat_model_start" in events and "on_chain_end" in events
    assert [state["turn"] for state in batch] == [1, 1, 1]
    assert agent.get_state(config).values["turn"] == 2  # the sync API reads what async wrote


class Ticker:
    """How late a 5 ms timer on the event loop fires: what every other coroutine waits."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.running = True

    async def run(self) -> None:
        while self.running:
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, time.perf_counter() - before - 0.005)


def test_memory_io_does_not_block_the_event_loop(memory, run_config, model_class) -> None:
    """A slow store (0.3 s a call) slows the turn, not the other coroutines on the loop."""
    delay = 0.3
    for tier, name in ((memory.core, "get"), (memory.recall, "append_messages")):
        real = getattr(tier, name)

        def slow(*args: Any, _real: Any = real, **kwargs: Any) -> Any:
            time.sleep(delay)
            return _real(*args, **kwargs)

        setattr(tier, name, slow)
    model = model_class(
        script=[
            AIMessage(
                content="",
                tool_calls=[tool_call("core_memory_append", label="human", content="Likes tea")],
            ),
            AIMessage(content="noted"),
        ]
    )
    agent = create_memgpt_agent(model, memory=memory)

    async def scenario() -> tuple[float, float, dict[str, Any]]:
        ticker = Ticker()
        ticking = asyncio.create_task(ticker.run())
        started = time.perf_counter()
        state = await agent.ainvoke({"messages": [("user", "I like tea")]}, run_config)
        took = time.perf_counter() - started
        ticker.running = False
        await ticking
        return ticker.worst, took, state

    worst, took, state = asyncio.run(scenario())
    assert state["messages"][-1].content == "noted"
    assert took >= 3 * delay  # the slow calls did happen, inside the turn
    assert worst < delay / 2, f"the loop was blocked for {worst:.3f} s"


def test_the_offline_driver_streams_its_answer_word_by_word(memory, run_config) -> None:
    agent = create_memgpt_agent(OfflineDriver(), memory=memory)

    async def tokens() -> list[Any]:
        payload = {"messages": [("user", "Remember that the launch is on May 14.")]}
        return [
            (meta["langgraph_node"], chunk)
            async for chunk, meta in agent.astream(payload, run_config, stream_mode="messages")
        ]

    streamed = asyncio.run(tokens())
    answer = agent.get_state(run_config).values["messages"][-1]
    words = [chunk.content for node, chunk in streamed if node == "reason" and chunk.content]
    assert len(words) > 3 and "".join(words) == answer.text  # token by token, nothing lost
    calls = [c for node, c in streamed if node == "reason" and getattr(c, "tool_call_chunks", None)]
    assert calls and calls[0].tool_call_chunks[0]["name"] == "archival_memory_insert"


def test_an_async_user_tool_is_awaited_by_execute_tool(memory, run_config) -> None:
    from langchain_core.tools import tool

    loop_threads: list[bool] = []

    @tool
    async def get_weather(city: str) -> str:
        """Weather for a city."""
        loop_threads.append(asyncio.get_running_loop() is not None)
        return f"It is sunny in {city}."

    model = AsyncScriptedChatModel(
        script=[
            AIMessage(content="", tool_calls=[tool_call("get_weather", city="Paris")]),
            AIMessage(content="Sunny in Paris."),
        ]
    )
    agent = create_memgpt_agent(model, memory=memory, tools=[get_weather])
    nodes = asyncio.run(_nodes(agent, {"messages": [("user", "Weather in Paris?")]}, run_config))
    assert nodes == ["reason", "execute_tool", "reason"]
    assert loop_threads == [True]  # the coroutine ran, on the loop
    assert "sunny in Paris" in model.prompts[1][-1].content
    stored = memory.recall.search("sunny Paris", user_id="u1", k=10, include_tools=True)
    assert any(h.text == "It is sunny in Paris." for h in stored)  # the result reached recall


def test_memory_calls_run_on_the_stores_own_threads(memory, run_config) -> None:
    """Under ``ainvoke`` the nodes' memory work runs on the store's executor (one thread on
    SQLite, two on Postgres), never on the loop's thread or its default executor."""
    seen: set[str] = set()
    real = memory.core.get

    def spying(*args: Any, **kwargs: Any) -> Any:
        seen.add(threading.current_thread().name)
        return real(*args, **kwargs)

    memory.core.get = spying
    agent = create_memgpt_agent(OfflineDriver(), memory=memory)

    async def turns() -> None:
        await asyncio.gather(
            *(
                agent.ainvoke(
                    {"messages": [("user", f"Remember that my code is {n}.")]},
                    {"configurable": {"user_id": f"u{n}", "thread_id": f"t{n}"}},
                )
                for n in range(4)
            )
        )

    asyncio.run(turns())
    assert seen and all(name.startswith("memgpt-memory") for name in seen), seen
    assert len(seen) <= memory.executor.threads == (1 if memory.backend == "sqlite" else 2)


def test_memory_threads_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from langgraph_memgpt.memory import Memory, MemoryStoreError
    from langgraph_memgpt.memory.aio import MEMORY_THREADS_ENV, memory_threads

    monkeypatch.delenv(MEMORY_THREADS_ENV, raising=False)
    assert (memory_threads("sqlite"), memory_threads("postgres")) == (1, 2)
    monkeypatch.setenv(MEMORY_THREADS_ENV, "6")
    assert memory_threads("sqlite") == 6
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv(MEMORY_THREADS_ENV, bad)
        with pytest.raises(MemoryStoreError, match=MEMORY_THREADS_ENV):
            memory_threads("postgres")
        # refused before a store is opened: nothing is created
        with pytest.raises(MemoryStoreError, match=MEMORY_THREADS_ENV):
            Memory.open(tmp_path / bad)
        assert not (tmp_path / bad).exists()
