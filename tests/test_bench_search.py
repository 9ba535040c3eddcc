"""The search-scaling benchmark at a tiny size: it runs as docs/benchmarks.md says and writes every
figure the docs quote, with the schema-1 baseline beside ours."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

#: Slow (a whole benchmark, process kills or a fresh install): `scripts/test.sh --quick` skips it.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent


def test_search_scaling_writes_tenant_and_common_word_figures(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "search_scaling.py"),
            "--tenants",
            "30",
            "--common",
            "3000",
            "--sample",
            "5",
            "--queries",
            "10",
            "--quality-queries",
            "5",
            "--embedding-turns",
            "0",
            "--out",
            str(tmp_path),
        ],
        check=True,
        cwd=REPO,
        timeout=300,
    )
    payload = json.loads((tmp_path / "search_scaling.json").read_text())
    (tenants,) = payload["tenants"]
    assert tenants["users"] == 30 and tenants["searches_per_mode"] == 20
    for side in ("crowded_p50_ms", "alone_p50_ms"):
        assert set(tenants[side]) == {"hybrid", "lexical", "dense", "recall"}
        assert all(value > 0 for value in tenants[side].values())
    assert tenants["v1_shared_fts_lexical_p50_ms"] > 0
    (common,) = payload["common"]
    for kind in ("rare", "mid", "common"):
        row = common[kind]
        assert row["queries_judged"] == 5 and set(row["p50_ms"]) == {"hybrid", "lexical", "dense"}
        # The lexical top 100 is proven, and is the exhaustive one, from fewer postings.
        assert row["proven_exact"] == 1.0 and row["lexical_top100_identical"] == 1.0
        assert row["postings_read_median"] < row["postings_in_lists_median"]
    markdown = (tmp_path / "search_scaling.md").read_text()
    assert "## Many tenants in one store" in markdown and "schema 1 / ours" in markdown
