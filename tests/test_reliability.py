"""The reliability campaign (``bench/reliability.py``) at a small size, one test per scenario.

Each scenario counts losses: a message acknowledged and then missing from recall, a turn
played twice, a FAISS index that disagrees with SQLite, an error surfacing to a caller, a
record of another user, an exception escaping the graph. Every test asserts there are none,
and that the faults it promises were really injected (kills, faulty model replies, ...).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, ToolMessage

from bench._reliability import concurrency, damaged, fuzz, isolation, kill, model_faults
from bench._reliability.common import Outcome, append_line, user_message_id, user_text
from bench._reliability.kill_worker import (
    CONTEXT_WINDOW,
    USER,
    journal_lines,
    play,
    recover,
    thread_has,
)
from langgraph_memgpt import Memory, OfflineDriver, create_memgpt_agent, create_memory_tools
from langgraph_memgpt.memory.testing import HashEmbeddings

#: Slow (a whole benchmark, process kills or a fresh install): `scripts/test.sh --quick` skips it.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def assert_no_loss(outcome: Outcome) -> None:
    assert outcome.losses == 0, "\n".join(outcome.problems)


def test_kill_9_anywhere_loses_and_repeats_nothing(
    new_store: Callable[[str], Any], backend: str, tmp_path: Path
) -> None:
    # every kind of death, in turn: inside a compaction, inside an archival insert (after its
    # commit), after a tool step, and from outside at a random moment
    modes = ["mid:compact:1", "commit:1", "end:memory_interrupt:1", "timer"]
    turns = 12 if backend == "sqlite" else 10
    outcome = kill.run(
        new_store("kill"),
        backend=backend,
        turns=turns,
        min_kills=4,
        seed=3,
        tmp=tmp_path,
        modes=modes,
    )
    assert_no_loss(outcome)
    assert outcome.checks["acknowledged"] == turns
    assert outcome.checks["kills"] >= 4
    assert {"SIGKILL mid:compact", "SIGKILL commit", "SIGKILL end:memory_interrupt"} <= set(
        outcome.faults
    )
    assert outcome.checks["evicted_messages"] > 0  # evictions happened across the kills
    if backend == "sqlite":
        assert outcome.checks["faiss_vectors"] == outcome.checks["sqlite_vectors"] > 0


def test_a_turn_whose_checkpoints_were_lost_is_sent_again_not_acknowledged(
    new_store: Callable[[str], Any], backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The two losses of the 500-turn kill run: LangGraph saves checkpoints in the background
    (``invoke``'s default ``durability="async"``), so a kill can lose every checkpoint of a turn,
    its input included, after its nodes wrote the user message (and replies) to recall. The
    restarted client must read "received" from the checkpoint and send the message again under
    its id; trusting recall made the next message take the same turn number and left the lost
    one in recall outside the FIFO, uncounted as evicted."""
    store = new_store("lost")
    log = tmp_path / "journal.log"
    config: dict[str, Any] = {"configurable": {"thread_id": kill.THREAD, "user_id": USER}}
    with Memory.open(store, embeddings=HashEmbeddings(32)) as memory:
        agent = create_memgpt_agent(OfflineDriver(), memory=memory, context_window=CONTEXT_WINDOW)
        play(agent, config, log, 1, 8)
        # turn 9 runs while none of its checkpoints reaches the saver: the process dies with
        # them still queued
        saver = agent.checkpointer
        monkeypatch.setattr(saver, "put", lambda config, *args, **kwargs: config)
        monkeypatch.setattr(saver, "put_writes", lambda *args, **kwargs: None)
        append_line(log, "sent 9")
        agent.invoke({"messages": [HumanMessage(user_text(9), id=user_message_id(9))]}, config)
        monkeypatch.undo()
        assert memory.recall.contains(user_message_id(9), user_id=USER)
        assert not thread_has(agent, config, user_message_id(9))

        assert recover(agent, config, log, memory) == 8  # turn 9 is sent again
        assert ("lost", 9) in journal_lines(log)
        play(agent, config, log, 9, 12)
        values = agent.get_state(config).values
        assert values["turn"] == 12 and values["turn_started_by"] == user_message_id(12)
    outcome = Outcome(scenario="lost checkpoints", backend=backend, load="12 turns")
    kill._verify(store, 12, log, outcome, backend)
    assert_no_loss(outcome)
    assert outcome.checks["evicted_messages"] > 0  # the lost turn came after evictions


def test_kills_that_outrun_slow_checkpoints_lose_and_repeat_nothing(
    new_store: Callable[[str], Any], backend: str, tmp_path: Path
) -> None:
    """The same with real processes: checkpoint writes delayed as on a loaded machine and
    lives killed inside a compaction, so the checkpoints of the turn (its input's included)
    are still queued when recall already holds its message."""
    outcome = kill.run(
        new_store("slow"),
        backend=backend,
        turns=8,
        min_kills=2,
        seed=5,
        tmp=tmp_path,
        # a life killed in a compaction is followed by one that gets past it (killed at its
        # next tool step), or the same turn would be lost again and again
        modes=["mid:compact:1", "commit:1", "mid:compact:1", "end:memory_interrupt:1"],
        slow_checkpoints=0.3,
    )
    assert_no_loss(outcome)
    assert outcome.checks["turns_sent_again"] >= 1  # the case really happened


