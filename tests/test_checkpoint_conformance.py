"""LangGraph's checkpointer conformance suite (``langgraph-checkpoint-conformance``), run
natively (it drives the async API) against the saver ``create_memgpt_agent`` uses by default on
each backend, with LangGraph's own ``AsyncSqliteSaver``/``AsyncPostgresSaver`` as controls."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from langgraph.checkpoint import conformance

#: The capabilities every saver here must pass (the suite's base, plus prune where implemented).
BASE = {"put", "put_writes", "get_tuple", "list", "delete_thread"}


def run_suite(name: str, factory: Callable[[], AsyncIterator[Any]]) -> dict[str, Any]:
    registered = conformance.checkpointer_test(name=name)(factory)
    report = asyncio.run(conformance.validate(registered))
    report.print_report()
    return report.to_dict()


def passed(report: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {
        cap: (r["tests_passed"], r["tests_failed"])
        for cap, r in report["results"].items()
        if r["detected"]
    }


def check(report: dict[str, Any]) -> None:
    results = report["results"]
    detected = {cap for cap, r in results.items() if r["detected"]}
    assert detected >= BASE
    failures = {
        cap: r["failures"] for cap, r in results.items() if r["detected"] and not r["passed"]
    }
    assert not failures, json.dumps(failures, indent=1)[:4000]
    print(name_line(report))


def name_line(report: dict[str, Any]) -> str:
    return f"{report['checkpointer_name']}: {report['conformance_level']} {passed(report)}"


def default_saver_factory(store: Any) -> Callable[[], AsyncIterator[Any]]:
    from langgraph_memgpt import Memory

    async def factory() -> AsyncIterator[Any]:
        memory = Memory.open(store, embeddings=None)
        try:
            yield memory.default_checkpointer()
        finally:
            memory.close()

    return factory


def test_default_saver_passes_natively(store: Any) -> None:
    report = run_suite("memgpt default", default_saver_factory(store))
    check(report)
    assert report["results"]["prune"]["detected"]


def test_async_sqlite_saver_control(tmp_path: Path) -> None:
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    async def factory() -> AsyncIterator[Any]:
        async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "control.sqlite")) as saver:
            yield saver

    check(run_suite("AsyncSqliteSaver", factory))


def test_async_postgres_saver_control(pg_store: Callable[[str], str]) -> None:
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

    url = pg_store("control")

    async def factory() -> AsyncIterator[Any]:
        async with AsyncPostgresSaver.from_conn_string(url) as saver:
            await saver.setup()
            yield saver

    check(run_suite("AsyncPostgresSaver", factory))
