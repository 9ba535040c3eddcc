"""Graph pictures and benchmark plots, all drawn offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from langgraph_memgpt import visualize
from langgraph_memgpt.visualize import (
    draw_mermaid,
    find_series,
    graph_picture,
    graphviz_available,
    load_bench_results,
    missing_families,
    plot_bench_result,
    plot_bench_results,
    render_png,
    to_dot,
)

REPO = Path(__file__).resolve().parents[1]
NODES = ("compact", "reason", "memory_interrupt", "execute_tool")
PNG = b"\x89PNG\r\n\x1a\n"


def test_mermaid_and_dot_name_every_node_and_mark_conditional_edges() -> None:
    mermaid = draw_mermaid()
    dot = to_dot()
    for node in NODES:
        assert node in mermaid and f'"{node}"' in dot
    assert "-.->" in mermaid  # conditional edges are dotted in Mermaid...
    assert 'style="dashed"' in dot  # ...and dashed in DOT
    assert '"__start__" -> "reason";' in dot  # the fixed edge is solid


def test_committed_pictures_match_the_graph() -> None:
    """docs/ must follow the code: regenerate with `python -m langgraph_memgpt.visualize --out docs`."""
    assert (REPO / "docs" / "graph.mmd").read_text() == draw_mermaid()
    assert (REPO / "docs" / "graph.dot").read_text() == to_dot()
    assert (REPO / "docs" / "graph.png").read_bytes().startswith(PNG)


def test_png_with_matplotlib_needs_no_graphviz(tmp_path: Path) -> None:
    data = render_png(path=tmp_path / "g.png", method="matplotlib")
    assert data.startswith(PNG) and (tmp_path / "g.png").read_bytes() == data


@pytest.mark.skipif(not graphviz_available(), reason="graphviz 'dot' is not installed")
def test_png_with_graphviz() -> None:
    assert render_png(method="graphviz").startswith(PNG)


def test_auto_falls_back_to_matplotlib_without_dot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graph_picture.shutil, "which", lambda name: None)
    assert not graphviz_available()
    assert render_png().startswith(PNG)


def test_save_graph_pictures_writes_all_three(tmp_path: Path) -> None:
    paths = visualize.save_graph_pictures(tmp_path, method="matplotlib")
    assert sorted(p.name for p in paths.values()) == ["graph.dot", "graph.mmd", "graph.png"]
    assert all(p.stat().st_size > 0 for p in paths.values())


def test_cli_never_overwrites_the_committed_pictures_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "graph.png").write_bytes(b"committed")
    assert visualize.main(["--method", "matplotlib"]) == 0
    printed = capsys.readouterr().out
    assert (tmp_path / "docs" / "graph.png").read_bytes() == b"committed"
    png = Path(next(line for line in printed.splitlines() if line.startswith("png: "))[5:])
    assert png.read_bytes().startswith(PNG) and tmp_path not in png.parents
    assert "--out docs" in printed  # says how to update the committed pictures
    assert visualize.main(["--out", "docs", "--method", "matplotlib"]) == 0
    assert (tmp_path / "docs" / "graph.png").read_bytes().startswith(PNG)


def test_subgraph_parent_is_drawn_with_xray(tmp_path: Path) -> None:
    from langgraph.graph import START, MessagesState, StateGraph

    from langgraph_memgpt import Memory, OfflineDriver, create_memgpt_agent

    with Memory.open(tmp_path / "data", embeddings="none") as memory:
        agent = create_memgpt_agent(OfflineDriver(), memory=memory, checkpointer=None)
        builder = StateGraph(MessagesState)
        builder.add_node("memgpt", agent)
        builder.add_edge(START, "memgpt")
        drawable = builder.compile().get_graph(xray=True)
    assert {"memgpt:compact", "memgpt:memory_interrupt"} <= set(drawable.nodes)
    assert '"memgpt:compact"' in to_dot(drawable)
    assert render_png(drawable, method="matplotlib").startswith(PNG)


# --- benchmark plots -------------------------------------------------------------------------

RETRIEVAL = {
    "variants": {
        "turn": {"recall": {"lexical": {"R@1": 0.3, "R@10": 0.6}, "dense": {"R@1": 0.2}}},
        "date+turn": {"recall": {"lexical": {"R@1": 0.35, "R@10": 0.65}}},
    },
    "machine": {"cpus": 2},
}
ARCHIVAL = {
    "memory": [
        {"n": 10_000, "index": "flat", "dense_ms": {"p50": 1.0, "p95": 2.0}},
        {"n": 1_000_000, "index": "ivf", "dense_ms": {"p50": 4.0, "p95": 9.0}},
    ],
    "inmemory_store": [
        {"n": 10_000, "dense_ms": {"p50": 30.0, "p95": 40.0}},
        {"n": 100_000, "dense_ms": {"p50": 300.0, "p95": 400.0}},
    ],
    "machine": {"cpus": 2},
}
LONG = {
    "agents": {
        "ours": [{"turns": 100, "prompt_tokens": 3000}, {"turns": 300, "prompt_tokens": 3100}],
        "full history": [
            {"turns": 100, "prompt_tokens": 25000},
            {"turns": 300, "prompt_tokens": 76914},
        ],
    }
}
AGENT_RECALL = {"cited_fraction": 0.61, "evidence_recall": 0.72, "seconds": 40}
SEARCH_SCALING = {
    "tenants": [
        {"users": 1000, "alone_p50_ms": {"hybrid": 1.25}, "crowded_p50_ms": {"hybrid": 1.27}},
        {"users": 10000, "alone_p50_ms": {"hybrid": 1.34}, "crowded_p50_ms": {"hybrid": 1.38}},
    ],
    "common": [
        {"n": 100000, "rare": {"p50_ms": {"lexical": 1.9}}, "mid": {"p50_ms": {"lexical": 2.6}}},
        {"n": 1000000, "rare": {"p50_ms": {"lexical": 2.4}}, "mid": {"p50_ms": {"lexical": 2.4}}},
    ],
    "machine": {"cpus": 2},
}


def test_search_scaling_plots_latency_per_search_against_store_size() -> None:
    figure = plot_bench_result("search_scaling", SEARCH_SCALING)
    assert figure is not None
    panels = [ax for ax in figure.axes if ax.lines]
    assert [ax.get_title() for ax in panels] == [
        "many tenants in one store",
        "words every record shares",
    ]
    labels = {line.get_label() for ax in panels for line in ax.lines}
    assert {"hybrid (alone)", "hybrid (crowded)", "lexical, rare", "lexical, mid"} == labels
    tenants = next(line for line in panels[0].lines if line.get_label() == "hybrid (crowded)")
    assert list(tenants.get_xdata()) == [1000, 10000]
    assert "search_scaling" in visualize.BENCH_FAMILIES


def test_series_are_found_in_formats_never_seen_before() -> None:
    series = find_series(ARCHIVAL)
    assert set(series["dense_ms.p50"]) == {"memory", "inmemory_store"}
    assert series["dense_ms.p50"]["memory"] == [(10_000.0, 1.0), (1_000_000.0, 4.0)]
    assert set(find_series(LONG)["prompt_tokens"]) == {"agents.ours", "agents.full history"}
    assert find_series(AGENT_RECALL) == {}


def test_every_family_gets_a_figure_and_missing_ones_are_named(tmp_path: Path) -> None:
    results_dir = tmp_path / "results"
    results_dir.mkdir()
    for name, payload in {
        "retrieval_locomo": RETRIEVAL,
        "archival_scale_small": ARCHIVAL,
        "agent_recall": AGENT_RECALL,
        "search_scaling": SEARCH_SCALING,
    }.items():
        (results_dir / f"{name}.json").write_text(json.dumps(payload))
    (results_dir / "long_conversation.json").write_text('{"agents": ')  # still being written
    results = load_bench_results(results_dir)
    assert "long_conversation" in results.pop("_errors")
    assert missing_families(results) == ["long_conversation"]
    figures = plot_bench_results(results, out_dir=tmp_path / "plots")
    assert set(figures) == {
        "retrieval_locomo",
        "archival_scale_small",
        "agent_recall",
        "search_scaling",
    }
    assert len(list((tmp_path / "plots").glob("*.png"))) == 4
    long = plot_bench_result("long_conversation", LONG)
    assert long is not None
    # One line per agent, prompt tokens against turns, as in the payload.
    drawn = {
        line.get_label(): (list(line.get_xdata()), list(line.get_ydata()))
        for axes in long.axes
        for line in axes.lines
    }
    assert drawn == {
        "agents.ours": ([100, 300], [3000, 3100]),
        "agents.full history": ([100, 300], [25000, 76914]),
    }
    assert plot_bench_result("empty", {"machine": {"cpus": 2}}) is None


def test_an_odd_file_is_skipped_with_a_reason() -> None:
    errors: dict[str, str] = {}
    odd = {"retrieval_x": {"variants": {"v": {"recall": {"lexical": {"R@ten": "high"}}}}}}
    figures = plot_bench_results({**odd, "empty": {}, "agent_recall": AGENT_RECALL}, errors=errors)
    assert set(figures) == {"agent_recall"}
    assert set(errors) == {"retrieval_x", "empty"}


def test_no_results_directory_is_not_an_error(tmp_path: Path) -> None:
    results = load_bench_results(tmp_path / "missing")
    assert results == {} and plot_bench_results(results) == {}
    assert missing_families(results) == list(visualize.BENCH_FAMILIES)
