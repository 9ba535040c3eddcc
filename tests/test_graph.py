"""The graph with scripted fake models: routing, page fault, splice-back, compaction, limits."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.messages.utils import count_tokens_approximately
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver

from langgraph_memgpt import MemGPTConfig, create_memgpt_agent
from langgraph_memgpt.configuration import approximate_token_counter
from langgraph_memgpt.context import message_groups
from langgraph_memgpt.prompts import (
    CORE_MEMORY_HEADER,
    MEMORY_ALERT_NAME,
    PRESSURE_ALERT_MARKER,
    STEP_LIMIT_MARKER,
    SUMMARY_REQUEST_MARKER,
)
from tests.conftest import ScriptedChatModel, tool_call


@tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"It is sunny in {city}."


def _nodes(agent: Any, payload: Any, config: dict[str, Any]) -> list[str]:
    return [
        node
        for chunk in agent.stream(payload, config, stream_mode="updates")
        for node in chunk
        if not node.startswith("__")
    ]


def test_answer_without_tool_calls_ends_the_turn(memory, run_config) -> None:
    model = ScriptedChatModel(script=[AIMessage(content="hello!")])
    agent = create_memgpt_agent(model, memory=memory, checkpointer=InMemorySaver())
    # A turn that fits its budget is one graph step: compact has nothing to do and is skipped.
    assert _nodes(agent, {"messages": [("user", "hi")]}, run_config) == ["reason"]
    state = agent.get_state(run_config).values
    assert state["messages"][-1].content == "hello!"
    assert len(model.prompts) == 1
    # The input and the answer were both written to recall memory, in the same step.
    assert {"hi", "hello!"} <= {h.text for h in memory.recall.search("hi hello", user_id="u1")}
    assert (state["turn"], state["steps"]) == (1, 1)


def test_memory_tool_call_is_a_page_fault_spliced_back(memory, run_config) -> None:
    memory.archival.insert(
        "Alice's favourite colour is teal",
        user_id="u1",
        metadata={"thread_id": "t0", "turn": 3, "source": "chat"},
    )
    model = ScriptedChatModel(
        script=[
            AIMessage(content="", tool_calls=[tool_call("archival_memory_search", query="colour")]),
            AIMessage(content="teal"),
        ]
    )
    agent = create_memgpt_agent(model, memory=memory, checkpointer=InMemorySaver())
    nodes = _nodes(agent, {"messages": [("user", "what colour?")]}, run_config)
    assert nodes == ["reason", "memory_interrupt", "reason"]
    # The second model call sees the tool result, with its citation.
    observation = model.prompts[1][-1]
    assert isinstance(observation, ToolMessage)
    assert "teal" in observation.content
    assert "thread t0" in observation.content and "turn 3" in observation.content
    assert observation.artifact["hits"][0]["metadata"]["source"] == "chat"


def test_user_tool_routes_to_execute_tool(memory, run_config) -> None:
    model = ScriptedChatModel(
        script=[
            AIMessage(content="", tool_calls=[tool_call("get_weather", city="Lisbon")]),
            AIMessage(content="sunny"),
        ]
    )
    agent = create_memgpt_agent(
        model, memory=memory, tools=[get_weather], checkpointer=InMemorySaver()
    )
    nodes = _nodes(agent, {"messages": [("user", "weather?")]}, run_config)
    assert nodes == ["reason", "execute_tool", "reason"]
    assert "sunny in Lisbon" in model.prompts[1][-1].content


def test_mixed_calls_visit_both_tool_nodes_before_reasoning_again(memory, run_config) -> None:
    model = ScriptedChatModel(
        script=[
            AIMessage(
                content="",
                tool_calls=[
                    tool_call("get_weather", "c1", city="Porto"),
                    tool_call("archival_memory_insert", "c2", content="Porto trip in June"),
                ],
            ),
            AIMessage(content="done"),
        ]
    )
    agent = create_memgpt_agent(
        model, memory=memory, tools=[get_weather], checkpointer=InMemorySaver()
    )
    nodes = _nodes(agent, {"messages": [("user", "plan")]}, run_config)
    assert nodes == ["reason", "memory_interrupt", "execute_tool", "reason"]
    answered = {m.tool_call_id for m in model.prompts[1] if isinstance(m, ToolMessage)}
    assert answered == {"c1", "c2"}


def test_unknown_tool_gets_an_error_message_and_the_turn_goes_on(memory, run_config) -> None:
    model = ScriptedChatModel(
        script=[
            AIMessage(content="", tool_calls=[tool_call("launch_rockets", target="moon")]),
            AIMessage(content="sorry"),
        ]
    )
    agent = create_memgpt_agent(model, memory=memory, checkpointer=InMemorySaver())
    agent.invoke({"messages": [("user", "go")]}, run_config)
    error = model.prompts[1][-1]
    assert isinstance(error, ToolMessage) and error.status == "error"
    assert "launch_rockets" in error.content and "archival_memory_search" in error.content


def test_core_blocks_are_in_the_system_prompt_and_state(memory, run_config) -> None:
    model = ScriptedChatModel(
        script=[
            AIMessage(
                content="",
                tool_calls=[tool_call("core_memory_append", label="human", content="Name: Alice")],
            ),
            AIMessage(content="Nice to meet you, Alice"),
        ]
    )
    agent = create_memgpt_agent(model, memory=memory, checkpointer=InMemorySaver())
    state = agent.invoke({"messages": [("user", "I am Alice")]}, run_config)
    system = model.prompts[1][0].content
    assert CORE_MEMORY_HEADER in system and "Name: Alice" in system
    assert "Name: Alice" in state["core"]["human"]["value"]
    assert "Name: Alice" in memory.core.get(user_id="u1")["human"].value


def test_step_limit_stops_a_tool_loop_with_a_clear_message(memory, run_config) -> None:
    looping = AIMessage(content="", tool_calls=[tool_call("conversation_search", query="x")])

    def again(_: Any) -> AIMessage:
        return looping.model_copy(
            update={"tool_calls": [tool_call("conversation_search", query="x")]}
        )

    model = ScriptedChatModel(fallback=again)
    agent = create_memgpt_agent(
        model, memory=memory, config=MemGPTConfig(max_steps=3), checkpointer=InMemorySaver()
    )
    state = agent.invoke({"messages": [("user", "loop")]}, run_config)
    assert len(model.prompts) == 3
    last = state["messages"][-1]
    assert isinstance(last, AIMessage) and STEP_LIMIT_MARKER in last.content
    # The next turn starts with a fresh step count.
    model.fallback = None
    agent.invoke({"messages": [("user", "hello")]}, run_config)
    assert len(model.prompts) == 4


def _chatty_model() -> ScriptedChatModel:
    return ScriptedChatModel(fallback=AIMessage(content="ok " * 20))


def test_pressure_alert_is_added_once_before_eviction(memory, run_config) -> None:
    model = _chatty_model()
    config = MemGPTConfig(context_window=3000, reserve_tokens=200)
    agent = create_memgpt_agent(model, memory=memory, config=config, checkpointer=InMemorySaver())
    alerts_seen = 0
    for i in range(40):
        agent.invoke({"messages": [("user", f"message {i} " + "word " * 60)]}, run_config)
        prompt = model.prompts[-1]
        alerts_seen = sum(
            1 for m in prompt if isinstance(m, HumanMessage) and m.name == MEMORY_ALERT_NAME
        )
        if model.summary_prompts:
            break
        assert alerts_seen <= 1
    else:
        pytest.fail("the context never overflowed")
    alert_prompts = [
        p
        for p in model.prompts
        if isinstance(p[-1], HumanMessage) and p[-1].name == MEMORY_ALERT_NAME
    ]
    assert len(alert_prompts) == 1
    assert alert_prompts[0][-1].content.startswith(PRESSURE_ALERT_MARKER)


def test_compact_runs_only_for_turns_whose_prompt_needs_it(memory, run_config) -> None:
    model = _chatty_model()
    config = MemGPTConfig(context_window=3000, reserve_tokens=200)
    agent = create_memgpt_agent(model, memory=memory, config=config, checkpointer=InMemorySaver())
    visits: list[list[str]] = []
    for i in range(40):
        calls_before = len(model.prompts)
        visits.append(
            _nodes(agent, {"messages": [("user", f"message {i} " + "word " * 60)]}, run_config)
        )
        assert len(model.prompts) == calls_before + 1  # a turn sent to compact is answered once
        state = agent.get_state(run_config).values
        assert state["context_tokens"] <= 3000 - 200
        assert not state.get("compact_requested")
        if model.summary_prompts:
            break
    assert visits[0] == ["reason"]
    compacted = [v for v in visits if v != ["reason"]]
    # The pressure alert, then the eviction: each time reason measures the prompt, hands it
    # to compact once and calls the model on what compact left.
    assert compacted == [["reason", "compact", "reason"]] * 2
    first = "message 0 " + "word " * 60  # evicted by now, and in recall memory
    assert state["evicted_total"] > 0
    assert any(h.text == first for h in memory.recall.search("message 0", user_id="u1", k=50))


def test_a_prompt_compact_cannot_shrink_goes_to_the_model_after_one_compaction(
    memory, run_config
) -> None:
    model = ScriptedChatModel(fallback=AIMessage(content="ok"))
    config = MemGPTConfig(context_window=3000, reserve_tokens=200)
    # The fixed part of the prompt alone is over the limit: compacting cannot help, and reason
    # must not send the same call back to compact again and again.
    agent = create_memgpt_agent(
        model,
        memory=memory,
        config=config,
        checkpointer=InMemorySaver(),
        system_prompt="Be brief. " * 1500,
    )
    assert _nodes(agent, {"messages": [("user", "hi")]}, run_config) == [
        "reason",
        "compact",
        "reason",
    ]
    assert len(model.prompts) == 1
    assert _nodes(agent, {"messages": [("user", "again")]}, run_config) == [
        "reason",
        "compact",
        "reason",
    ]


def test_eviction_keeps_tool_pairs_and_loses_nothing(memory, run_config) -> None:
    def respond(prompt: list[Any]) -> AIMessage:
        last = prompt[-1]
        if isinstance(last, HumanMessage) and last.name != MEMORY_ALERT_NAME:
            n = len(prompt)
            return AIMessage(
                content="",
                tool_calls=[
                    tool_call(
                        "archival_memory_insert", f"c{n}-{last.id}", content=last.content[:80]
                    )
                ],
            )
        return AIMessage(content="saved " + "ok " * 10)

    model = ScriptedChatModel(fallback=respond)
    config = MemGPTConfig(context_window=3000, reserve_tokens=200)
    agent = create_memgpt_agent(model, memory=memory, config=config, checkpointer=InMemorySaver())
    sent: list[str] = []
    for i in range(30):
        text = f"fact number {i}: " + "detail " * 40
        sent.append(text)
        agent.invoke({"messages": [("user", text)]}, run_config)
    state = agent.get_state(run_config).values
    assert state["evicted_total"] > 0 and model.summary_prompts
    for prompt in model.prompts:
        # Every tool call in a prompt is answered in the same prompt, every result has its call.
        body = prompt[1:]
        calls = {c["id"] for m in body if isinstance(m, AIMessage) for c in m.tool_calls}
        results = {m.tool_call_id for m in body if isinstance(m, ToolMessage)}
        assert results == calls
        for group in message_groups(body):
            if isinstance(group[0], ToolMessage):
                pytest.fail("a tool result was separated from its call")
    # Nothing is lost: every user message is in recall, by text search too.
    for i, text in enumerate(sent):
        hits = memory.recall.search(f"fact number {i}", user_id="u1", k=50)
        assert any(h.text == text for h in hits), f"message {i} missing from recall"


class PromptMeter(BaseCallbackHandler):
    """Counts every prompt a chat model receives, tool schemas included, with the counter the
    graph budgets with: what the model was sent, not what the graph reports."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], **kwargs: Any
    ) -> None:
        prompt = messages[0]
        if str(prompt[0].content).startswith(SUMMARY_REQUEST_MARKER):
            return  # the summarizer's own call, not the agent's context
        tools = (kwargs.get("invocation_params") or {}).get("tools") or []
        schema_tokens = count_tokens_approximately([], tools=tools) if tools else 0
        assert schema_tokens > 0, "the agent's model calls carry the tool schemas"
        self.sizes.append(approximate_token_counter(prompt) + schema_tokens)


