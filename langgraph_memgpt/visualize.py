"""Pictures of the graph and of the benchmark results, drawn without any web service.

LangGraph's ``draw_mermaid_png`` sends the diagram to a web renderer and ``draw_png`` needs
pygraphviz (a C extension built against graphviz headers). Neither suits an offline CI box, so:

- Mermaid text always comes from ``get_graph().draw_mermaid()`` (GitHub renders it in Markdown);
- a PNG comes from the graphviz ``dot`` program when it is on ``PATH`` (Debian: ``graphviz``),
  fed with DOT text written here, and otherwise from a small matplotlib drawing;
- benchmark plots read whatever ``bench/results/*.json`` exist and skip what is missing.

``python -m langgraph_memgpt.visualize`` regenerates ``docs/graph.mmd``, ``docs/graph.dot`` and
``docs/graph.png``.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.runnables.graph import Graph

if TYPE_CHECKING:
    from matplotlib.figure import Figure

RenderMethod = Literal["auto", "graphviz", "matplotlib"]

#: What each node of the MemGPT graph does, shown under its name in the pictures.
NODE_NOTES: dict[str, str] = {
    "compact": "budget check, eviction,\nsummary, pressure alert",
    "reason": "model call on the\nmain context",
    "memory_interrupt": "page fault:\nruns memory tools",
    "execute_tool": "runs the user's tools",
}

# The palette of LangGraph's own Mermaid output, so both pictures look alike.
_FILL = "#f2f0ff"
_END_FILL = "#bfb6fc"
_EDGE = "#555555"


def memgpt_picture_graph(*, xray: bool = False) -> Graph:
    """The drawable graph of a default MemGPT agent.

    The agent is compiled over a throwaway memory directory (lexical search, offline driver),
    because drawing needs the compiled topology, not anyone's data.
    """
    from langgraph_memgpt.graph import create_memgpt_agent
    from langgraph_memgpt.memory import Memory
    from langgraph_memgpt.models import OfflineDriver

    with tempfile.TemporaryDirectory(prefix="memgpt-draw-") as tmp:
        memory = Memory.open(tmp, embeddings="none")
        try:
            agent = create_memgpt_agent(OfflineDriver(), memory=memory, checkpointer=None)
            return agent.get_graph(xray=xray)
        finally:
            memory.close()


def as_drawable(graph: Any = None) -> Graph:
    """Accept a compiled graph (anything with ``get_graph``), a drawable ``Graph`` or ``None``
    (the default MemGPT agent)."""
    if graph is None:
        return memgpt_picture_graph()
    if isinstance(graph, Graph):
        return graph
    get_graph = getattr(graph, "get_graph", None)
    if get_graph is None:
        raise TypeError(f"cannot draw {type(graph).__name__}: it has no get_graph()")
    drawable = get_graph()
    if not isinstance(drawable, Graph):
        raise TypeError(f"get_graph() returned {type(drawable).__name__}, not a Graph")
    return drawable


def draw_mermaid(graph: Any = None) -> str:
    """Mermaid text of the graph: works offline and renders in GitHub Markdown."""
    return as_drawable(graph).draw_mermaid()


def _dot_id(text: str) -> str:
    """A quoted DOT identifier or label; newlines become DOT's centred line breaks."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _label(node_id: str, name: str, notes: Mapping[str, str]) -> str:
    note = notes.get(node_id) or notes.get(name)
    return f"{name}\n{note}" if note else name


