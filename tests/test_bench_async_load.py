"""The async load benchmark at a tiny size: it runs end to end and writes its results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_async_load_runs_both_ways_and_writes_results(tmp_path: Path) -> None:
    backends = "sqlite,postgres" if os.environ.get("MEMGPT_TEST_DATABASE_URL") else "sqlite"
    subprocess.run(
        [sys.executable, "bench/async_load.py", "--sizes", "1,3", "--turns", "2", "--repeats", "2"]
        + ["--backends", backends, "--out", str(tmp_path)],
        cwd=REPO,
        check=True,
        timeout=300,
    )
    result = json.loads((tmp_path / "async_load.json").read_text())
    rows = result["rows"]
    ways = ("async", "uvloop", "threads")  # uvloop is in the bench extra
    assert {(r["backend"], r["n"], r["how"]) for r in rows} == {
        (b, n, how) for b in backends.split(",") for n in (1, 3) for how in ways
    }
    for row in rows:
        assert row["turns"] == row["n"] * 2  # every turn of every conversation ran
        assert row["turns_per_s"] > 0 and row["latency_p99_ms"] >= row["latency_p50_ms"] > 0
        assert row["lateness_max_ms"] >= row["lateness_p99_ms"] >= 0
        assert len(row["turns_per_s_runs"]) == 2 and row["turns_per_s"] in row["turns_per_s_runs"]
    assert "| backend | N |" in (tmp_path / "async_load.md").read_text()
