"""Many conversations in one event loop, beside the same work on threads with the sync API.

N conversations (distinct users, one thread each) run concurrently against one agent and one
store, as an async server holds them: each conversation sends ``--turns`` messages one after
the other, through ``await agent.ainvoke(...)``, all of them on one ``asyncio`` loop. The
baseline does the same turns with ``agent.invoke`` on a pool of ``--threads`` threads (4),
one conversation per task, the way a sync agent is served from an async app
(``run_in_executor``). The async way runs twice, on the standard library's event loop and on
uvloop's (what uvicorn picks when it is installed, and what LangGraph's server worker
installs). All use the default checkpointer of the backend and the offline driver
(``OfflineDriver``, no model service), with cheap hash embeddings so the figures are the
graph's and the stores', not an embedding model's.

Reported per backend and N, for both ways: turns per second, p50/p99 turn latency, and the
event loop's lateness, measured by a 5 ms ticker on the loop (how late each tick fires: what
every other request on the loop waits). Goals (issue 23): p99 lateness <= 50 ms at N = 50, and
async throughput at N = 50 at least that of the 4 sync threads.

    python bench/async_load.py                          # N = 1,10,50,200, both backends
    python bench/async_load.py --sizes 1,10 --turns 2 --backends sqlite   # a quick look
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common_memory import RESULTS, machine, markdown_table, percentile, write_results  # noqa: E402

from langgraph_memgpt import MemGPTConfig, OfflineDriver, create_memgpt_agent  # noqa: E402
from langgraph_memgpt.memory import Memory  # noqa: E402
from langgraph_memgpt.memory.testing import HashEmbeddings, Schemas, find_postgres  # noqa: E402

NAME = "async_load"
TICK = 0.005
CITIES = ("Lisbon", "Oslo", "Quito", "Hanoi", "Accra", "Perth", "Lima", "Riga")


def script(user: int, turns: int) -> list[str]:
    """What conversation ``user`` says: facts to keep, questions that page them back in."""
    city = CITIES[user % len(CITIES)]
    lines = [
        f"My name is User{user}.",
        f"Remember that I live in {city} and my locker code is {1000 + user}.",
        "Where do I live?",
        "What is my locker code?",
        f"Remember that my meeting {user} moved to Friday.",
        "When is my meeting?",
    ]
    return [lines[i % len(lines)] for i in range(turns)]


class Ticker:
    """A 5 ms timer on the loop; each tick records how late it fired."""

    def __init__(self) -> None:
        self.lateness: list[float] = []
        self._running = False

    async def run(self) -> None:
        self._running = True
        while self._running:
            before = time.perf_counter()
            await asyncio.sleep(TICK)
            self.lateness.append(max(0.0, time.perf_counter() - before - TICK))

    def stop(self) -> None:
        self._running = False


def config_for(user: int) -> dict[str, Any]:
    return {"configurable": {"thread_id": f"c{user}", "user_id": f"user{user}"}}


async def run_async(agent: Any, n: int, turns: int) -> tuple[list[float], float]:
    """N conversations as coroutines on this loop; each turn's latency, and the wall time."""
    latencies: list[float] = []

    async def conversation(user: int) -> None:
        for text in script(user, turns):
            started = time.perf_counter()
            await agent.ainvoke({"messages": [("user", text)]}, config_for(user))
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(conversation(u) for u in range(n)))
    return latencies, time.perf_counter() - started


async def run_threads(agent: Any, n: int, turns: int, threads: int) -> tuple[list[float], float]:
    """The same conversations with the sync API, ``threads`` at a time, awaited from the loop."""
    latencies: list[float] = []

    def conversation(user: int) -> None:
        for text in script(user, turns):
            started = time.perf_counter()
            agent.invoke({"messages": [("user", text)]}, config_for(user))
            latencies.append(time.perf_counter() - started)

    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    with ThreadPoolExecutor(threads, thread_name_prefix="sync-agent") as pool:
        await asyncio.gather(*(loop.run_in_executor(pool, conversation, u) for u in range(n)))
    return latencies, time.perf_counter() - started


