"""kill -9 anywhere: a thread played to the end by a process that is SIGKILLed again and again.

Each life of ``kill_worker`` resumes the thread and plays on; the harness kills it from outside
at a random moment after it is ready, or has it kill itself inside a compaction, inside an
archival insert (after the SQL commit, before the FAISS write) or right after a tool step
(before its checkpoint). When every turn is acknowledged the store is reopened and checked:

- every acknowledged user message is in recall, once;
- no turn was played twice (user messages' turn numbers strictly increase; every fact stored in
  archival once);
- summary and FIFO agree with recall: every message in the FIFO is stored in recall, nothing
  evicted is missing from it, a summary exists once anything was evicted;
- the thread has no unfinished turn;
- (SQLite) the FAISS index holds exactly the vectors stored in SQLite, and each archival record
  holds there the very vector SQLite committed for it.
"""

from __future__ import annotations

import random
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from bench._reliability.common import Outcome, child_env, timed, user_message_id, worker_command
from bench._reliability.kill_worker import USER, journal_lines, read_journal

THREAD = "kill-thread"
#: How each life of the worker dies, with its weight: from outside at a random moment, or from
#: inside at a chosen point of the graph.
MODES = (("timer", 0.4), ("mid:compact", 0.25), ("commit", 0.2), ("end:memory_interrupt", 0.15))


def _pick_mode(rng: random.Random) -> str:
    kinds, weights = zip(*MODES, strict=True)
    kind = rng.choices(kinds, weights)[0]
    if kind == "timer":
        return kind
    return f"{kind}:{rng.randint(1, 2)}"


