"""The compact node's decisions, each on its own: turns, targets, the pressure alert."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import HumanMessage

from langgraph_memgpt import MemGPTConfig
from langgraph_memgpt.configuration import Identity
from langgraph_memgpt.context import AgentSettings
from langgraph_memgpt.nodes.compact import (
    Prompt,
    add_pressure_alert,
    compaction_target,
    prompt_limit_after,
    turn_start,
)
from langgraph_memgpt.prompts import MEMORY_ALERT_NAME, PRESSURE_ALERT_MARKER


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