def to_dot(graph: Any = None, *, notes: Mapping[str, str] | None = None) -> str:
    """DOT text for graphviz: rounded boxes, solid fixed edges, dashed conditional edges."""
    drawable = as_drawable(graph)
    notes = NODE_NOTES if notes is None else notes
    first = drawable.first_node()
    last = drawable.last_node()
    lines = [
        "digraph memgpt {",
        '  graph [rankdir=TB, bgcolor="white", fontname="Helvetica", nodesep=0.5, ranksep=0.45,',
        '         label="solid: always taken   dashed: conditional", labelloc=b, fontsize=10];',
        f'  node [shape=box, style="rounded,filled", fillcolor="{_FILL}", color="#8a80c9",',
        '        fontname="Helvetica", fontsize=11, margin="0.18,0.08"];',
        f'  edge [color="{_EDGE}", arrowsize=0.7];',
    ]
    clusters: dict[str, list[str]] = {}
    for node_id, node in drawable.nodes.items():
        attrs = [f"label={_dot_id(_label(node_id, node.name, notes))}"]
        if first is not None and node_id == first.id:
            attrs.append('shape=oval, style="filled", fillcolor="white"')
        elif last is not None and node_id == last.id:
            attrs.append(f'shape=oval, style="filled", fillcolor="{_END_FILL}"')
        elif node.name.startswith("__"):  # a subgraph's own start/end (xray drawings)
            attrs.append('shape=oval, style="filled", fillcolor="white", fontsize=9')
        line = f"{_dot_id(node_id)} [{', '.join(attrs)}];"
        # xray names a subgraph's nodes "parent:child": draw them inside a box of their own.
        clusters.setdefault(node_id.rsplit(":", 1)[0] if ":" in node_id else "", []).append(line)
    for prefix, node_lines in clusters.items():
        if not prefix:
            lines += [f"  {line}" for line in node_lines]
            continue
        lines.append(f"  subgraph {_dot_id('cluster_' + prefix)} {{")
        lines.append(
            f'    label={_dot_id(prefix)}; style="rounded,dashed"; color="#8a80c9"; fontsize=10;'
        )
        lines += [f"    {line}" for line in node_lines]
        lines.append("  }")
    for edge in drawable.edges:
        attrs = ['style="dashed"'] if edge.conditional else []
        if edge.data is not None:
            attrs.append(f"label={_dot_id(str(edge.data))}")
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  {_dot_id(edge.source)} -> {_dot_id(edge.target)}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def graphviz_available() -> bool:
    """True if the ``dot`` program is on PATH (Debian/Ubuntu: ``apt-get install graphviz``)."""
    return shutil.which("dot") is not None