def test_budget_is_never_exceeded_over_300_turns(memory, run_config) -> None:
    from langgraph_memgpt import OfflineDriver

    model = OfflineDriver()
    config = MemGPTConfig(context_window=2500, reserve_tokens=200)
    agent = create_memgpt_agent(model, memory=memory, config=config, checkpointer=InMemorySaver())
    meter = PromptMeter()
    metered = {**run_config, "callbacks": [meter]}
    for i in range(300):
        if i % 10 == 9:
            text = f"What did I say about topic {i - 5}?"
        else:
            text = f"Topic {i}: the meeting room {i} has {i % 7} chairs. " + "filler " * (i % 50)
        state = agent.invoke({"messages": [("user", text)]}, metered)
    limit = config.context_window - config.reserve_tokens
    assert len(meter.sizes) >= 300  # at least one model call a turn, each measured
    assert max(meter.sizes) <= limit
    # The budget was under pressure (prompts came close to the limit), so the bound is tested.
    assert max(meter.sizes) >= config.context_window * config.warning_fraction
    assert state["evicted_total"] > 200
    assert memory.recall.count(user_id="u1") >= 600


def test_oversized_message_is_truncated_in_context_but_whole_in_recall(memory, run_config) -> None:
    model = ScriptedChatModel(fallback=AIMessage(content="ok"))
    config = MemGPTConfig(context_window=3000, reserve_tokens=200)
    agent = create_memgpt_agent(model, memory=memory, config=config, checkpointer=InMemorySaver())
    huge = "zebra " * 5000
    state = agent.invoke({"messages": [("user", huge)]}, run_config)
    assert state["context_tokens"] <= 2800
    assert len(str(model.prompts[-1][-1].content)) < len(huge)
    hits = memory.recall.search("zebra", user_id="u1", k=5)
    assert any(h.text == huge for h in hits)


