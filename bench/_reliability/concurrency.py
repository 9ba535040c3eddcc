"""Concurrency: chat processes and an archival loop on one store at the same time.

Half of the chat processes belong to one user (each on its own conversation threads, all
appending to the same core block), the others to two more users; one more process inserts and
searches archival passages in a loop. Afterwards, from a fresh open of the store: every
acknowledged user message is in its user's recall, every acknowledged archival insert is
found, every acknowledged core append is in the block (appends from different threads must
all survive, not only the last writer's), and no caller ever saw "database is locked".
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from bench._reliability.common import Outcome, child_env, timed, worker_command
from bench._reliability.concurrency_worker import NOTES

ARCHIVIST = "archivist"


def _users(processes: int) -> list[str]:
    """Half the processes for one user (threads of the same user), the rest for two others."""
    half = max(2, processes // 2)
    return ["alice" if i < half else ("bob" if i % 2 else "carol") for i in range(processes)]


def run(
    store: Any, *, backend: str, processes: int, turns: int, archival_rounds: int, tmp: Path
) -> Outcome:
    from langgraph_memgpt import Memory
    from langgraph_memgpt.memory.testing import HashEmbeddings

    outcome = Outcome(
        scenario="concurrency",
        backend=backend,
        load=(
            f"{processes} chat processes x {turns} turns on one store ({processes // 2} of one "
            f"user), + 1 process x {archival_rounds} archival inserts and searches"
        ),
    )
    users = _users(processes)
    with Memory.open(store, embeddings=HashEmbeddings(32)) as memory:
        for user in set(users):  # a roomy block for the appends of every thread of the user
            memory.core.create_block(NOTES, user_id=user, limit=100_000)
    out = tmp / f"concurrency-{backend}"
    out.mkdir(parents=True, exist_ok=True)
    with timed(outcome):
        procs = []
        for i, user in enumerate(users):
            threads = f"{user}-w{i}-a,{user}-w{i}-b"
            args = (str(store), str(out / f"w{i}.json"), "chat", f"w{i}", user, threads)
            procs.append(
                subprocess.Popen(
                    worker_command("concurrency_worker", *args, str(turns)), env=child_env()
                )
            )
        args = (str(store), str(out / "archival.json"), "archival", "arch", ARCHIVIST, "-")
        procs.append(
            subprocess.Popen(
                worker_command("concurrency_worker", *args, str(archival_rounds)), env=child_env()
            )
        )
        for proc in procs:
            if proc.wait(timeout=3600) != 0:
                outcome.lose(f"a worker process exited with {proc.returncode}")
        reports = {i: json.loads((out / f"w{i}.json").read_text()) for i in range(len(users))}
        archive = json.loads((out / "archival.json").read_text())
        _verify(store, users, reports, archive, outcome)
    return outcome


def _tail(error: str, limit: int = 600) -> str:
    """A traceback's last lines name the exception; its first lines only name the worker."""
    return error if len(error) <= limit else "..." + error[-limit:]


def _verify(
    store: Any, users: list[str], reports: dict[int, Any], archive: dict[str, Any], outcome: Outcome
) -> None:
    from langgraph_memgpt import Memory

    errors = [e for r in [*reports.values(), archive] for e in r.get("errors", [])]
    locked = sum(r.get("locked", 0) for r in [*reports.values(), archive])
    outcome.checks["errors_surfaced"] = len(errors)
    outcome.checks["database_is_locked_surfaced"] = locked
    for error in errors:
        outcome.lose(f"error surfaced to a caller: {_tail(error)}")
    with Memory.open(store, embeddings=None) as memory:
        acked = 0
        for i, report in reports.items():
            for message_id in report.get("acked", []):
                acked += 1
                if not memory.recall.contains(message_id, user_id=users[i]):
                    outcome.lose(f"acknowledged message {message_id} of {users[i]} not in recall")
        outcome.checks["acknowledged_messages"] = acked
        appended = 0
        for user in sorted(set(users)):
            block = memory.core.get_block(NOTES, user_id=user).value.splitlines()
            for i, report in reports.items():
                if users[i] != user:
                    continue
                for line in report.get("core", []):
                    appended += 1
                    if block.count(line) != 1:
                        outcome.lose(f"core append {line!r} of {user}: {block.count(line)} copies")
        outcome.checks["core_appends_acknowledged"] = appended
        inserted = archive.get("inserted", [])
        outcome.checks["archival_inserts_acknowledged"] = len(inserted)
        outcome.checks["archival_searches"] = archive.get("searches", 0)
        for record in inserted:
            try:
                memory.archival.get(record, user_id=ARCHIVIST)
            except Exception as exc:
                outcome.lose(f"archival record {record} lost: {exc}")
        if memory.archival.count(user_id=ARCHIVIST) != len(inserted):
            outcome.lose(
                f"archival holds {memory.archival.count(user_id=ARCHIVIST)} records, "
                f"{len(inserted)} were acknowledged"
            )
