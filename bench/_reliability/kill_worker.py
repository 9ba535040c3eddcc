"""One life of the kill -9 scenario: resume the thread, then play turns until killed or done.

``python -m bench._reliability.kill_worker STORE THREAD TURNS LOG``. ``LOG`` is the client's
journal: ``sent N`` before a turn's message is handed to the graph and ``ack N`` once
``invoke`` returned (each line fsynced), so the harness knows exactly which messages were
acknowledged when the process died. On start the worker does what a restarted client does
(:func:`recover`): finish an interrupted turn with ``invoke(None, config)``, acknowledge a turn
that finished before its ``ack`` was written, and send again (same id) a message the graph never
received. "Received" is read from the thread's checkpoint alone, never from recall memory:
LangGraph saves checkpoints in the background (``durability="async"``, the default of
``invoke``) and even the checkpoint holding a turn's input may still be queued while the first
nodes already wrote the message to recall. A kill then leaves the message in recall but not in
the thread; acknowledging it there would let the next message take its turn number (a turn
played twice) and leave it in recall outside the FIFO without being counted as evicted.
Sent again under its id, the graph replays the lost steps idempotently (replies and tool
results are found in recall under their step ids).

``RELIABILITY_KILL_AT`` makes the process SIGKILL itself at a chosen moment inside the graph:
``mid:compact:K`` (inside the K-th compaction, after the summary was written and the evicted
messages stored, before LangGraph saves the step), ``commit:K`` (inside the K-th archival
insert tool call, after the SQL commit and before the FAISS write) or ``end:memory_interrupt:K``
(after the K-th tool step ran, before its checkpoint). Without it the harness kills the
process from outside at a random moment.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage

from bench._reliability.common import append_line, user_message_id, user_text

#: Small enough that the FIFO overflows every few turns (compaction and eviction).
CONTEXT_WINDOW = 2400
USER = "u-kill"


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _countdown(k: int) -> Any:
    left = [k]

    def tick() -> bool:
        left[0] -= 1
        return left[0] == 0

    return tick


def install_self_kill(spec: str, memory: Any) -> None:
    """Arrange the SIGKILL ``spec`` names (see the module docstring)."""
    if not spec:
        return
    kind, *rest = spec.split(":")
    if kind == "commit":
        tick = _countdown(int(rest[0]))
        memory._backend.after_commit = lambda: _die() if tick() else None
    elif kind == "mid":
        import langgraph_memgpt.nodes.compact as compact

        tick = _countdown(int(rest[1]))
        real = compact.summarize

        @functools.wraps(real)
        def summarize_then_die(*args: Any, **kwargs: Any) -> Any:
            summary = real(*args, **kwargs)
            if tick():
                _die()
            return summary

        compact.summarize = summarize_then_die  # type: ignore[assignment]
    elif kind == "end":
        import langgraph_memgpt.graph as graph_module

        name = f"make_{rest[0]}_node"
        tick = _countdown(int(rest[1]))
        factory = getattr(graph_module, name)

        def wrapped_factory(*args: Any, **kwargs: Any) -> Any:
            node = factory(*args, **kwargs)

            @functools.wraps(node)
            def node_then_die(*node_args: Any, **node_kwargs: Any) -> Any:
                result = node(*node_args, **node_kwargs)
                if tick():
                    _die()
                return result

            return node_then_die

        setattr(graph_module, name, wrapped_factory)
    else:
        raise SystemExit(f"unknown RELIABILITY_KILL_AT {spec!r}")


def slow_checkpoints(agent: Any, seconds: float) -> None:
    """Delay every checkpoint write by ``seconds``, as a starved writer thread on a loaded
    machine does: the nodes run ahead of the background saves, and a kill loses more of them
    (the input's included), the case :func:`recover` must send again."""
    if seconds <= 0:
        return
    import time

    saver = agent.checkpointer
    real_put = saver.put

    def put_later(*args: Any, **kwargs: Any) -> Any:
        time.sleep(seconds)
        return real_put(*args, **kwargs)

    saver.put = put_later


def read_journal(log: Path) -> tuple[int, set[int]]:
    """The last turn sent and the turns acknowledged."""
    sent, acked = 0, set()
    for what, number in journal_lines(log):
        if what == "sent":
            sent = max(sent, number)
        elif what == "ack":
            acked.add(number)
    return sent, acked


def journal_lines(log: Path) -> list[tuple[str, int]]:
    """The journal as (what, turn) pairs: ``sent``, ``ack`` or ``lost``."""
    if not log.exists():
        return []
    pairs = []
    for line in log.read_text().splitlines():
        what, _, number = line.partition(" ")
        pairs.append((what, int(number)))
    return pairs


def thread_has(agent: Any, config: dict[str, Any], message_id: str) -> bool:
    """Whether the thread's checkpoint holds the message (the turn it opened, or its FIFO).

    Not recall memory: a message can be there from a run whose checkpoints were lost (see the
    module docstring). The newest message of a thread cannot have been evicted yet (the current
    turn is never evicted), so the checkpoint is the whole answer.
    """
    values = agent.get_state(config).values
    if values.get("turn_started_by") == message_id:
        return True
    return any(m.id == message_id for m in values.get("messages", []))


def recover(agent: Any, config: dict[str, Any], log: Path, memory: Any = None) -> int:
    """What a restarted client does before sending anything; returns the last turn done.

    With ``memory``, a message sent again although recall holds it (its run's checkpoints were
    lost) is journalled as ``lost N``, so the harness reports how often that happened."""
    from langgraph_memgpt.cli.chat import has_unfinished_turn

    sent, acked = read_journal(log)
    if has_unfinished_turn(agent, config):
        agent.invoke(None, config)
    if sent and sent not in acked:
        message_id = user_message_id(sent)
        if thread_has(agent, config, message_id):
            append_line(log, f"ack {sent}")
        else:
            if memory is not None and memory.recall.contains(message_id, user_id=USER):
                append_line(log, f"lost {sent}")
            sent -= 1  # never reached the thread: the client sends it again
    return sent


def play(agent: Any, config: dict[str, Any], log: Path, first: int, last: int) -> None:
    """Send turns ``first``..``last``, journalling each before and after."""
    for turn in range(first, last + 1):
        append_line(log, f"sent {turn}")
        message = HumanMessage(user_text(turn), id=user_message_id(turn))
        agent.invoke({"messages": [message]}, config)
        append_line(log, f"ack {turn}")


def main(argv: list[str]) -> int:
    store, thread, total, log = argv[0], argv[1], int(argv[2]), Path(argv[3])
    from langgraph_memgpt import Memory, OfflineDriver, create_memgpt_agent
    from langgraph_memgpt.memory.testing import HashEmbeddings

    memory = Memory.open(store, embeddings=HashEmbeddings(32))
    install_self_kill(os.environ.get("RELIABILITY_KILL_AT", ""), memory)
    agent = create_memgpt_agent(OfflineDriver(), memory=memory, context_window=CONTEXT_WINDOW)
    config: dict[str, Any] = {"configurable": {"thread_id": thread, "user_id": USER}}
    slow_checkpoints(agent, float(os.environ.get("RELIABILITY_SLOW_CHECKPOINTS") or 0))
    print("ready", flush=True)
    # how each life was to die, beside the journal: a run cut short can still be counted
    append_line(
        log.with_name(log.name + ".lives"), os.environ.get("RELIABILITY_KILL_AT") or "timer"
    )
    done = recover(agent, config, log, memory)
    play(agent, config, log, done + 1, total)
    memory.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
