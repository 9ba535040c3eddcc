"""Pictures of the graph and of the benchmark results, drawn without any web service.

Two jobs, one module each: :mod:`.graph_picture` draws the MemGPT graph (Mermaid, DOT, PNG)
and :mod:`.bench_plots` plots whatever ``bench/results/*.json`` exist. Both are re-exported
here, so ``from langgraph_memgpt.visualize import render_png, plot_bench_results`` works.

``python -m langgraph_memgpt.visualize [--out DIR]`` writes ``graph.mmd``, ``graph.dot`` and
``graph.png`` into ``DIR``, by default a new temporary directory (the paths are printed):
the committed ``docs/`` pictures are only rewritten on purpose, with ``--out docs``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from langgraph_memgpt.visualize.bench_plots import (
    BENCH_FAMILIES,
    bench_family,
    figure_to_png,
    find_series,
    load_bench_results,
    missing_families,
    plot_bench_result,
    plot_bench_results,
)
from langgraph_memgpt.visualize.graph_picture import (
    NODE_NOTES,
    RenderMethod,
    as_drawable,
    draw_mermaid,
    graphviz_available,
    memgpt_picture_graph,
    render_png,
    save_graph_pictures,
    to_dot,
)

__all__ = [
    "BENCH_FAMILIES",
    "NODE_NOTES",
    "RenderMethod",
    "as_drawable",
    "bench_family",
    "draw_mermaid",
    "figure_to_png",
    "find_series",
    "graphviz_available",
    "load_bench_results",
    "main",
    "memgpt_picture_graph",
    "missing_families",
    "plot_bench_result",
    "plot_bench_results",
    "render_png",
    "save_graph_pictures",
    "to_dot",
]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m langgraph_memgpt.visualize``: write the graph pictures and say where."""
    parser = argparse.ArgumentParser(
        prog="python -m langgraph_memgpt.visualize",
        description="Write the MemGPT graph as Mermaid, DOT and PNG (no web service needed).",
    )
    parser.add_argument(
        "--out",
        default=None,
        help="output directory (default: a new temporary directory; "
        "`--out docs` regenerates the committed pictures)",
    )
    parser.add_argument("--method", choices=["auto", "graphviz", "matplotlib"], default="auto")
    args = parser.parse_args(argv)
    paths = save_graph_pictures(args.out, method=args.method)
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    if args.out is None:
        print(
            f"wrote to {paths['png'].parent} (a temporary directory); "
            "use --out docs to update the committed pictures"
        )
    return 0
