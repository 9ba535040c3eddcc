"""Ctrl-C (a real SIGINT) or a kill (SIGKILL) at every node boundary of a turn, then `chat`
again: the turn is finished exactly once, and the user is told the truth at each step.

The turn stores a fact: reason -> memory_interrupt (archival insert) -> reason, six
boundaries. Each case is two real processes of the command line.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from langgraph_memgpt import Memory, OfflineDriver, create_memgpt_agent
from langgraph_memgpt.cli import has_unfinished_turn
from langgraph_memgpt.configuration import DEFAULT_USER_ID
from langgraph_memgpt.prompts import MEMORY_ALERT_NAME
from tests.cli_run import run_cli

#: Slow (a whole benchmark, process kills or a fresh install): `scripts/test.sh --quick` skips it.
pytestmark = pytest.mark.slow

MESSAGE = "Remember that the boat leaves at 9.\n"
ANSWER = "assistant> Stored in archival memory: The boat leaves at 9."
BOUNDARIES = [
    "start reason",
    "end reason",
    "start memory_interrupt",
    "end memory_interrupt",
    "start reason",
    "end reason",
]


def turn_left_to_resume(memory: Memory) -> bool:
    """What the next `chat` would check on start: is a turn of thread main unfinished?"""
    agent = create_memgpt_agent(OfflineDriver(), memory=memory)
    return has_unfinished_turn(agent, {"configurable": {"thread_id": "main"}})


def test_the_turn_has_the_six_boundaries_the_cases_below_interrupt(tmp_path: Path) -> None:
    log = tmp_path / "boundaries.log"
    done = run_cli(
        ["chat", "--data-dir", "d"],
        tmp_path,
        stdin=MESSAGE,
        harness=["INT", "0"],
        HARNESS_LOG=str(log),
    )
    assert done.returncode == 0, done.stderr
    assert ANSWER in done.stdout
    logged = [line.split(" ", 1)[1] for line in log.read_text().splitlines()]
    assert logged == BOUNDARIES


@pytest.mark.parametrize("boundary", range(1, len(BOUNDARIES) + 1))
@pytest.mark.parametrize("sig", ["INT", "KILL"])
def test_an_interrupted_turn_is_finished_exactly_once_by_the_next_chat(
    tmp_path: Path, sig: str, boundary: int
) -> None:
    first = run_cli(
        ["chat", "--data-dir", "d"],
        tmp_path,
        stdin=MESSAGE,
        harness=[sig, str(boundary)],
        HARNESS_LOG=str(tmp_path / "boundaries.log"),
    )
    if sig == "INT":
        assert first.returncode == 130, first.stderr
        assert "Traceback" not in first.stderr, first.stderr
        assert "interrupted: the turn is saved; run chat again on thread 'main'" in first.stdout
    else:
        assert first.returncode == -signal.SIGKILL

    second = run_cli(["chat", "--data-dir", "d"], tmp_path)
    assert second.returncode == 0, second.stderr
    assert "Traceback" not in second.stderr, second.stderr
    assert "(resuming an interrupted turn)" in second.stdout
    # The answer of the finished turn is shown when it resumes, even when the model's step
    # had finished before the interruption and nothing is streamed again.
    assert ANSWER in second.stdout.split("(resuming an interrupted turn)", 1)[1]

    with Memory.open(tmp_path / "d", embeddings=None) as memory:
        assert not turn_left_to_resume(memory)
        # stored once: a step re-run after a kill does not store the fact a second time
        hits = memory.archival.search("boat", user_id=DEFAULT_USER_ID)
        assert [hit.text for hit in hits] == ["The boat leaves at 9."]
        messages = memory.recall.messages(user_id=DEFAULT_USER_ID, thread_id="main")
        assert [m.text for m in messages if m.metadata["role"] == "user"] == [MESSAGE.strip()]


FILLER = (
    "Let me tell you about my weekend: I walked along the river, watched the boats, tried a new "
    "bakery near the old tram stop and read two chapters of a long novel about sailors.\n"
)


@pytest.mark.parametrize("boundary", ["start:compact", "end:compact"])
@pytest.mark.parametrize("sig", ["INT", "KILL"])
def test_a_turn_interrupted_while_compacting_is_finished_by_the_next_chat(
    tmp_path: Path, sig: str, boundary: str
) -> None:
    args = ["chat", "--data-dir", "d", "--context-window", "1800"]
    first = run_cli(
        args,
        tmp_path,
        stdin=FILLER * 12,
        harness=[sig, boundary],
        HARNESS_LOG=str(tmp_path / "boundaries.log"),
    )
    assert "Traceback" not in first.stderr, first.stderr
    assert boundary.replace(":", " ") in (tmp_path / "boundaries.log").read_text()
    if sig == "INT":  # Ctrl-C stops the turn, not the chat: the next message finishes it
        assert first.returncode == 0, first.stderr
        assert "(turn stopped and saved" in first.stdout
        assert "assistant> " in first.stdout.split("(finishing the stopped turn)", 1)[1]
    else:
        assert first.returncode == -signal.SIGKILL
        second = run_cli(args, tmp_path)
        assert second.returncode == 0, second.stderr
        assert "Traceback" not in second.stderr, second.stderr
        assert "(resuming an interrupted turn)" in second.stdout
        assert "assistant> " in second.stdout.split("(resuming an interrupted turn)", 1)[1]
    with Memory.open(tmp_path / "d", embeddings=None) as memory:
        assert not turn_left_to_resume(memory)
        messages = memory.recall.messages(user_id=DEFAULT_USER_ID, thread_id="main")
        users = [m for m in messages if m.metadata["role"] == "user"]
        alerts = [m for m in users if m.metadata.get("name") == MEMORY_ALERT_NAME]
        said = [m for m in users if m not in alerts]
        assert said and {m.text for m in said} == {FILLER.strip()}
        # each turn's message and pressure alert once: nothing was redone twice
        for group in (said, alerts):
            turns = [m.metadata["turn"] for m in group]
            assert turns == sorted(set(turns))


@pytest.mark.parametrize("boundary", [3, 6])
def test_ctrl_c_in_a_turn_returns_to_the_prompt_and_the_next_message_finishes_it_first(
    tmp_path: Path, boundary: int
) -> None:
    """Ctrl-C mid-turn (boundary 3) or just after the answer (6, the turn's last step still
    being saved) stops the turn, not the chat: the next message finishes it, then is answered."""
    result = run_cli(
        ["chat", "--data-dir", "d"],
        tmp_path,
        stdin=MESSAGE + "Remember that the ferry leaves at 11.\n",
        harness=["INT", str(boundary)],
        HARNESS_LOG=str(tmp_path / "boundaries.log"),
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "(turn stopped and saved: press Enter to finish it" in result.stdout
    after = result.stdout.split("(finishing the stopped turn)", 1)[1]
    assert ANSWER in after
    assert "assistant> Stored in archival memory: The ferry leaves at 11." in after
    with Memory.open(tmp_path / "d", embeddings=None) as memory:
        assert not turn_left_to_resume(memory)
        hits = memory.archival.search("leaves", user_id=DEFAULT_USER_ID, k=5)
        assert sorted(hit.text for hit in hits) == [
            "The boat leaves at 9.",
            "The ferry leaves at 11.",
        ]
        messages = memory.recall.messages(user_id=DEFAULT_USER_ID, thread_id="main")
        said = [m.text for m in messages if m.metadata["role"] == "user"]
        assert said == [MESSAGE.strip(), "Remember that the ferry leaves at 11."]