def test_crash_mid_turn_resumes_from_the_checkpoint(memory, run_config) -> None:
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

    model = ScriptedChatModel(fallback=flaky)
    agent = create_memgpt_agent(model, memory=memory, checkpointer=InMemorySaver())
    with pytest.raises(RuntimeError):
        agent.invoke({"messages": [("user", "Bob likes tea")]}, run_config)
    # The user's message and the completed tool step are already saved.
    assert memory.recall.search("Bob tea", user_id="u1")
    assert memory.archival.count(user_id="u1") == 1
    assert agent.get_state(run_config).next == ("reason",)
    state = agent.invoke(None, run_config)
    assert state["messages"][-1].content == "stored"
    assert memory.archival.count(user_id="u1") == 1  # the tool did not run twice


def test_run_context_sets_identity_and_budget(memory) -> None:
    from langgraph_memgpt import MemGPTContext

    model = ScriptedChatModel(fallback=AIMessage(content="ok"))
    agent = create_memgpt_agent(model, memory=memory, checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "ctx"}}
    context = MemGPTContext(user_id="carol", context_window=2000)
    for i in range(12):
        state = agent.invoke(
            {"messages": [("user", f"note {i} " + "text " * 80)]}, config, context=context
        )
        assert state["context_tokens"] <= 2000 - 512
    assert state["evicted_total"] > 0  # the 2000-token window of the context was applied
    assert memory.recall.count(user_id="carol") > 0
    assert memory.recall.count(user_id="default-user") == 0