async def measured(work: Callable[[], Awaitable[tuple[list[float], float]]]) -> dict[str, Any]:
    ticker = Ticker()
    ticking = asyncio.create_task(ticker.run())
    cpu_before = time.process_time()
    latencies, wall = await work()
    cpu = time.process_time() - cpu_before
    ticker.stop()
    await ticking
    late = ticker.lateness or [0.0]
    return {
        "turns": len(latencies),
        "wall_s": round(wall, 3),
        "turns_per_s": round(len(latencies) / wall, 2),
        # Every thread of the process: what a turn costs, whatever else the machine runs.
        "cpu_ms_per_turn": round(1000 * cpu / max(1, len(latencies)), 2),
        "latency_p50_ms": round(1000 * statistics.median(latencies), 1),
        "latency_p99_ms": round(1000 * percentile(latencies, 99), 1),
        "lateness_p50_ms": round(1000 * statistics.median(late), 2),
        "lateness_p99_ms": round(1000 * percentile(late, 99), 2),
        "lateness_max_ms": round(1000 * max(late), 2),
    }


@contextmanager
def fresh_store(backend: str, server: str | None, tmp: Path, name: str) -> Iterator[Any]:
    if backend == "sqlite":
        yield tmp / name
        return
    assert server is not None
    schemas = Schemas(server, prefix="bench")
    try:
        yield schemas.new(name)
    finally:
        schemas.drop_all()


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median throughput (its own latencies and lateness), and every run's
    throughput beside it."""
    ranked = sorted(runs, key=lambda r: r["turns_per_s"])
    return {**ranked[(len(ranked) - 1) // 2], "turns_per_s_runs": [r["turns_per_s"] for r in runs]}


#: The async ways: the standard library's event loop, and uvloop's (libuv), which uvicorn
#: picks when it is installed and LangGraph's server worker installs (``langgraph_api``).
ASYNC_WAYS = ("async", "uvloop")
LABELS = {"async": "async, one asyncio loop", "uvloop": "async, one uvloop loop"}


def loop_factory(how: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    if how == "uvloop":
        import uvloop

        return uvloop.new_event_loop
    return None


def available_ways() -> tuple[str, ...]:
    """Every way this machine can run: uvloop's only where it is installed."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return ("async", "threads")
    return ("async", "uvloop", "threads")


def one_run(
    backend: str, server: str | None, tmp: Path, how: str, n: int, args: Any, *, name: str
) -> Any:
    """One way (async or threads) at one N, on a fresh store."""
    with fresh_store(backend, server, tmp, name) as location:
        memory = Memory.open(location, embeddings=HashEmbeddings())
        try:
            agent = create_memgpt_agent(
                OfflineDriver(), memory=memory, config=MemGPTConfig(consolidate_every=0)
            )
            if how in ASYNC_WAYS:
                with asyncio.Runner(loop_factory=loop_factory(how)) as runner:
                    return runner.run(measured(lambda: run_async(agent, n, args.turns)))
            return asyncio.run(measured(lambda: run_threads(agent, n, args.turns, args.threads)))
        finally:
            memory.close()


def run(args: argparse.Namespace) -> dict[str, Any]:
    server = None
    backends = [b for b in args.backends.split(",") if b]
    if "postgres" in backends:
        server, why = find_postgres(start=True)
        if server is None:
            print(f"postgres skipped: {why}")
            backends.remove("postgres")
    rows: list[dict[str, Any]] = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="async-load-") as tmp:
        for backend in backends:
            # Imports, caches and pools warm up on a throwaway store, not in the first row.
            ways = available_ways()
            for how in ways:
                one_run(backend, server, Path(tmp), how, 2, args, name=f"warm-{how}")
            for n in args.sizes:
                runs: dict[str, list[dict[str, Any]]] = {how: [] for how in ways}
                for repeat in range(args.repeats):
                    # Rotate which way goes first, so drift in the machine hits every way.
                    order = ways[repeat % len(ways) :] + ways[: repeat % len(ways)]
                    for how in order:
                        runs[how].append(
                            one_run(
                                backend, server, Path(tmp), how, n, args, name=f"{how}{n}r{repeat}"
                            )
                        )
                for how in ways:
                    figures = median_run(runs[how])
                    row = {"backend": backend, "n": n, "how": how, **figures}
                    rows.append(row)
                    print(
                        f"{backend:8s} N={n:<4d} {how:7s} {row['turns_per_s']:7.1f} turns/s  "
                        f"p50 {row['latency_p50_ms']:7.1f} ms  p99 {row['latency_p99_ms']:7.1f}"
                        f" ms  lateness p99 {row['lateness_p99_ms']:6.1f} ms",
                        flush=True,
                    )
    return {
        "machine": machine(),
        # Other work on the machine shows in every figure (the loop thread waits for a core).
        "load_average_1min": {"before": load_before[0], "after": os.getloadavg()[0]},
        "turns_per_conversation": args.turns,
        "threads": args.threads,
        "repeats": args.repeats,
        "tick_ms": TICK * 1000,
        "rows": rows,
        "goals": goals(rows),
    }


