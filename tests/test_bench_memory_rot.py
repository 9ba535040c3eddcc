"""The memory-rot benchmark at a tiny size: it runs end to end and writes what docs/benchmarks.md quotes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

#: Slow (a whole benchmark, process kills or a fresh install): `scripts/test.sh --quick` skips it.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent


def run_memory_rot(out: Path, *args: str, timeout: float = 300) -> None:
    """``bench/memory_rot.py`` on hash embeddings and one round, results written to ``out``."""
    command = [sys.executable, str(REPO / "bench" / "memory_rot.py"), "--embeddings", "hash"]
    command += ["--rounds", "1", *args, "--out", str(out)]
    subprocess.run(command, check=True, cwd=REPO, timeout=timeout)


def test_memory_rot_writes_both_splits_and_the_latency_table(tmp_path: Path) -> None:
    run_memory_rot(tmp_path, "--turns", "8", "--splits", "dev,heldout,fresh")
    payload = json.loads((tmp_path / "memory_rot.json").read_text())
    for split in ("dev", "heldout", "fresh"):
        base, ours = payload["quality"][split]["baseline"], payload["quality"][split]["ours"]
        assert ours["stale_visible"] < base["stale_visible"]  # the point of superseding
        assert ours["wrong_supersede"] <= 0.01
        assert ours["current_first_n"] > 0 and ours["restated_twice_n"] > 0
        pairs = payload["deciders"][split]
        assert pairs["ours"]["near_miss_superseded"] <= 0.02
        assert pairs["ours"]["update_superseded"] >= pairs["patterns_only"]["update_superseded"]
    assert {"off_median_ms", "every_5_vs_off", "every_1_vs_off"} <= set(payload["latency"])
    assert "| heldout |" in (tmp_path / "memory_rot.md").read_text()


def test_leave_one_family_out_fits_without_the_family_it_scores(tmp_path: Path) -> None:
    """The learned decider's leave-one-family-out on a small sample (two families, hash
    embeddings): each family is scored by weights fitted on the other alone."""
    run_memory_rot(
        tmp_path,
        "--splits",
        "",
        "--no-latency",
        "--no-pairs",
        "--lofo",
        "--lofo-families",
        "dev,fresh",
        timeout=600,
    )
    payload = json.loads((tmp_path / "memory_rot.json").read_text())
    assert set(payload["lofo"]) == {"dev", "fresh"}
    for got in payload["lofo"].values():
        assert {"current_first", "stale_visible", "wrong_supersede"} <= set(got["ours"])
        assert 0 <= got["pairs"]["near_miss_superseded"] <= 1
    assert "Leave-one-family-out" in (tmp_path / "memory_rot.md").read_text()


def test_the_blind_splits_of_issue_24_play_end_to_end(tmp_path: Path) -> None:
    """``--splits blind24b,blind25,blind26`` at a tiny size (hash embeddings, one round): every
    scenario of the blind splits is told and scored, with their own slots."""
    run_memory_rot(
        tmp_path,
        "--splits",
        "blind24b,blind25,blind26",
        "--systems",
        "ours",
        "--no-latency",
        "--no-misses",
        "--name",
        "blind",
    )
    payload = json.loads((tmp_path / "blind.json").read_text())
    # A blind split's run keeps aggregate figures only (``--no-misses``).
    assert all("failures" not in systems["ours"] for systems in payload["quality"].values())
    assert "Phrasings that failed" not in (tmp_path / "blind.md").read_text()
    for split in ("blind24b", "blind25", "blind26"):
        ours = payload["quality"][split]["ours"]
        assert ours["current_first_n"] > 0 and ours["restated_twice_n"] > 0
        assert all(0 <= ours[m] <= 1 for m in ("current_first", "stale_visible"))
        assert payload["deciders"][split]["ours"]["update_superseded"] >= 0
    assert "| blind25 |" in (tmp_path / "blind.md").read_text()
    assert "| blind26 |" in (tmp_path / "blind.md").read_text()


def test_the_fallback_reader_leave_one_family_out_runs(tmp_path: Path) -> None:
    """``bench/rot_fallback_lofo.py`` on hash embeddings, two families: a margin per family
    left out, the rule decider beside the fallback, and a blind split refused as a family."""
    script = str(REPO / "bench" / "rot_fallback_lofo.py")
    base = [sys.executable, script, "--embeddings", "hash", "--out", str(tmp_path)]
    subprocess.run([*base, "--families", "dev,heldout"], check=True, timeout=300)
    payload = json.loads((tmp_path / "memory_rot_fallback_lofo.json").read_text())
    assert set(payload["lofo"]) == {"dev", "heldout"}
    for got in payload["lofo"].values():
        assert 0.0 <= got["margin"] <= 0.4
        assert {"rule", "fallback"} <= set(got)
    refused = subprocess.run([*base, "--families", "dev,blind25"], capture_output=True, timeout=300)
    assert refused.returncode != 0 and b"blind split" in refused.stderr
