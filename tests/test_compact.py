"""The compact node's decisions, each on its own: turns, targets, the pressure alert."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from langgraph_memgpt import MemGPTConfig, create_memgpt_agent
from langgraph_memgpt.configuration import Identity
from langgraph_memgpt.context import AgentSettings
from langgraph_memgpt.nodes.compact import (
    Prompt,
    add_pressure_alert,
    compaction_target,
    prompt_limit_after,
    turn_start,
)
from langgraph_memgpt.prompts import (
    MEMORY_ALERT_NAME,
    PRESSURE_ALERT_MARKER,
    SUMMARY_REQUEST_MARKER,
)
from tests.conftest import ScriptedChatModel


def _settings(memory: Any) -> AgentSettings:
    config = MemGPTConfig(context_window=4000, reserve_tokens=400)
    return AgentSettings(memory=memory, config=config, system_prompt="Be brief.")


def test_a_new_user_message_opens_a_turn_and_a_known_one_does_not() -> None:
    question = HumanMessage("hi", id="h2")
    state: Any = {"turn": 3, "steps": 5, "turn_started_by": "h1"}
    start = turn_start(state, question)
    assert (start.turn, start.steps, start.new_turn) == (4, 0, True)
    assert start.update == {"turn": 4, "turn_started_by": "h2", "steps": 0}
    again = turn_start({**state, "turn_started_by": "h2"}, question)
    assert (again.turn, again.steps, again.new_turn, again.update) == (3, 5, False, {})
    assert turn_start(state, None).new_turn is False  # no user message yet (a parent's node)


def test_after_a_rejection_the_target_is_at_most_half_of_what_was_sent(memory) -> None:
    settings = _settings(memory)
    assert compaction_target(settings, 3000, forced=False) == settings.target_tokens
    assert compaction_target(settings, 3000, forced=True) == min(settings.target_tokens, 1500)
    assert compaction_target(settings, 1000, forced=True) == 500
    assert prompt_limit_after(settings, 500, forced=True) == 500
    assert prompt_limit_after(settings, 500, forced=False) == settings.prompt_limit


def test_the_pressure_alert_is_saved_to_recall_and_counted(memory) -> None:
    settings = _settings(memory)
    identity = Identity(user_id="u1", agent_id="default", thread_id="t1")
    prompt = Prompt(settings, identity, [HumanMessage("x " * 500, id="h1")], "", 0)
    before = prompt.tokens
    alert = add_pressure_alert(prompt, "alert-t1-1", turn=1)
    assert alert.name == MEMORY_ALERT_NAME and alert.content.startswith(PRESSURE_ALERT_MARKER)
    assert prompt.messages[-1] is alert and prompt.tokens > before
    assert memory.recall.contains("alert-t1-1", user_id="u1", agent_id="default")


class _FailingSummaries(ScriptedChatModel):
    """Answers turns like the scripted model but fails every summary request."""

    def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> Any:
        if str(messages[0].content).startswith(SUMMARY_REQUEST_MARKER):
            raise RuntimeError("summary service down")
        return super()._generate(messages, stop, run_manager, **kw)


def test_each_summary_is_written_from_the_previous_one(memory, run_config) -> None:
    """The recursive summary: the second eviction's request carries the first summary, and the
    state keeps the newest reply (dropping the previous summary would lose everything evicted
    before the last eviction)."""
    model = ScriptedChatModel(fallback=AIMessage(content="ok"))
    config = MemGPTConfig(context_window=3000, reserve_tokens=200)
    agent = create_memgpt_agent(model, memory=memory, config=config, checkpointer=InMemorySaver())
    for i in range(80):
        agent.invoke({"messages": [("user", f"message {i} " + "word " * 60)]}, run_config)
        if len(model.summary_prompts) >= 2:
            break
    else:
        pytest.fail("the context never overflowed twice")
    first_request = str(model.summary_prompts[0][-1].content)
    second_request = str(model.summary_prompts[1][-1].content)
    assert "summary #1" not in first_request
    assert "summary #1" in second_request  # the previous summary goes into the next one
    assert agent.get_state(run_config).values["summary"] == "summary #2"


def test_a_failed_summary_keeps_the_previous_summary(memory, run_config, caplog) -> None:
    """When the model cannot summarize, the extractive fallback starts from the previous
    summary: a second eviction folds into the first summary, it never restarts. The failure
    is one warning line with its reason, no traceback (it would reach a chat terminal)."""
    import logging

    caplog.set_level(logging.WARNING, logger="langgraph_memgpt.nodes.summary")
    model = _FailingSummaries(fallback=AIMessage(content="ok"))
    # A word cap large enough that the fallback never has to cut (it keeps the newest words).
    config = MemGPTConfig(context_window=3000, reserve_tokens=200, summary_max_words=5000)
    agent = create_memgpt_agent(model, memory=memory, config=config, checkpointer=InMemorySaver())
    summaries: list[str] = []
    for i in range(120):
        agent.invoke({"messages": [("user", f"Message {i} is here. " + "word " * 60)]}, run_config)
        summary = agent.get_state(run_config).values.get("summary") or ""
        if summary and (not summaries or summary != summaries[-1]):
            summaries.append(summary)
        if len(summaries) == 2:
            break
    else:
        pytest.fail("the context never overflowed twice")
    first, second = summaries
    assert "Message 0 is here." in first
    assert second.startswith(first) and len(second) > len(first)
    failures = [r for r in caplog.records if r.name == "langgraph_memgpt.nodes.summary"]
    assert failures and all(r.levelno == logging.WARNING and r.exc_info is None for r in failures)
    assert "summary service down" in failures[0].getMessage()
