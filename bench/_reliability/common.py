"""What every reliability scenario shares: its outcome record, stores on both backends, and the
conversation it plays.

An :class:`Outcome` is one row of ``bench/results/reliability.{json,md}``: the load, the faults
injected (by kind), the losses (anything acknowledged and then missing, any foreign record, any
exception escaping the graph: must be 0) and how long it took. ``problems`` names each loss so
a failing test says what was lost instead of a bare count.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Outcome:
    """One scenario's figures."""

    scenario: str
    backend: str
    load: str
    faults: dict[str, int] = field(default_factory=dict)
    losses: int = 0
    duration_s: float = 0.0
    checks: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def lose(self, what: str) -> None:
        """Count one loss and keep its description (the first 50 are kept)."""
        self.losses += 1
        if len(self.problems) < 50:
            self.problems.append(what)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@contextmanager
def timed(outcome: Outcome) -> Iterator[Outcome]:
    start = time.perf_counter()
    try:
        yield outcome
    finally:
        outcome.duration_s = round(time.perf_counter() - start, 2)


def store_factory(backend: str, tmp: Path, pg_url: str | None) -> tuple[Callable[[str], Any], Any]:
    """A function giving a fresh store location per name, and a cleanup.

    SQLite: a directory under ``tmp``. Postgres: a URL on a throwaway schema of ``pg_url``."""
    if backend == "sqlite":
        return (lambda name: tmp / name), (lambda: None)
    if pg_url is None:
        raise SystemExit("the Postgres scenarios need a server: set MEMGPT_TEST_DATABASE_URL")
    from langgraph_memgpt.memory.testing import Schemas

    schemas = Schemas(pg_url, prefix="rel")
    return schemas.new, schemas.drop_all


def child_env(**extra: str) -> dict[str, str]:
    """Environment of a worker process: offline, the repository importable."""
    env = dict(os.environ)
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "MEMGPT_MODEL"):
        env.pop(key, None)
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    env.update(extra)
    return env


def worker_command(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", f"bench._reliability.{module}", *args]


#: A long, varied filler so the FIFO overflows every few turns and compaction runs often.
_FILLER = (
    "Let me tell you about my day: I walked along the river, watched the boats, tried a new "
    "bakery near the old tram stop and read two chapters of a long novel about sailors. "
    "Later I called my sister about the garden, the broken fence and the tomatoes."
)
_TOPICS = ("river", "bakery", "garden", "novel", "tram", "fence", "sailors", "harbour")


def user_text(turn: int, who: str = "") -> str:
    """The user's message of ``turn``: every 5th states a fact (an archival insert, a tool call),
    every 7th asks a question (a search), the rest are long filler (evictions). Each carries its
    turn number, so a message seen twice or never is told apart from its neighbours."""
    tag = f"{who}#{turn}"
    if turn % 5 == 0:
        return f"Remember that locker {tag} has the code {1000 + turn * 7 % 9000}."
    if turn % 7 == 0:
        return f"What is the code of locker {who}#{turn - 2 - (turn - 2) % 5}? (turn {tag})"
    topic = _TOPICS[turn % len(_TOPICS)]
    return f"Turn {tag} about the {topic}. {_FILLER}"


def user_message_id(turn: int, who: str = "") -> str:
    return f"user-{who}-{turn}"


def append_line(path: Path, line: str) -> None:
    """Append one line and make it durable before going on: the harness trusts it after a kill."""
    with open(path, "a") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