def test_concurrent_processes_on_one_store_lose_nothing(
    new_store: Callable[[str], Any], backend: str, tmp_path: Path
) -> None:
    outcome = concurrency.run(
        new_store("conc"), backend=backend, processes=3, turns=6, archival_rounds=15, tmp=tmp_path
    )
    assert_no_loss(outcome)
    assert outcome.checks["database_is_locked_surfaced"] == 0
    assert outcome.checks["acknowledged_messages"] == 18
    assert outcome.checks["core_appends_acknowledged"] == 3
    assert outcome.checks["archival_inserts_acknowledged"] == 15


def test_core_appends_from_two_threads_of_one_user_both_survive(
    new_store: Callable[[str], Any],
) -> None:
    """Two conversation threads of one user, each with its own connection to the store,
    append to the same block at the same moments: every line of both survives."""
    store = new_store("core")
    memories = [Memory.open(store, embeddings=HashEmbeddings(16)) for _ in range(2)]
    memories[0].core.create_block("notes", user_id="u1", limit=100_000)
    start = threading.Barrier(2)
    replies: list[ToolMessage] = []

    def append_lines(which: int) -> None:
        tool = next(
            t for t in create_memory_tools(memories[which]) if t.name == "core_memory_append"
        )
        config = {"configurable": {"thread_id": f"thread-{which}", "user_id": "u1"}}
        start.wait()
        for i in range(25):
            call = {
                "name": tool.name,
                "args": {"label": "notes", "content": f"t{which}-{i}"},
                "id": f"c{which}-{i}",
                "type": "tool_call",
            }
            replies.append(tool.invoke(call, config))

    threads = [threading.Thread(target=append_lines, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r.status != "error" for r in replies), [
        r.content for r in replies if r.status == "error"
    ]
    lines = memories[0].core.get_block("notes", user_id="u1").value.splitlines()
    assert sorted(lines) == sorted(f"t{w}-{i}" for w in range(2) for i in range(25))
    for memory in memories:
        memory.close()


def test_fuzzed_tool_calls_never_escape_the_graph(tmp_path: Path) -> None:
    outcome = fuzz.run(tmp_path / "fuzz", backend="sqlite", calls=300, seed=0)
    assert_no_loss(outcome)
    assert outcome.checks["calls"] == 300
    hostile = {k for k in outcome.faults if k != "sound"}
    assert {
        "wrong type",
        "invalid unicode",
        "huge page",
        "negative",
        "unknown label",
        "not json",
    } <= hostile
    assert outcome.checks["errors"] > 50  # the hostile calls were answered with errors


def test_cross_user_searches_return_only_the_users_own_records(
    new_store: Callable[[str], Any], backend: str
) -> None:
    outcome = isolation.run(new_store("iso"), backend=backend, users=8, searches=150, seed=1)
    assert_no_loss(outcome)
    assert outcome.checks["records_returned"] > 150  # searches did match (others' texts too)
    assert set(outcome.checks["searches_by_kind"]) == {
        "archival hybrid",
        "archival lexical",
        "archival dense",
        "archival tags",
        "recall",
        "recall by date",
    }


def test_damaged_files_are_recovered_or_refused_never_half_written(tmp_path: Path) -> None:
    outcome = damaged.run(tmp_path)
    assert_no_loss(outcome)
    for case, result in outcome.checks["cases"].items():
        if case in damaged.MOUNTED and not damaged.can_mount():
            assert result.startswith("skipped")
            continue
        assert result.startswith(("recovered", "refused")), (case, result)
    assert outcome.checks["cases"]["SQLite file from a newer schema"].startswith("refused")


def test_a_failing_model_service_ends_every_turn_and_loses_nothing(tmp_path: Path) -> None:
    outcome = model_faults.run(tmp_path / "faults", backend="sqlite", turns=25, seed=5)
    assert_no_loss(outcome)
    # seed 5 draws every kind of fault (the draws follow the requests, which are sequential)
    assert set(outcome.faults) == {"429", "500", "timeout", "malformed tool call"}
    assert sum(outcome.checks["turn_endings"].values()) == 25


def _bench(out: Path, *options: str) -> dict[str, Any]:
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "reliability.py"), "--size", "small"]
        + [*options, "--backends", "sqlite", "--out", str(out)],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report: dict[str, Any] = json.loads((out / "reliability.json").read_text())
    return report


def test_the_benchmark_writes_the_results_the_readme_quotes(tmp_path: Path) -> None:
    report = _bench(tmp_path, "--only", "isolation,fuzz")
    assert [s["scenario"] for s in report["scenarios"]] == ["fuzzed tool calls", "isolation"]
    assert all(s["losses"] == 0 for s in report["scenarios"])
    table = (tmp_path / "reliability.md").read_text()
    assert "| isolation | sqlite |" in table and "| fuzzed tool calls | sqlite |" in table

    # --merge replaces a row and keeps the others; a run is listed while one of its rows is
    report = _bench(tmp_path, "--only", "isolation", "--merge")
    assert [s["scenario"] for s in report["scenarios"]] == ["fuzzed tool calls", "isolation"]
    assert [r["rows"] for r in report["runs"]] == [
        [["isolation", "sqlite"], ["fuzzed tool calls", "sqlite"]],
        [["isolation", "sqlite"]],
    ]
    report = _bench(tmp_path, "--only", "fuzz", "--merge")
    assert [r["rows"] for r in report["runs"]] == [
        [["isolation", "sqlite"]],
        [["fuzzed tool calls", "sqlite"]],
    ]
    assert (tmp_path / "reliability.md").read_text().count("`python bench/reliability.py") == 2
