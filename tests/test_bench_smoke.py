"""The agent benchmarks at a tiny size: they run end to end and write what the README quotes.

Each runs as its own command, the way the README tells users to run it, so argument parsing,
the worker processes and the result files are all exercised. The sizes are chosen so that
every agent still has to compact or summarize at least once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data" / "locomo"

AT_FIELDS = {
    "prompt_tokens_max",
    "prompt_tokens_last",
    "disk_bytes",
    "disk_bytes_per_turn",
    "overhead_ms_start_median",
    "overhead_ms_start_p95",
    "overhead_ms_end_median",
    "overhead_ms_end_p95",
    "cpu_ms_end_median",
    "wal_bytes",
    "disk_growth_bytes_per_turn_end",
    "rss_peak_mb",
    "embed_ms_per_turn",
    "summary_calls",
}


def _run(script: str, *args: str) -> None:
    subprocess.run(
        [sys.executable, str(REPO / "bench" / script), *args],
        check=True,
        cwd=REPO,
        timeout=180,
    )


def test_long_conversation_writes_every_agent_figure_and_the_plot(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    turns, budget = 10, 2600
    _run(
        "long_conversation.py",
        "--turns",
        str(turns),
        "--budget",
        str(budget),
        "--out",
        str(tmp_path),
    )
    payload = json.loads((tmp_path / "long_conversation.json").read_text())
    agents = payload["agents"]
    assert {"memgpt", "full", "summarization"} <= set(agents)
    for name, result in agents.items():
        assert result["turns_played"] == turns, name
        at = result["at"][str(turns)]
        assert set(at) >= AT_FIELDS, name
        assert at["disk_bytes"] > 0 and at["prompt_tokens_max"] > 0, name
    limit = payload["settings"]["prompt_limit"]
    ours = agents["memgpt"]["at"][str(turns)]
    assert ours["prompt_tokens_max"] <= limit
    assert ours["summary_calls"] >= 1  # the budget was hit: eviction and summary happened
    assert agents["summarization"]["at"][str(turns)]["summary_calls"] >= 1
    assert agents["full"]["at"][str(turns)]["prompt_tokens_max"] > limit
    assert "| largest prompt (tokens) |" in payload["tables"][str(turns)]
    assert (tmp_path / "long_conversation.md").read_text().startswith(f"### N = {turns}")
    assert (tmp_path / "long_conversation.png").stat().st_size > 10_000


@pytest.mark.skipif(not DATA.is_dir(), reason=f"LoCoMo data not found at {DATA}")
def test_agent_recall_scores_questions_on_a_conversation_slice(tmp_path: Path) -> None:
    _run(
        "agent_recall.py",
        "--data",
        str(DATA),
        "--conversations",
        "26",
        "--max-turns",
        "40",
        "--max-questions",
        "3",
        "--budget",
        "2600",
        "--out",
        str(tmp_path),
    )
    payload = json.loads((tmp_path / "agent_recall.json").read_text())
    overall = payload["overall"]
    assert overall["questions"] == 3
    conversation = payload["conversations"]["26"]
    assert conversation["turns"] == 40
    assert conversation["evicted_turn_share"] > 0.5  # most of it was evicted from the prompt
    rows = conversation["questions"]
    assert len(rows) == 3
    for row in rows:
        assert row["answer"] and row["evidence"]
        # Each question is scored from what it cited and retrieved against its evidence.
        evidence = set(row["evidence"])
        assert row["cites_evidence"] == bool(set(row["cited"]) & evidence)
        found = len(set(row["retrieved"]) & evidence)
        assert row["evidence_recall"] == pytest.approx(found / len(evidence))
    # The overall scores are the means of the per-question ones.
    assert overall["answer_cites_evidence"] == pytest.approx(
        sum(r["cites_evidence"] for r in rows) / 3
    )
    assert overall["evidence_recall_retrieved"] == pytest.approx(
        sum(r["evidence_recall"] for r in rows) / 3
    )
    assert "ceiling" in payload and "| **all** |" in (tmp_path / "agent_recall.md").read_text()