def test_as_a_subgraph_evicted_messages_resent_by_the_parent_are_not_summarized_again(
    memory,
) -> None:
    from langgraph.graph import START, MessagesState, StateGraph

    model = ScriptedChatModel(fallback=AIMessage(content="ok " * 20))
    config = MemGPTConfig(context_window=3000, reserve_tokens=200)
    # checkpointer=True: the subgraph keeps its own state (summary, turn, FIFO) per parent thread.
    memgpt = create_memgpt_agent(model, memory=memory, config=config, checkpointer=True)
    parent = StateGraph(MessagesState)
    parent.add_node("memgpt", memgpt)
    parent.add_edge(START, "memgpt")
    app = parent.compile(checkpointer=InMemorySaver())
    run_config = {"configurable": {"thread_id": "p1", "user_id": "u1"}}
    for i in range(30):
        app.invoke({"messages": [("user", f"entry {i}: " + "text " * 60)]}, run_config)
    parent_messages = app.get_state(run_config).values["messages"]
    # The parent keeps its whole transcript (plus the pressure alerts the subgraph added).
    assert (
        sum(isinstance(m, HumanMessage) and m.name != MEMORY_ALERT_NAME for m in parent_messages)
        == 30
    )
    # Each eviction summarizes only what it evicts: a handful of summaries, each of a
    # bounded transcript, not one per turn over an ever-growing history.
    assert 0 < len(model.summary_prompts) <= 5
    longest = max(len(p[-1].content) for p in model.summary_prompts)
    assert longest < 3000 * 4
    # The subgraph's FIFO stays bounded although the parent sends its whole transcript.
    assert len(model.prompts[-1]) < 40
    assert memory.recall.count(user_id="u1") >= 60
    # Turns keep counting across parent turns (citations stay meaningful): each entry is
    # cited with its own turn, not turn 1 every time.
    for i in (0, 14, 29):
        hits = memory.recall.search(f"entry {i}", user_id="u1", k=50)
        (hit,) = [h for h in hits if h.text.startswith(f"entry {i}:")]
        assert hit.metadata["turn"] == i + 1


