"""What one agent turn costs on Postgres beside SQLite, in one run: statements, ms and bytes.

The same offline agent (``OfflineDriver``, 384-d hash embeddings, so no model runs) plays the
same numbered turns on a local store (SQLite + FAISS, ``checkpoints.sqlite``) and on a Postgres
schema (tiers and checkpoints in one database). Per backend: statements per turn (every SQL
statement executed, an ``executemany`` row counted as one, a ``COPY`` as one; on Postgres also
client calls, each one round trip or one pipeline), median ms per turn, and bytes per turn once all turns are
played (files on disk; ``pg_total_relation_size`` of every table of the schema after
``VACUUM``). The issue's goals: Postgres ≤ 1.5x SQLite per turn, ≤ 15 KB per turn at 1,000 turns.

    python bench/postgres_per_turn.py --turns 1000
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common_memory import RESULTS, machine, markdown_table, write_results  # noqa: E402
from _reliability.common import user_message_id, user_text  # noqa: E402

from langgraph_memgpt import Memory, OfflineDriver, create_memgpt_agent  # noqa: E402
from langgraph_memgpt.memory.testing import HashEmbeddings, Schemas, find_postgres  # noqa: E402

CONTEXT_WINDOW = 2400


class Counter:
    statements = 0
    calls = 0
    checks = 0  # the pools' connection checks (an empty query before a connection is lent)


@contextmanager
def counting() -> Iterator[type[Counter]]:
    """Count the statements of both engines: psycopg's execute/executemany, SQLite's trace."""
    import psycopg

    real_connect = sqlite3.connect
    saved = {
        (cls, name): getattr(cls, name)
        for cls in (psycopg.Cursor,)  # Connection.execute runs a Cursor's
        for name in ("execute", "executemany", "copy")
        if name in vars(cls)
    }

    def traced_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)
        conn.set_trace_callback(lambda _sql: setattr(Counter, "statements", Counter.statements + 1))
        return conn

    def wrap(real: Any, many: bool) -> Any:
        def counted(self: Any, query: Any, params: Any = None, *args: Any, **kwargs: Any) -> Any:
            Counter.calls += 1
            Counter.checks += query == ""
            Counter.statements += len(params) if many and params is not None else 1
            return real(self, query, params, *args, **kwargs)

        return counted

    def wrap_copy(real: Any) -> Any:
        def counted(self: Any, statement: Any, *args: Any, **kwargs: Any) -> Any:
            Counter.calls += 1  # a COPY is one statement, whatever the rows
            Counter.statements += 1
            return real(self, statement, *args, **kwargs)

        return counted

    sqlite3.connect = traced_connect  # type: ignore[assignment]
    for (cls, name), real in saved.items():
        setattr(cls, name, wrap_copy(real) if name == "copy" else wrap(real, name == "executemany"))
    try:
        yield Counter
    finally:
        sqlite3.connect = real_connect
        for (cls, name), real in saved.items():
            setattr(cls, name, real)


def size_bytes(where: Any) -> int:
    return sum(table_bytes(where).values())


def table_bytes(where: Any) -> dict[str, int]:
    """Bytes on disk per file (SQLite) or per table with its indexes and TOAST (Postgres,
    after ``VACUUM``)."""
    if isinstance(where, Path):
        return {
            str(p.relative_to(where)): p.stat().st_size for p in where.rglob("*") if p.is_file()
        }
    import psycopg

    with psycopg.connect(where, autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            ).fetchall()
        ]
        for table in tables:
            conn.execute(f'VACUUM "{table}"')
        return {
            t: int(conn.execute("SELECT pg_total_relation_size(%s)", (t,)).fetchone()[0])
            for t in tables
        }


def play(where: Any, turns: int) -> dict[str, Any]:
    from langchain_core.messages import HumanMessage

    ms: list[float] = []
    with counting() as counter:  # before opening: SQLite's connections are traced from birth
        memory = Memory.open(where, embeddings=HashEmbeddings(384))
        agent = create_memgpt_agent(OfflineDriver(), memory=memory, context_window=CONTEXT_WINDOW)
        config: dict[str, Any] = {"configurable": {"thread_id": "t", "user_id": "u"}}
        counter.statements = counter.calls = counter.checks = 0
        for turn in range(1, turns + 1):
            message = HumanMessage(user_text(turn), id=user_message_id(turn))
            started = time.perf_counter()
            agent.invoke({"messages": [message]}, config)
            ms.append((time.perf_counter() - started) * 1000)
        statements, calls, checks = counter.statements, counter.calls, counter.checks
        memory.close()
    sizes = table_bytes(where)
    return {
        "turns": turns,
        "statements_per_turn": statements / turns,
        "client_calls_per_turn": calls / turns,
        "pool_checks_per_turn": checks / turns,
        "ms_per_turn_p50": statistics.median(ms),
        "bytes_per_turn": sum(sizes.values()) / turns,
        "bytes_per_turn_by_table": {
            k: v / turns for k, v in sorted(sizes.items(), key=lambda kv: -kv[1])
        },
        "load_average": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    server, why = find_postgres(start=True)
    if server is None:
        raise SystemExit(why)
    schemas = Schemas(server, prefix="perturn")
    rows: dict[str, dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
            for backend, where in (("sqlite", Path(tmp) / "store"), ("postgres", schemas.new())):
                rows[backend] = play(where, args.turns)
                print(backend, rows[backend], flush=True)
    finally:
        schemas.drop_all()
    pg, lite = rows["postgres"], rows["sqlite"]
    ratio = {
        k: pg[k] / lite[k] for k in ("statements_per_turn", "ms_per_turn_p50", "bytes_per_turn")
    }
    table = markdown_table(
        [
            "backend",
            "statements/turn",
            "client calls/turn (pool checks)",
            "ms/turn (p50)",
            "KB/turn",
        ],
        [
            [
                name,
                f"{r['statements_per_turn']:.1f}",
                f"{r['client_calls_per_turn']:.1f} ({r['pool_checks_per_turn']:.1f})"
                if name == "postgres"
                else "-",
                f"{r['ms_per_turn_p50']:.1f}",
                f"{r['bytes_per_turn'] / 1024:.1f}",
            ]
            for name, r in rows.items()
        ]
        + [
            [
                "Postgres / SQLite",
                f"{ratio['statements_per_turn']:.2f}x",
                "-",
                f"{ratio['ms_per_turn_p50']:.2f}x",
                f"{ratio['bytes_per_turn']:.2f}x",
            ]
        ],
    )
    command = "python bench/postgres_per_turn.py " + " ".join(argv or sys.argv[1:])
    biggest = ", ".join(
        f"{name} {size / 1024:.1f}"
        for name, size in list(pg["bytes_per_turn_by_table"].items())[:6]
    )
    load = ", ".join(f"{name} {r['load_average']:.1f}" for name, r in rows.items())
    markdown = (
        f"# One turn on Postgres beside SQLite\n\n`{command}`, {args.turns} turns "
        f"(load average at the end of each run: {load}).\n\n{table}\n\n"
        f"Postgres KB per turn by table (with indexes): {biggest}.\n"
    )
    write_results(
        "postgres_per_turn",
        {"rows": rows, "ratio": ratio, "command": command, "machine": machine()},
        markdown,
        args.out,
    )
    print(markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