def _life(
    store: str, turns: int, log: Path, mode: str, rng: random.Random, slow: float = 0.0
) -> int:
    """Run one life of the worker; return its exit code (-9 when killed)."""
    env = child_env(
        RELIABILITY_KILL_AT="" if mode == "timer" else mode,
        RELIABILITY_SLOW_CHECKPOINTS=str(slow),
    )
    proc = subprocess.Popen(
        worker_command("kill_worker", store, THREAD, str(turns), str(log)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    ready = proc.stdout.readline()
    if mode == "timer" and ready.strip() == "ready":
        try:
            proc.wait(timeout=rng.uniform(0.02, 0.4))
        except subprocess.TimeoutExpired:
            proc.kill()
    _, err = proc.communicate(timeout=600)
    if proc.returncode not in (0, -9):
        raise RuntimeError(f"the worker failed ({proc.returncode}):\n{err[-3000:]}")
    return proc.returncode


def run(
    store: Any,
    *,
    backend: str,
    turns: int,
    min_kills: int,
    seed: int,
    tmp: Path,
    modes: list[str] | None = None,
    slow_checkpoints: float = 0.0,
) -> Outcome:
    """Play ``turns`` turns through as many killed lives as it takes. ``modes`` (cycled) fixes
    how each life dies instead of drawing it at random, so a small test covers every kind.
    ``slow_checkpoints`` delays every checkpoint write (seconds), as on a loaded machine, so
    kills lose the checkpoints of whole turns (see ``kill_worker.recover``)."""
    outcome = Outcome(
        scenario="kill -9 anywhere",
        backend=backend,
        load=f"{turns} turns (context window 2400: evictions), >= {min_kills} SIGKILLs",
    )
    rng = random.Random(seed)
    log = tmp / f"journal-{backend}.log"
    log.unlink(missing_ok=True)
    kills: Counter[str] = Counter()
    lives = 0
    with timed(outcome):
        while True:
            _, acked = read_journal(log)
            if len(acked) >= turns:
                break
            if lives >= 10 * turns + 50:  # the thread makes no progress: report, don't hang
                outcome.lose(f"no progress after {lives} lives")
                break
            mode = modes[lives % len(modes)] if modes else _pick_mode(rng)
            lives += 1
            if _life(str(store), turns, log, mode, rng, slow_checkpoints) == -9:
                kills["at a random moment" if mode == "timer" else mode.rsplit(":", 1)[0]] += 1
        outcome.faults = {f"SIGKILL {k}": v for k, v in sorted(kills.items())}
        outcome.checks["lives"] = lives
        outcome.checks["kills"] = sum(kills.values())
        # turns whose checkpoints a kill lost after recall had the message: sent again
        outcome.checks["turns_sent_again"] = sum(w == "lost" for w, _ in journal_lines(log))
        _verify(store, turns, log, outcome, backend)
    return outcome


def _verify(store: Any, turns: int, log: Path, outcome: Outcome, backend: str) -> None:
    from langgraph_memgpt import Memory, OfflineDriver, create_memgpt_agent
    from langgraph_memgpt.cli.chat import has_unfinished_turn
    from langgraph_memgpt.memory.testing import HashEmbeddings
    from langgraph_memgpt.prompts import MEMORY_ALERT_NAME

    _, acked = read_journal(log)
    outcome.checks["acknowledged"] = len(acked)
    if acked != set(range(1, turns + 1)):
        outcome.lose(f"turns never acknowledged: {sorted(set(range(1, turns + 1)) - acked)[:10]}")
    with Memory.open(store, embeddings=HashEmbeddings(32)) as memory:
        agent = create_memgpt_agent(OfflineDriver(), memory=memory, context_window=2400)
        config: dict[str, Any] = {"configurable": {"thread_id": THREAD, "user_id": USER}}
        if has_unfinished_turn(agent, config):
            outcome.lose("the thread still has an unfinished turn")
        stored = memory.recall.messages(user_id=USER, thread_id=THREAD)
        ids = Counter(hit.id for hit in stored)
        for turn in sorted(acked):
            if ids[user_message_id(turn)] != 1:
                outcome.lose(
                    f"acknowledged turn {turn}: {ids[user_message_id(turn)]} copies in recall"
                )
        said = [
            h
            for h in stored
            if h.metadata["role"] == "user" and h.metadata.get("name") != MEMORY_ALERT_NAME
        ]
        texts = Counter(h.text for h in said)
        for text, count in texts.items():
            if count > 1:
                outcome.lose(f"user message stored {count} times: {text[:60]!r}")
        graph_turns = [h.metadata["turn"] for h in said]
        if graph_turns != sorted(set(graph_turns)):
            outcome.lose("a user message was given a turn number twice (a turn played twice)")
        values = agent.get_state(config).values
        recall_ids = set(ids)
        fifo = [m for m in values.get("messages", []) if m.type != "system"]
        not_stored = [m.id for m in fifo if m.id not in recall_ids]
        for message_id in not_stored:
            outcome.lose(f"message {message_id} is in the FIFO but not in recall")
        evicted = recall_ids - {m.id for m in fifo}
        outcome.checks["evicted_messages"] = len(evicted)
        outcome.checks["fifo_messages"] = len(fifo)
        outcome.checks["evicted_total_in_state"] = values.get("evicted_total", 0)
        if values.get("evicted_total", 0) != len(evicted):
            outcome.lose(
                f"the state counts {values.get('evicted_total', 0)} evicted messages, recall "
                f"holds {len(evicted)} outside the FIFO (a step stored twice or a loss)"
            )
        if evicted and not values.get("summary"):
            outcome.lose("messages were evicted but the summary is empty")
        _verify_archival(memory, outcome, backend)


def _verify_archival(memory: Any, outcome: Outcome, backend: str) -> None:
    ns = memory._db.namespace("default", USER, create=False)
    if ns is None:
        outcome.lose("no archival namespace: no fact was stored")
        return
    with memory._db.read() as conn:
        rows = conn.execute(
            "SELECT id, text FROM archival WHERE ns=? ORDER BY id", (ns,)
        ).fetchall()
    outcome.checks["archival_records"] = len(rows)
    for text, count in Counter(text for _, text in rows).items():
        if count > 1:
            outcome.lose(
                f"archival passage stored {count} times (a tool call re-run): {text[:60]!r}"
            )
    if backend != "sqlite":
        return
    index = memory._backend.index(ns)
    with memory._db.read() as conn:
        truth = {
            r[0]
            for r in conn.execute(
                "SELECT id FROM archival WHERE ns=? AND vector IS NOT NULL", (ns,)
            )
        }
    have = set() if index is None else {int(i) for i in index.ids()}
    outcome.checks["faiss_vectors"] = len(have)
    outcome.checks["sqlite_vectors"] = len(truth)
    if have != truth:
        outcome.lose(
            f"FAISS holds {len(have)} vectors, SQLite {len(truth)} (differ: {sorted(have ^ truth)[:5]})"
        )
    # FAISS must hold exactly the vectors SQLite committed, id for id. (A record is embedded with
    # its thread neighbours as context, so "its own text finds it first" is no integrity check.)
    with memory._db.read() as conn:
        stored = {
            int(r[0]): np.frombuffer(r[1], dtype=np.float32)
            for r in conn.execute(
                "SELECT id, vector FROM archival WHERE ns=? AND vector IS NOT NULL", (ns,)
            )
        }
    if index is not None:
        for rid, vector in zip(*index.contents(), strict=True):
            if int(rid) in stored and not np.allclose(vector, stored[int(rid)], atol=1e-6):
                outcome.lose(f"archival record {rid}: FAISS holds another vector than SQLite")
