"""Benchmark plots: one figure per result file in ``bench/results``, whatever its shape.

Decides how each benchmark's JSON becomes a figure. The families known by name get a plot made
for them (recall@k per ranker for the retrieval benchmark, latency per search kind against the
store size for search scaling); any other file is still plotted: every list of rows that share
an x key (``turns``, ``n``, ...) becomes curves, and plain numbers become bars. Result formats
evolve with the benchmarks, so nothing here fails on a file it does not understand: the file is
skipped with a reason, and a family with no file yet is named so the notebook can say which
benchmark to run.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure


#: The benchmark families the plots know by name (file stem prefixes in ``bench/results``).
BENCH_FAMILIES = (
    "retrieval",
    "archival_scale",
    "long_conversation",
    "agent_recall",
    "search_scaling",
)

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


def _plot_search_scaling(payload: Mapping[str, Any], title: str) -> Figure | None:
    """p50 latency per search kind against the store's size: tenants sharing one store
    (alone solid, crowded dashed) and one user's records full of common words."""
    from matplotlib import pyplot as plt

    panels: list[tuple[str, str, dict[str, list[tuple[float, float]]]]] = []
    tenants = payload.get("tenants")
    if isinstance(tenants, list):
        curves: dict[str, list[tuple[float, float]]] = {}
        for row in tenants:
            if not isinstance(row, Mapping) or not _is_number(row.get("users")):
                continue
            for setting in ("alone", "crowded"):
                for kind, ms in (row.get(f"{setting}_p50_ms") or {}).items():
                    if _is_number(ms):
                        curves.setdefault(f"{kind} ({setting})", []).append((row["users"], ms))
        panels.append(("many tenants in one store", "users", curves))
    common = payload.get("common")
    if isinstance(common, list):
        curves = {}
        for row in common:
            if not isinstance(row, Mapping) or not _is_number(row.get("n")):
                continue
            for query, body in row.items():
                by_kind = body.get("p50_ms") if isinstance(body, Mapping) else None
                for kind, ms in (by_kind or {}).items():
                    if _is_number(ms):
                        curves.setdefault(f"{kind}, {query}", []).append((row["n"], ms))
        panels.append(("words every record shares", "records", curves))
    panels = [p for p in panels if any(len(points) > 0 for points in p[2].values())]
    if not panels:
        return None
    fig, axes = plt.subplots(1, len(panels), figsize=(5.4 * len(panels), 3.8), squeeze=False)
    for ax, (panel, x_label, curves) in zip(axes.flat, panels, strict=True):
        for label, points in sorted(curves.items()):
            xs, ys = zip(*sorted(points), strict=True)
            ax.plot(xs, ys, marker="o", label=label, linestyle="--" if "crowded" in label else "-")
        ax.set_title(panel, fontsize=9)
        ax.set_xlabel(x_label)
        ax.set_ylabel("p50 ms")
        ax.set_xscale("log")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=6)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


#: Plotters made for a family's own layout; the generic ones take whatever they return None for.
_FAMILY_PLOTTERS = {"retrieval": _plot_retrieval, "search_scaling": _plot_search_scaling}


def plot_bench_result(name: str, payload: Any) -> Figure | None:
    """One figure for one result file, or ``None`` when it holds nothing plottable."""
    family = bench_family(name)
    plotter = _FAMILY_PLOTTERS.get(family or "")
    figure = plotter(payload, name) if plotter and isinstance(payload, Mapping) else None
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