def _png_with_graphviz(dot_text: str, dpi: int) -> bytes:
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError("graphviz 'dot' is not installed (apt-get install graphviz)")
    done = subprocess.run(
        [dot, "-Tpng", f"-Gdpi={dpi}"],
        input=dot_text.encode(),
        capture_output=True,
        check=False,
        timeout=60,
    )
    if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG"):
        raise RuntimeError(f"dot failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def _layers(drawable: Graph) -> dict[str, int]:
    """Rank of each node: its shortest distance from the start, so loops point upwards; the end
    node gets a row of its own at the bottom."""
    children: dict[str, list[str]] = {node_id: [] for node_id in drawable.nodes}
    for edge in drawable.edges:
        children.setdefault(edge.source, []).append(edge.target)
    first = drawable.first_node()
    start = first.id if first is not None else next(iter(drawable.nodes), None)
    rank: dict[str, int] = {}
    frontier = [start] if start is not None else []
    if start is not None:
        rank[start] = 0
    while frontier:
        following = []
        for node in frontier:
            for child in children.get(node, []):
                if child not in rank:
                    rank[child] = rank[node] + 1
                    following.append(child)
        frontier = following
    deepest = max(rank.values(), default=0)
    for node_id in drawable.nodes:  # unreachable nodes go below everything else
        rank.setdefault(node_id, deepest + 1)
    last = drawable.last_node()
    if last is not None and sum(r == rank[last.id] for r in rank.values()) > 1:
        rank[last.id] = max(rank.values()) + 1
    return rank


def _png_with_matplotlib(drawable: Graph, notes: Mapping[str, str], dpi: int) -> bytes:
    """A plain layered drawing, for machines without graphviz."""
    import io

    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    rank = _layers(drawable)
    rows: dict[int, list[str]] = {}
    for node_id in drawable.nodes:
        rows.setdefault(rank[node_id], []).append(node_id)
    width, height = 2.8, 1.0
    pos: dict[str, tuple[float, float]] = {}
    for r, ids in rows.items():
        for i, node_id in enumerate(ids):
            pos[node_id] = ((i - (len(ids) - 1) / 2) * (width + 1.0), -r * 2.0)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    # About one inch per data unit keeps 8-point labels inside their boxes.
    fig, ax = plt.subplots(
        figsize=(0.85 * (max(xs) - min(xs) + 2 * width + 0.6), 0.85 * (max(ys) - min(ys) + 1.8))
    )
    first = drawable.first_node()
    last = drawable.last_node()
    for node_id, (x, y) in pos.items():
        node = drawable.nodes[node_id]
        fill = _END_FILL if last is not None and node_id == last.id else _FILL
        if first is not None and node_id == first.id:
            fill = "white"
        ax.add_patch(
            FancyBboxPatch(
                (x - width / 2, y - height / 2),
                width,
                height,
                boxstyle="round,pad=0.02,rounding_size=0.2",
                facecolor=fill,
                edgecolor="#8a80c9",
                zorder=2,
            )
        )
        ax.text(x, y, _label(node_id, node.name, notes), ha="center", va="center", fontsize=8)
    seen: dict[tuple[str, str], int] = {}
    for edge in drawable.edges:
        (x1, y1), (x2, y2) = pos[edge.source], pos[edge.target]
        style = "--" if edge.conditional else "-"
        if edge.source == edge.target:  # self loop on the right side of the box
            start, end, rad = (x1 + width / 2, y1 - 0.15), (x1 + width / 2, y1 + 0.15), 1.6
        else:
            start = (x1, y1 - height / 2) if y2 < y1 else (x1, y1 + height / 2)
            end = (x2, y2 + height / 2) if y2 < y1 else (x2, y2 - height / 2)
            if y1 == y2:
                start = (x1 + math.copysign(width / 2, x2 - x1), y1)
                end = (x2 - math.copysign(width / 2, x2 - x1), y2)
            key = (min(edge.source, edge.target), max(edge.source, edge.target))
            seen[key] = seen.get(key, 0) + 1
            rad = 0.0 if seen[key] == 1 and y2 < y1 else 0.35
        ax.add_patch(
            FancyArrowPatch(
                start,
                end,
                connectionstyle=f"arc3,rad={rad}",
                arrowstyle="-|>",
                mutation_scale=12,
                linestyle=style,
                color=_EDGE,
                zorder=1,
            )
        )
    ax.set_xlim(min(xs) - width, max(xs) + width + 0.6)
    ax.set_ylim(min(ys) - 1.0, max(ys) + 0.8)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("solid: always taken   dashed: conditional", fontsize=8, loc="left")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def render_png(
    graph: Any = None,
    path: str | Path | None = None,
    *,
    method: RenderMethod = "auto",
    notes: Mapping[str, str] | None = None,
    dpi: int = 110,
) -> bytes:
    """PNG bytes of the graph (and written to ``path`` if given), with no web service.

    ``method="auto"`` uses graphviz ``dot`` when installed, else matplotlib.
    """
    drawable = as_drawable(graph)
    notes = NODE_NOTES if notes is None else notes
    if method == "graphviz" or (method == "auto" and graphviz_available()):
        data = _png_with_graphviz(to_dot(drawable, notes=notes), dpi)
    elif method in ("auto", "matplotlib"):
        data = _png_with_matplotlib(drawable, notes, dpi)
    else:
        raise ValueError(f"unknown method {method!r}: use auto, graphviz or matplotlib")
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(data)
    return data


def save_graph_pictures(
    out_dir: str | Path = "docs", graph: Any = None, *, method: RenderMethod = "auto"
) -> dict[str, Path]:
    """Write ``graph.mmd``, ``graph.dot`` and ``graph.png`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    drawable = as_drawable(graph)
    paths = {"mermaid": out / "graph.mmd", "dot": out / "graph.dot", "png": out / "graph.png"}
    paths["mermaid"].write_text(draw_mermaid(drawable))
    paths["dot"].write_text(to_dot(drawable))
    render_png(drawable, paths["png"], method=method)
    return paths


# --- benchmark plots -------------------------------------------------------------------------

#: The benchmark families the plots know by name (file stem prefixes in ``bench/results``).
BENCH_FAMILIES = ("retrieval", "archival_scale", "long_conversation", "agent_recall")

_X_KEYS = ("turns", "turn", "n", "N", "size", "records", "step")


def load_bench_results(results_dir: str | Path) -> dict[str, Any]:
    """Every ``*.json`` under ``results_dir`` by file stem; unreadable files are skipped with a
    note under the key ``"_errors"``, because a benchmark may be writing its file right now."""
    directory = Path(results_dir)
    results: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        try:
            results[path.stem] = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            errors[path.stem] = str(exc)
    if errors:
        results["_errors"] = errors
    return results


def bench_family(name: str) -> str | None:
    """Which known benchmark a result file belongs to (``retrieval_locomo`` -> ``retrieval``)."""
    return next((f for f in BENCH_FAMILIES if name.startswith(f)), None)


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, float]]:
    """Numeric leaves of nested dicts as ``("a.b.c", value)``; lists and flags are skipped."""
    if isinstance(value, bool):
        return
    if isinstance(value, int | float) and math.isfinite(value):
        yield prefix, float(value)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else str(key))


def find_series(payload: Any) -> dict[str, dict[str, list[tuple[float, float]]]]:
    """Curves hidden in a result payload: ``{metric: {series_name: [(x, y), ...]}}``.

    A curve is a list of at least two dicts that share an x key (``turns``, ``n``, ...); every
    other numeric leaf of those dicts is a metric. Works for formats this module has never seen.
    """
    found: dict[str, dict[str, list[tuple[float, float]]]] = {}
    _collect_series(payload, "", found, set())
    return found


def _collect_series(
    payload: Any,
    path: str,
    found: dict[str, dict[str, list[tuple[float, float]]]],
    x_keys: set[str],
) -> None:
    if isinstance(payload, Mapping):
        for key, item in payload.items():
            if key != "machine":
                _collect_series(item, f"{path}.{key}" if path else str(key), found, x_keys)
        return
    rows = payload if isinstance(payload, list) else []
    if len(rows) < 2 or not all(isinstance(r, Mapping) for r in rows):
        return
    x_key = next((k for k in _X_KEYS if all(_is_number(r.get(k)) for r in rows)), None)
    if x_key is None:
        return
    x_keys.add(x_key)
    for row in sorted(rows, key=lambda r: float(r[x_key])):
        for metric, y in _flatten({k: v for k, v in row.items() if k != x_key}):
            found.setdefault(metric, {}).setdefault(path or "series", []).append(
                (float(row[x_key]), y)
            )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _plot_retrieval(payload: Mapping[str, Any], title: str) -> Figure | None:
    """Recall@k per ranker, one panel per variant of the retrieval benchmark."""
    from matplotlib import pyplot as plt

    variants = payload.get("variants")
    if not isinstance(variants, Mapping) or not variants:
        return None
    cols = min(3, len(variants))
    rows = math.ceil(len(variants) / cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(4.6 * cols, 3.4 * rows + 0.8), squeeze=False, sharey=True
    )
    handles: dict[str, Any] = {}
    for ax, (variant, body) in zip(axes.flat, variants.items(), strict=False):
        recall = body.get("recall", {}) if isinstance(body, Mapping) else {}
        ks: set[int] = set()
        for ranker, by_k in recall.items():
            if not isinstance(by_k, Mapping):
                continue
            points = sorted(
                (int(k.split("@")[1]), float(v))
                for k, v in by_k.items()
                if "@" in k and k.split("@")[1].isdigit() and _is_number(v)
            )
            if points:
                (line,) = ax.plot(*zip(*points, strict=True), marker="o", label=ranker)
                handles.setdefault(ranker, line)
                ks.update(k for k, _ in points)
        ax.set_title(variant, fontsize=9)
        ax.set_xlabel("k")
        ax.set_xscale("log")
        if ks:
            ax.set_xticks(sorted(ks), [str(k) for k in sorted(ks)])
            ax.minorticks_off()
        ax.grid(alpha=0.3)
    if not handles:  # nothing in the expected shape: let the generic plotters try
        plt.close(fig)
        return None
    for ax in list(axes.flat)[len(variants) :]:
        ax.axis("off")
    for row in axes:
        row[0].set_ylabel("evidence recall@k")
    if handles:
        fig.legend(
            list(handles.values()),
            list(handles),
            loc="lower center",
            ncol=min(4, len(handles)),
            fontsize=7,
        )
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.03 + 0.03 * math.ceil(len(handles) / 4), 1, 1))
    return fig


def _plot_series(payload: Any, title: str, max_panels: int = 6) -> Figure | None:
    """Every curve of a payload, one panel per metric, log axes where values span 100x."""
    from matplotlib import pyplot as plt

    series: dict[str, dict[str, list[tuple[float, float]]]] = {}
    x_keys: set[str] = set()
    _collect_series(payload, "", series, x_keys)
    # Prefer metrics compared across several series (ours vs baselines), then the rest.
    metrics = sorted(series, key=lambda m: (-len(series[m]), m))[:max_panels]
    if not metrics:
        return None
    cols = min(3, len(metrics))
    rows = math.ceil(len(metrics) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.3 * rows), squeeze=False)
    for ax, metric in zip(axes.flat, metrics, strict=False):
        all_x: list[float] = []
        all_y: list[float] = []
        for name, points in series[metric].items():
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, marker="o", label=name)
            all_x += xs
            all_y += ys
        ax.set_title(metric, fontsize=9)
        ax.set_xlabel(" / ".join(sorted(x_keys)), fontsize=8)
        ax.grid(alpha=0.3)
        if _spans_decades(all_x):
            ax.set_xscale("log")
        if _spans_decades(all_y):
            ax.set_yscale("log")
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(metrics) :]:
        ax.axis("off")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def _spans_decades(values: Sequence[float]) -> bool:
    positive = [v for v in values if v > 0]
    return len(positive) == len(values) > 1 and max(positive) / min(positive) >= 100


def _plot_scalars(payload: Any, title: str, max_bars: int = 16) -> Figure | None:
    from matplotlib import pyplot as plt

    skip = ("machine", "seconds", "elapsed")
    items = [
        (name, value)
        for name, value in _flatten(
            {k: v for k, v in payload.items() if k not in skip}
            if isinstance(payload, Mapping)
            else {}
        )
    ][:max_bars]
    if not items:
        return None
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(items) + 1.2))
    names, values = zip(*items, strict=True)
    ax.barh(range(len(items)), values, color="#8a80c9")
    ax.set_yticks(range(len(items)), names, fontsize=7)
    ax.invert_yaxis()
    for i, value in enumerate(values):
        ax.text(value, i, f" {value:.3g}", va="center", fontsize=7)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_bench_result(name: str, payload: Any) -> Figure | None:
    """One figure for one result file, or ``None`` when it holds nothing plottable."""
    family = bench_family(name)
    figure = _plot_retrieval(payload, name) if family == "retrieval" else None
    if figure is None:
        figure = _plot_series(payload, name)
    if figure is None:
        figure = _plot_scalars(payload, name)
    return figure


def plot_bench_results(
    results: Mapping[str, Any],
    out_dir: str | Path | None = None,
    *,
    errors: dict[str, str] | None = None,
) -> dict[str, Figure]:
    """A figure per result file (saved as ``<name>.png`` in ``out_dir`` if given).

    A file that cannot be plotted is skipped, with the reason put in ``errors`` if given: result
    formats evolve with the benchmarks, and one odd file must not hide the others' plots.
    """
    figures: dict[str, Figure] = {}
    for name, payload in results.items():
        if name.startswith("_"):
            continue
        try:
            figure = plot_bench_result(name, payload)
        except Exception as exc:  # a format this module does not understand
            if errors is not None:
                errors[name] = f"{type(exc).__name__}: {exc}"
            continue
        if figure is None:
            if errors is not None:
                errors[name] = "no numbers to plot"
            continue
        figures[name] = figure
        if out_dir is not None:
            Path(out_dir).mkdir(parents=True, exist_ok=True)
            figure.savefig(Path(out_dir) / f"{name}.png", dpi=100, bbox_inches="tight")
    return figures


def figure_to_png(figure: Figure, dpi: int = 100) -> bytes:
    """PNG bytes of a figure, then closed: displays the same under any matplotlib backend."""
    import io

    from matplotlib import pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def missing_families(results: Mapping[str, Any]) -> list[str]:
    """Known benchmarks with no result file yet (the notebook says which to run)."""
    present = {bench_family(name) for name in results}
    return [family for family in BENCH_FAMILIES if family not in present]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m langgraph_memgpt.visualize",
        description="Write the MemGPT graph as Mermaid, DOT and PNG (no web service needed).",
    )
    parser.add_argument("--out", default="docs", help="output directory (default: docs)")
    parser.add_argument("--method", choices=["auto", "graphviz", "matplotlib"], default="auto")
    args = parser.parse_args(argv)
    for kind, path in save_graph_pictures(args.out, method=args.method).items():
        print(f"{kind}: {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