def goals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The issue's two goals at N = 50, per backend and async way (absent where N = 50 or the
    threads were not run)."""
    out: dict[str, Any] = {}
    for backend in sorted({r["backend"] for r in rows}):
        at = {r["how"]: r for r in rows if r["backend"] == backend and r["n"] == 50}
        if "threads" not in at:
            continue
        threads = at["threads"]
        for how in ASYNC_WAYS:
            if how not in at:
                continue
            mine = at[how]
            out[f"{backend}, {how}"] = {
                "lateness_p99_ms_at_50": mine["lateness_p99_ms"],
                "lateness_goal_met": mine["lateness_p99_ms"] <= 50,
                "throughput_ratio_at_50": round(mine["turns_per_s"] / threads["turns_per_s"], 2),
                "throughput_goal_met": mine["turns_per_s"] >= threads["turns_per_s"],
                "cpu_per_turn_ratio_at_50": round(
                    mine["cpu_ms_per_turn"] / threads["cpu_ms_per_turn"], 2
                ),
            }
    return out


def markdown(result: dict[str, Any]) -> str:
    header = [
        "backend",
        "N",
        "how",
        "turns/s",
        "CPU/turn (ms)",
        "p50 turn (ms)",
        "p99 turn (ms)",
        "loop lateness p50 (ms)",
        "p99 (ms)",
        "max (ms)",
    ]
    rows = [
        [
            r["backend"],
            r["n"],
            LABELS.get(r["how"], f"sync, {result['threads']} threads"),
            r["turns_per_s"],
            r["cpu_ms_per_turn"],
            r["latency_p50_ms"],
            r["latency_p99_ms"],
            r["lateness_p50_ms"],
            r["lateness_p99_ms"],
            r["lateness_max_ms"],
        ]
        for r in result["rows"]
    ]
    lines = [
        "# Async load: N conversations in one event loop",
        "",
        f"Each conversation sends {result['turns_per_conversation']} messages (offline driver, "
        "hash embeddings, default checkpointer); loop lateness is how late a 5 ms ticker on "
        "the loop fires; each row is the run with the median throughput of "
        f"{result['repeats']} runs per way (the two ways alternating, after a warm-up); "
        "CPU/turn is the process's CPU time (all threads) per turn, the figure least moved by "
        "other work on the machine. Generated by `bench/async_load.py`; machine load average "
        "(1 min) "
        f"{result['load_average_1min']['before']:.1f} before, "
        f"{result['load_average_1min']['after']:.1f} after, on {result['machine']['cpus']} CPUs.",
        "",
        markdown_table(header, rows),
        "",
        "Goals at N = 50: p99 loop lateness <= 50 ms; async throughput >= 4 sync threads.",
        "",
    ]
    for backend, g in result["goals"].items():
        lines.append(
            f"- {backend}: lateness p99 {g['lateness_p99_ms_at_50']} ms "
            f"({'met' if g['lateness_goal_met'] else 'NOT met'}), throughput "
            f"{g['throughput_ratio_at_50']}x the threads "
            f"({'met' if g['throughput_goal_met'] else 'NOT met'}); CPU per turn "
            f"{g['cpu_per_turn_ratio_at_50']}x the threads'"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1, 10, 50, 200],
        help="concurrent conversations, comma-separated (default 1,10,50,200)",
    )
    parser.add_argument("--turns", type=int, default=4, help="messages per conversation")
    parser.add_argument("--threads", type=int, default=4, help="threads of the sync baseline")
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs of each way per N; the median is reported"
    )
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results directory")
    args = parser.parse_args(argv)
    result = run(args)
    write_results(NAME, result, markdown(result), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