def test_a_message_keeps_its_stated_time_in_recall(memory, run_config) -> None:
    model = ScriptedChatModel(fallback=AIMessage(content="ok"))
    agent = create_memgpt_agent(model, memory=memory, checkpointer=InMemorySaver())
    old = HumanMessage(
        "We moved to Porto.", additional_kwargs={"created_at": "2023-05-08T13:56:00"}
    )
    bad = HumanMessage("No date here.", additional_kwargs={"created_at": "last spring"})
    agent.invoke({"messages": [old]}, run_config)
    agent.invoke({"messages": [bad]}, run_config)  # an unusable time does not fail the turn
    hits = memory.recall.search_by_date("2023-05-08", "2023-05-08", user_id="u1")
    assert [h.text for h in hits] == ["We moved to Porto."]
    assert memory.recall.search("No date here", user_id="u1")


def _invalid_call(call_id: str) -> dict[str, Any]:
    return {
        "name": "archival_memory_insert",
        "args": '{"content": "unterminated',
        "id": call_id,
        "error": "arguments are not valid JSON",
        "type": "invalid_tool_call",
    }


@pytest.mark.parametrize("calls", ["parallel", "unparsable"])
def test_eviction_keeps_every_result_with_its_call(memory, run_config, calls: str) -> None:
    """Each user message gets one model message with several calls (three parallel calls, or
    one parsed and two unparsable): eviction must take or keep the call and all its results.
    The scripted model rejects a prompt with a result split from its call, as OpenAI does."""

    def respond(prompt: list[Any]) -> AIMessage:
        last = prompt[-1]
        if not (isinstance(last, HumanMessage) and last.name != MEMORY_ALERT_NAME):
            return AIMessage(content="saved " + "ok " * 10)
        n = f"{len(prompt)}-{last.id}"
        note = last.content[:60]
        if calls == "parallel":
            return AIMessage(
                content="",
                tool_calls=[
                    tool_call("archival_memory_insert", f"p{i}-{n}", content=f"{i} {note}")
                    for i in range(3)
                ],
            )
        return AIMessage(
            content="",
            tool_calls=[tool_call("archival_memory_insert", f"ok-{n}", content=note)],
            invalid_tool_calls=[_invalid_call(f"bad{i}-{n}") for i in range(2)],
        )

    model = ScriptedChatModel(fallback=respond)
    config = MemGPTConfig(context_window=3000, reserve_tokens=200)
    agent = create_memgpt_agent(model, memory=memory, config=config, checkpointer=InMemorySaver())
    for i in range(30):
        agent.invoke({"messages": [("user", f"fact {i}: " + "detail " * 40)]}, run_config)
    state = agent.get_state(run_config).values
    assert state["evicted_total"] > 0
    fifo = state["messages"]
    assert not isinstance(fifo[0], ToolMessage)  # the FIFO never starts with an orphan result
    for group in message_groups(fifo):
        callers = [m for m in group if isinstance(m, AIMessage)]
        results = {m.tool_call_id for m in group if isinstance(m, ToolMessage)}
        if callers:
            made = {c["id"] for c in [*callers[0].tool_calls, *callers[0].invalid_tool_calls]}
            assert results == made
    # Every prompt the model received passed the pairing rule (the fake raises otherwise), and
    # the calls were of the kind under test.
    per_call = 3
    assert all(
        len([*m.tool_calls, *m.invalid_tool_calls]) == per_call
        for p in model.prompts
        for m in p
        if isinstance(m, AIMessage) and (m.tool_calls or m.invalid_tool_calls)
    )


