"""The graph picture: Mermaid, DOT and PNG of the MemGPT graph, drawn without a web service.

Decides how the compiled graph becomes a picture on a machine with no network. LangGraph's
``draw_mermaid_png`` sends the diagram to a web renderer and ``draw_png`` needs pygraphviz (a C
extension built against graphviz headers); neither suits an offline CI box, so:

- Mermaid text always comes from ``get_graph().draw_mermaid()`` (GitHub renders it in Markdown);
- a PNG comes from the graphviz ``dot`` program when it is on ``PATH`` (Debian: ``graphviz``),
  fed with DOT text written here, and otherwise from a small matplotlib drawing.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from langchain_core.runnables.graph import Graph

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
    out_dir: str | Path | None = None, graph: Any = None, *, method: RenderMethod = "auto"
) -> dict[str, Path]:
    """Write ``graph.mmd``, ``graph.dot`` and ``graph.png`` into ``out_dir``.

    With no ``out_dir`` they go to a new temporary directory: regenerating the committed
    ``docs/`` pictures is a deliberate ``out_dir="docs"``, never a default.
    """
    out = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="memgpt-graph-"))
    out.mkdir(parents=True, exist_ok=True)
    drawable = as_drawable(graph)
    paths = {"mermaid": out / "graph.mmd", "dot": out / "graph.dot", "png": out / "graph.png"}
    paths["mermaid"].write_text(draw_mermaid(drawable))
    paths["dot"].write_text(to_dot(drawable))
    render_png(drawable, paths["png"], method=method)
    return paths
