"""The agent benchmarks at a tiny size: they run end to end and write what docs/benchmarks.md quotes.

Each runs as its own command, the way docs/benchmarks.md tells users to run it, so argument parsing,
the worker processes and the result files are all exercised. The sizes are chosen so that
every agent still has to compact or summarize at least once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

#: Slow (a whole benchmark, process kills or a fresh install): `scripts/test.sh --quick` skips it.
pytestmark = pytest.mark.slow

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
    "embed_ms_in_turn",
    "tool_calls",
    "summary_calls",
}


def _run(script: str, *args: str, timeout: float = 180) -> None:
    subprocess.run(
        [sys.executable, str(REPO / "bench" / script), *args],
        check=True,
        cwd=REPO,
        timeout=timeout,
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
        timeout=420,  # ten agents, each in its own process
    )
    payload = json.loads((tmp_path / "long_conversation.json").read_text())
    agents = payload["agents"]
    assert {"memgpt", "full", "summarization", "floor"} <= set(agents)
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

    # The same agents with the other side's checkpoint retention: ours keeping every snapshot
    # writes more checkpoint bytes than ours pruned, each baseline on our pruning saver fewer
    # than on its default SqliteSaver; the table puts each retention on its own line.
    def checkpoints(kind: str) -> int:
        sizes = agents[kind]["disk_breakdown"][str(turns)]
        return sum(v for k, v in sizes.items() if k.startswith("checkpoints.sqlite"))

    assert {"memgpt_keepall", "full_pruned", "summarization_pruned", "langmem_pruned"} <= set(
        agents
    )
    assert checkpoints("memgpt_keepall") > checkpoints("memgpt")
    for base in ("full", "summarization", "langmem"):
        assert checkpoints(f"{base}_pruned") < checkpoints(base), base
        assert (
            agents[f"{base}_pruned"]["at"][str(turns)]["prompt_tokens_max"]
            == (agents[base]["at"][str(turns)]["prompt_tokens_max"])
        ), base  # retention changes the disk, never what the model is sent
    retention = payload["retention_tables"][str(turns)]
    assert len(retention.splitlines()) == 2 + 3
    assert "| all keep every snapshot (plain SqliteSaver) |" in retention
    assert "| all keep the newest N (our pruning saver, default retention) |" in retention


def test_long_conversation_with_hash_embeddings_says_so(tmp_path: Path) -> None:
    """``--embeddings hash``: ours runs on HashEmbeddings (no model), the results say which
    embeddings were used, and ours still embeds its recall messages between turns."""
    turns = 6
    _run(
        "long_conversation.py",
        "--turns",
        str(turns),
        "--agents",
        "memgpt,summarization",
        "--embeddings",
        "hash",
        "--no-plot",
        "--out",
        str(tmp_path),
        timeout=240,
    )
    payload = json.loads((tmp_path / "long_conversation.json").read_text())
    assert payload["settings"]["embeddings"] == "hash"
    ours = payload["agents"]["memgpt"]
    assert ours["turns_played"] == turns and ours["embedded_texts"] >= turns
    assert ours["at"][str(turns)]["cpu_ms_end_median"] > 0


def test_long_conversation_tool_workload_saves_and_searches_with_minilm(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    turns = 12
    _run(
        "long_conversation.py",
        "--workload",
        "tools",
        "--agents",
        "memgpt,summarization",
        "--turns",
        str(turns),
        "--budget",
        "2600",
        "--save-every",
        "3",
        "--search-every",
        "4",
        "--out",
        str(tmp_path),
        timeout=360,  # each worker loads the model before its first turn
    )
    payload = json.loads((tmp_path / "long_conversation_tools.json").read_text())
    agents = payload["agents"]
    assert set(agents) == {"memgpt", "summarization"}
    saves, searches = turns // 3, turns // 4
    for name, result in agents.items():
        at = result["at"][str(turns)]
        assert result["tool_calls"] == saves + searches, name
        assert result["tool_errors"] == 0, name  # every save and search went through
        # Each save and each search query was embedded by the local model, loaded first.
        assert result["embedded_texts"] >= saves + searches, name
        assert at["embed_ms_in_turn"] > 0 and result["model_load_s"] > 0, name
        assert at["embed_ms_per_turn"] >= at["embed_ms_in_turn"] - 0.01, name  # rounding
    # Ours also embeds its conversation (recall memory), the baseline only what it saved.
    assert agents["summarization"]["embedded_texts"] == saves + searches
    table = payload["tables"][str(turns)]
    assert "| tool calls made |" in table and "| embedding inside turns (ms/turn) |" in table
    assert (tmp_path / "long_conversation_tools.md").read_text().startswith(f"### N = {turns}")


def test_archival_scale_runs_every_engine_on_one_query_sample(tmp_path: Path) -> None:
    from langgraph_memgpt.memory.testing import find_postgres

    server, _why = find_postgres()
    queries, baseline_queries = 12, 4
    _run(
        "archival_scale.py",
        "--sizes",
        "1500",
        "--queries",
        str(queries),
        "--baseline-queries",
        str(baseline_queries),
        "--out",
        str(tmp_path),
    )
    payload = json.loads((tmp_path / "archival_scale.json").read_text())
    engines = payload["engines"]
    expected = {"chroma", "lancedb", "inmemory_store"} | ({"postgres_store"} if server else set())
    assert set(engines) == expected
    ours = payload["memory"][0]
    assert ours["n"] == 1500 and len(ours["latency_ms"]) == queries
    assert ours["recall_at_10"] == 1.0  # exact below the IVF threshold
    for name, rows in engines.items():
        (row,) = rows
        assert row["n"] == 1500, name
        wanted = baseline_queries if name == "inmemory_store" else queries
        assert len(row["latency_ms"]) == wanted, name
        assert row["insert_per_second"] > 0, name
    # The exhaustive engines find exactly the exhaustive top 10: they were asked the very
    # queries the ground truth was computed for.
    assert engines["lancedb"][0]["recall_at_10"] == 1.0
    assert engines["inmemory_store"][0]["recall_at_10"] == 1.0
    assert engines["chroma"][0]["recall_at_10"] > 0.5  # HNSW: approximate, reported as is
    markdown = (tmp_path / "archival_scale.md").read_text()
    for label in ("Chroma (embedded)", "LanceDB (embedded)", "LangGraph InMemoryStore"):
        assert label in markdown
    if server:
        assert engines["postgres_store"][0]["recall_at_10"] > 0.5
        assert engines["postgres_store"][0]["disk_bytes"] > 0
        assert "LangGraph PostgresStore (pgvector)" in markdown


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
