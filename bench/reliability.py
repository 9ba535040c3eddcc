"""Reliability campaign: faults, concurrency, fuzzing and isolation, as figures.

One reproducible run (fixed seeds, derandomized hypothesis) of every scenario of
``bench/_reliability``: kill -9 at random moments, concurrent processes on one store, fuzzed
tool calls, cross-user searches, damaged files and a failing model service. Each reports its
load, the faults injected, the losses (must be 0) and how long it took; results go to
``bench/results/reliability.{json,md}``, which the README quotes. The tests run the same
scenarios at a smaller size (``tests/test_reliability.py``).

    python bench/reliability.py                      # the issue's sizes, SQLite and Postgres
    python bench/reliability.py --size small --only fuzz,isolation --out /tmp/rel

Postgres runs where the scenario is marked for it when a server is found
(``MEMGPT_TEST_DATABASE_URL`` or ``scripts/postgres.sh``), in throwaway schemas.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._reliability import concurrency, damaged, fuzz, isolation, kill, model_faults  # noqa: E402
from bench._reliability.common import Outcome, store_factory  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"

#: The issue's sizes ("full") and a quick run of every code path ("small").
SIZES: dict[str, dict[str, int]] = {
    "full": {
        "kill_turns": 500,
        "kill_min": 50,
        "processes": 8,
        "process_turns": 200,
        "archival_rounds": 400,
        "fuzz_calls": 10_000,
        "users": 50,
        "searches": 1000,
        "fault_turns": 200,
        "pg_restart_between": 10,
        "pg_restart_mid": 100,
        "pg_sigkill": 10,
        "pg_terminate": 20,
        "pg_lock": 3,
        "pg_max_connections": 3,
    },
    "small": {
        "kill_turns": 30,
        "kill_min": 4,
        "processes": 3,
        "process_turns": 8,
        "archival_rounds": 20,
        "fuzz_calls": 200,
        "users": 8,
        "searches": 100,
        "fault_turns": 15,
        "pg_restart_between": 2,
        "pg_restart_mid": 5,
        "pg_sigkill": 1,
        "pg_terminate": 3,
        "pg_lock": 1,
        "pg_max_connections": 1,
    },
}
SCENARIOS = ("kill", "concurrency", "fuzz", "isolation", "damaged", "faults", "pgfaults")
#: Scenarios the issue asks for on Postgres as well.
ON_POSTGRES = {"kill", "concurrency", "isolation", "pgfaults"}
#: Scenarios of the Postgres server itself (on a server of their own, ``pg_server.py``).
POSTGRES_ONLY = {"pgfaults"}
#: The sizes of the Postgres fault campaign, by fault kind.
PG_FAULT_SIZES = {
    "restart between turns": "pg_restart_between",
    "restart mid-turn": "pg_restart_mid",
    "SIGKILL postmaster": "pg_sigkill",
    "pg_terminate_backend": "pg_terminate",
    "lock held 5 s": "pg_lock",
    "max_connections reached": "pg_max_connections",
}


def run_pg_faults(size: dict[str, int], paths: str = "sync,async") -> list[Outcome]:
    """The Postgres fault campaign on a server of its own, on the sync (``invoke``) and/or
    async (``ainvoke``) path."""
    from bench._reliability import pg_faults
    from bench._reliability.pg_server import PgServer, available
    from langgraph_memgpt.memory.testing import Schemas

    why = available()
    if why is not None:
        raise SystemExit(f"the Postgres fault campaign needs its own server: {why}")
    # its own directory under /tmp: the postgres user cannot enter our private temp directory
    server = PgServer(Path(tempfile.mkdtemp(prefix="memgpt-pgfaults-", dir="/tmp")), 54361)
    runs = {kind: size[key] for kind, key in PG_FAULT_SIZES.items()}
    try:
        schemas = Schemas(server.start(), prefix="rel")
        return [
            pg_faults.run(server, runs=runs, aio=aio, seed=14, schemas=schemas)
            for aio in (False, True)
            if ("async" if aio else "sync") in paths.split(",")
        ]
    finally:
        server.remove()


def run_scenario(
    name: str, backend: str, size: dict[str, int], tmp: Path, pg_url: str | None
) -> Outcome:
    make, cleanup = store_factory(backend, tmp / backend, pg_url)
    (tmp / backend).mkdir(parents=True, exist_ok=True)
    try:
        if name == "kill":
            return kill.run(
                make("kill"),
                backend=backend,
                turns=size["kill_turns"],
                min_kills=size["kill_min"],
                seed=14,
                tmp=tmp / backend,
            )
        if name == "concurrency":
            return concurrency.run(
                make("concurrency"),
                backend=backend,
                processes=size["processes"],
                turns=size["process_turns"],
                archival_rounds=size["archival_rounds"],
                tmp=tmp / backend,
            )
        if name == "fuzz":
            return fuzz.run(make("fuzz"), backend=backend, calls=size["fuzz_calls"], seed=14)
        if name == "isolation":
            return isolation.run(
                make("isolation"),
                backend=backend,
                users=size["users"],
                searches=size["searches"],
                seed=14,
            )
        if name == "damaged":
            return damaged.run(tmp / backend / "damaged", backend=backend)
        if name == "faults":
            return model_faults.run(
                make("faults"), backend=backend, turns=size["fault_turns"], seed=14
            )
        raise SystemExit(f"unknown scenario {name!r}; choose from {', '.join(SCENARIOS)}")
    finally:
        cleanup()


#: Row names of the scenarios, for runs recorded before runs listed their rows.
TITLES = {
    "kill": "kill -9 anywhere",
    "concurrency": "concurrency",
    "fuzz": "fuzzed tool calls",
    "isolation": "isolation",
    "damaged": "damaged files",
    "faults": "model service faults",
    "pgfaults": "Postgres faults",
}


def _run_rows(run: dict[str, Any]) -> set[tuple[str, str]]:
    """The (scenario, backend) rows a run wrote: listed, or read from its command line."""
    if "rows" in run:
        return {(scenario, backend) for scenario, backend in run["rows"]}
    words = run["command"].split()

    def option(name: str, default: str) -> list[str]:
        return words[words.index(name) + 1].split(",") if name in words else default.split(",")

    return {
        (TITLES[name], backend)
        for name in option("--only", ",".join(SCENARIOS))
        for backend in option("--backends", "sqlite,postgres")
        if name in TITLES
        and (backend == "sqlite" or name in ON_POSTGRES)
        and not (backend == "sqlite" and name in POSTGRES_ONLY)
    }


def _cell(value: dict[str, Any]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in value.items()) or "-"


def markdown(outcomes: list[Outcome], runs: list[dict[str, Any]]) -> str:
    made = "; ".join(
        f"`{r['command']}` on {r['date']} ({r['machine']}, {r['total_s']} s)" for r in runs
    )
    lines = [
        "# Reliability campaign",
        "",
        f"Made by {made}. Losses are anything acknowledged and then missing, a turn or passage "
        "stored twice, a foreign record returned, an error surfacing to a caller, an exception "
        "escaping the graph or an error not naming its field: the goal is 0 everywhere.",
        "",
        "| scenario | backend | load | faults injected | losses | duration (s) |",
        "|---|---|---|---|---:|---:|",
    ]
    for o in outcomes:
        lines.append(
            f"| {o.scenario} | {o.backend} | {o.load} | {_cell(o.faults)} | {o.losses} | {o.duration_s} |"
        )
    lines += ["", "## Checks", ""]
    for o in outcomes:
        checks = {k: v for k, v in o.checks.items() if not isinstance(v, dict)}
        lines.append(f"- **{o.scenario}** ({o.backend}): {_cell(checks)}")
        for key, value in o.checks.items():
            if isinstance(value, dict):
                lines.append(f"  - {key}: " + "; ".join(f"{k}: {v}" for k, v in value.items()))
        for problem in o.problems[:10]:
            lines.append(f"  - LOSS: {problem}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--only", default=",".join(SCENARIOS), help="comma-separated scenarios")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=N",
        help="override one size, e.g. --set kill_turns=200 (keys: those of SIZES)",
    )
    parser.add_argument(
        "--postgres-set",
        action="append",
        default=[],
        metavar="KEY=N",
        help="override one size for the Postgres runs only",
    )
    parser.add_argument(
        "--pg-paths", default="sync,async", help="paths of the Postgres fault campaign"
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the rows of other scenarios/backends already in the results file",
    )
    args = parser.parse_args(argv)
    size = dict(SIZES[args.size])
    pg_size = dict(size)
    for target, items in ((size, args.set), (pg_size, [*args.set, *args.postgres_set])):
        for item in items:
            key, _, value = item.partition("=")
            if key not in target:
                raise SystemExit(f"unknown size {key!r}; choose from {', '.join(target)}")
            target[key] = int(value)
    from langgraph_memgpt.memory.testing import find_postgres

    pg_url, why = find_postgres() if "postgres" in args.backends else (None, "not asked for")
    backends = [b for b in args.backends.split(",") if b == "sqlite" or pg_url is not None]
    if "postgres" in args.backends and pg_url is None:
        print(f"Postgres scenarios skipped: {why}", file=sys.stderr)
    outcomes: list[Outcome] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="reliability-") as tmp:
        for name in args.only.split(","):
            for backend in backends:
                if backend == "postgres" and name not in ON_POSTGRES:
                    continue
                if backend != "postgres" and name in POSTGRES_ONLY:
                    continue
                print(f"{name} on {backend}...", file=sys.stderr, flush=True)
                chosen = pg_size if backend == "postgres" else size
                if name == "pgfaults":
                    done = run_pg_faults(chosen, args.pg_paths)
                else:
                    done = [run_scenario(name, backend, chosen, Path(tmp), pg_url)]
                outcomes.extend(done)
                for outcome in done:
                    print(
                        f"  {outcome.losses} losses in {outcome.duration_s} s; "
                        f"faults {outcome.faults}",
                        file=sys.stderr,
                        flush=True,
                    )
    command = " ".join(
        ["python bench/reliability.py", *(argv if argv is not None else sys.argv[1:])]
    )
    meta = {
        "size": args.size,
        "command": command,
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "total_s": round(time.perf_counter() - started, 1),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    rows = [o.as_dict() for o in outcomes]
    meta["rows"] = [[r["scenario"], r["backend"]] for r in rows]
    runs = [meta]
    old = args.out / "reliability.json"
    if args.merge and old.exists():
        earlier = json.loads(old.read_text())
        fresh = {(r["scenario"], r["backend"]) for r in rows}
        kept = [r for r in earlier["scenarios"] if (r["scenario"], r["backend"]) not in fresh]
        rows = kept + rows
        # an earlier run stays listed only while a row it was the last to write does
        earlier_runs = earlier.get("runs", [])
        authors = {
            max(i for i, run in enumerate(earlier_runs) if row in _run_rows(run))
            for row in {(r["scenario"], r["backend"]) for r in kept}
            if any(row in _run_rows(run) for run in earlier_runs)
        }
        runs = [run for i, run in enumerate(earlier_runs) if i in authors] + [meta]
        outcomes = [Outcome(**r) for r in rows]
    order = {title: i for i, title in enumerate(TITLES.values())}
    outcomes.sort(key=lambda o: (order.get(o.scenario, 99), o.backend != "sqlite"))
    rows = [o.as_dict() for o in outcomes]
    report = {"runs": runs, "scenarios": rows}
    (args.out / "reliability.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=True) + "\n"
    )
    (args.out / "reliability.md").write_text(markdown(outcomes, runs))
    print(markdown(outcomes, runs))
    return 1 if any(o.losses for o in outcomes) else 0


if __name__ == "__main__":
    raise SystemExit(main())
