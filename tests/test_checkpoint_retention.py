"""The default savers' retention: the newest N checkpoints of a thread, on both backends,
through the sync and the async API, and what LangGraph builds on them (history, forks)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.base import empty_checkpoint


def make_saver(store: Any, keep_last: int | None) -> Any:
    if isinstance(store, Path):
        from langgraph_memgpt.checkpointing.sqlite import sqlite_checkpointer

        return sqlite_checkpointer(store, keep_last=keep_last)
    from langgraph_memgpt.checkpointing.postgres import postgres_checkpointer

    saver = postgres_checkpointer(store, keep_last=keep_last)
    saver.prune_every = 1  # trim at every put, so counts are exact
    return saver


def close(saver: Any) -> None:
    saver.conn.close()


def put(saver: Any, thread: str, checkpoint: dict[str, Any] | None = None) -> dict[str, Any]:
    config = {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}
    return saver.put(config, checkpoint or empty_checkpoint(), {"step": 0}, {})


def kept_ids(saver: Any, thread: str) -> list[str]:
    listed = saver.list({"configurable": {"thread_id": thread}})
    return [c.config["configurable"]["checkpoint_id"] for c in listed]


def test_the_newest_checkpoints_are_kept_not_the_oldest(store: Any) -> None:
    saver = make_saver(store, keep_last=3)
    ids = [put(saver, "t")["configurable"]["checkpoint_id"] for _ in range(8)]
    assert kept_ids(saver, "t") == ids[::-1][:3]  # newest first, as list() promises
    put(saver, "other")
    assert kept_ids(saver, "t") == ids[::-1][:3]  # another thread's puts leave it alone
    close(saver)


def test_a_put_older_than_the_window_is_kept_and_loadable(store: Any) -> None:
    saver = make_saver(store, keep_last=2)
    old = empty_checkpoint()  # its id is older than every id made after it
    newer = [put(saver, "t")["configurable"]["checkpoint_id"] for _ in range(3)]
    saved = put(saver, "t", old)
    loaded = saver.get_tuple(saved)
    assert loaded is not None and loaded.checkpoint["id"] == old["id"]
    saver.put_writes(saved, [("ch", "value")], "task-1")
    assert saver.get_tuple(saved).pending_writes == [("task-1", "ch", "value")]
    put(saver, "t")  # the next newer put trims it with the rest of the old ones
    assert old["id"] not in kept_ids(saver, "t")
    assert newer[-1] in kept_ids(saver, "t")
    close(saver)


def test_prune_keep_latest_keeps_the_newest_checkpoint(store: Any) -> None:
    saver = make_saver(store, keep_last=None)
    ids = [put(saver, "t")["configurable"]["checkpoint_id"] for _ in range(4)]
    saver.put_writes(
        {"configurable": {"thread_id": "t", "checkpoint_ns": "", "checkpoint_id": ids[-1]}},
        [("ch", 1)],
        "task",
    )
    saver.prune(["t"], strategy="keep_latest")
    assert kept_ids(saver, "t") == [ids[-1]]
    latest = saver.get_tuple({"configurable": {"thread_id": "t"}})
    assert latest.checkpoint["id"] == ids[-1] and len(latest.pending_writes) == 1
    close(saver)


def test_the_async_api_is_the_same_saver(store: Any) -> None:
    saver = make_saver(store, keep_last=3)

    async def scenario() -> tuple[list[str], Any]:
        config = {"configurable": {"thread_id": "a", "checkpoint_ns": ""}}
        ids = []
        for _ in range(5):
            saved = await saver.aput(config, empty_checkpoint(), {"step": 0}, {})
            ids.append(saved["configurable"]["checkpoint_id"])
        await saver.aput_writes(saved, [("ch", "v")], "task")
        listed = [c.config["configurable"]["checkpoint_id"] async for c in saver.alist(config)]
        assert listed == ids[::-1][:3]
        await saver.adelete_thread("gone")
        return ids, await saver.aget_tuple({"configurable": {"thread_id": "a"}})

    ids, latest = asyncio.run(scenario())
    assert latest.checkpoint["id"] == ids[-1] and latest.pending_writes == [("task", "ch", "v")]
    assert kept_ids(saver, "a") == ids[::-1][:3]  # and the sync API sees it
    close(saver)


def test_bad_retention_settings_are_refused_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    from langgraph_memgpt.checkpointing.retention import KEEP_ENV, resolve_keep_last

    assert resolve_keep_last(5) == 5 and resolve_keep_last(None) is None
    monkeypatch.setenv(KEEP_ENV, "all")
    assert resolve_keep_last() is None
    monkeypatch.setenv(KEEP_ENV, "7")
    assert resolve_keep_last() == 7
    monkeypatch.setenv(KEEP_ENV, "lots")
    with pytest.raises(ValueError, match=KEEP_ENV):
        resolve_keep_last()
    with pytest.raises(ValueError, match="at least 1"):
        resolve_keep_last(0)


def test_history_update_state_and_forks_work_inside_the_window(memory, run_config) -> None:
    from langgraph_memgpt import OfflineDriver, create_memgpt_agent

    agent = create_memgpt_agent(OfflineDriver(), memory=memory)
    for text in ("My name is Ada.", "I live in Lyon.", "I like tea."):
        agent.invoke({"messages": [("user", text)]}, run_config)
    history = list(agent.get_state_history(run_config))
    assert len(history) >= 6  # every step of the three turns, not only the last one
    assert history[0].values["turn"] == 3
    after_first = next(s for s in history if s.values.get("turn") == 1 and not s.next)
    # Fork from the end of the first turn: the new branch does not see turns 2 and 3.
    forked = agent.update_state(after_first.config, {"summary": "forked"}, as_node="reason")
    # update_state returns the checkpoint keys only; the run says who it is for.
    forked = {"configurable": {**run_config["configurable"], **forked["configurable"]}}
    state = agent.invoke({"messages": [("user", "Where do I live?")]}, forked)
    assert state["turn"] == 2 and state["summary"] == "forked"
    assert not any("Lyon" in m.text for m in state["messages"][:-1])
    assert agent.get_state(run_config).values["turn"] == 2  # the fork is the thread's head now