class _SaverThatDies(InMemorySaver):
    """A checkpointer of a process that dies just after memory_interrupt wrote its results to
    recall: from that step's writes on nothing is saved, so the next run resumes from the
    step before and executes memory_interrupt (and what follows) again."""

    dead = False

    def put_writes(self, config: Any, writes: Any, task_id: str, task_path: str = "") -> None:
        if any(
            channel == "messages" and any(isinstance(m, ToolMessage) for m in value)
            for channel, value in writes
        ):
            self.dead = self.dead or not getattr(self, "revived", False)
        if not self.dead:
            super().put_writes(config, writes, task_id, task_path)

    def put(self, config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
        if self.dead:
            return config
        return super().put(config, checkpoint, metadata, new_versions)


def test_a_retried_step_does_not_duplicate_recall_rows(memory, run_config) -> None:
    answer = AIMessage(content="Nothing yet.", id="ai-answer")
    model = ScriptedChatModel(
        script=[
            AIMessage(
                content="", tool_calls=[tool_call("conversation_search", query="tea")], id="ai-call"
            )
        ],
        fallback=answer,
    )
    saver = _SaverThatDies()
    agent = create_memgpt_agent(model, memory=memory, checkpointer=saver)
    agent.invoke({"messages": [("user", "Bob likes tea?")]}, run_config, durability="sync")
    assert saver.dead and agent.get_state(run_config).next == ("memory_interrupt",)
    assert memory.recall.count(user_id="u1") == 4  # the whole turn reached recall

    saver.dead, saver.revived = False, True  # the process restarts and resumes the thread
    state = agent.invoke(None, run_config, durability="sync")  # memory_interrupt runs again
    assert state["messages"][-1].content == "Nothing yet."
    # the answer stored before the crash is reused: the model is not asked for it again
    assert len(model.prompts) == 2
    rows = memory.recall.messages(thread_id="t1", user_id="u1")
    assert [h.id for h in rows] == [m.id for m in state["messages"]]  # each message once
    assert memory.recall.count(user_id="u1") == 4


def _insert_then_answer() -> ScriptedChatModel:
    return ScriptedChatModel(
        script=[
            AIMessage(content="", tool_calls=[tool_call("archival_memory_insert", content="x")]),
            AIMessage(content="done"),
        ]
    )


def test_a_store_failure_in_a_memory_tool_is_told_to_the_model(
    memory, run_config, monkeypatch, caplog
) -> None:
    import sqlite3

    def locked(*args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(memory.archival, "insert_many_detailed", locked)
    model = _insert_then_answer()
    agent = create_memgpt_agent(model, memory=memory, checkpointer=InMemorySaver())
    with caplog.at_level("WARNING"):
        state = agent.invoke({"messages": [("user", "save x")]}, run_config)
    assert state["messages"][-1].content == "done"
    result = model.prompts[1][-1]
    assert isinstance(result, ToolMessage) and result.status == "error"
    assert "database is locked" in result.content
    assert "archival_memory_insert failed" in caplog.text


def test_a_bug_in_a_memory_tool_is_not_hidden_as_a_tool_error(
    memory, run_config, monkeypatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise TypeError("a bug in our code")

    monkeypatch.setattr(memory.archival, "insert_many_detailed", broken)
    agent = create_memgpt_agent(_insert_then_answer(), memory=memory, checkpointer=InMemorySaver())
    with pytest.raises(TypeError, match="a bug in our code"):
        agent.invoke({"messages": [("user", "save x")]}, run_config)
    assert agent.get_state(run_config).next == ("memory_interrupt",)  # resumable once fixed
