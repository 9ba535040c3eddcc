"""Leave-one-family-out for the learned update decider (``memory_rot.py --lofo``).

For each family (a dev split of the suite or a training family), the decider's weights are
fitted on the pairs of all the other families (``_update_pairs.py``, as ``update_train.py``
fits the shipped ones) and the family left out is scored: its decider-alone pairs and the
whole store ("ours": insert, consolidate, search). Side by side on the same family, in the same
run: ``RuleDecider`` (the default, nothing fitted) and the learned decider as it shipped before
the training families (``bench/data/update_model_v1.json``, fitted on the six old families, so
left out only on the new ones). The blind split is never among the families.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common_memory import markdown_table
from _update_pairs import FAMILIES, features_by_family, fit_without

from langgraph_memgpt.memory.hygiene.learned_decider import LearnedDecider, load_model
from langgraph_memgpt.memory.hygiene.supersede import RuleDecider

#: The learned decider's weights before the training families (fitted on the six old ones).
BEFORE = Path(__file__).resolve().parent / "data" / "update_model_v1.json"
#: The deciders compared on every family: name -> what the table calls it.
COMPARED = {"rule": "rule", "before": "learned, v1 weights", "learned": "learned, left out"}


def leave_one_family_out(
    args: argparse.Namespace,
    quality: Callable[..., dict[str, Any]],
    decider_pairs: Callable[..., dict[str, Any]],
) -> dict[str, Any]:
    families = [f for f in args.lofo_families.split(",") if f] or list(FAMILIES)
    for blind in ("blind24b", "blind25", "blind26"):
        if blind in families:
            raise SystemExit(f"{blind} is a blind split: never a family")
    embeddings = None
    if args.embeddings == "hash":  # the smoke test: no model
        from langgraph_memgpt.memory.testing import HashEmbeddings

        embeddings = HashEmbeddings()
    shared = LearnedDecider(embeddings, model={}, cache_size=1_000_000)
    data = features_by_family(shared, families, args.rounds)
    before = LearnedDecider(shared.embeddings, load_model(str(BEFORE)), cache_size=1_000_000)
    before._cache = shared._cache
    out: dict[str, Any] = {}
    for family in families:
        model = fit_without(data, family)
        decider = LearnedDecider(shared.embeddings, model, cache_size=1_000_000)
        decider._cache = shared._cache  # the same texts: embed once
        out[family] = {
            "pairs": decider_pairs(family, decider),
            "ours": quality(args, decider, [family], ["ours"])[family]["ours"],
            "thresholds": [model["supersede"]["threshold"], model["restate"]["threshold"]],
        }
        for name, other in (("rule", RuleDecider()), ("before", before)):
            out[family][name] = {
                "pairs": decider_pairs(family, other),
                "ours": quality(args, other, [family], ["ours"])[family]["ours"],
            }
        print(f"lofo {family}: {out[family]['ours']}", flush=True)
    return out


def _of(got: dict[str, Any], name: str) -> dict[str, Any]:
    return got if name == "learned" else got.get(name, {})


def verdict(lofo: dict[str, Any], goals: dict[str, tuple[str, float]]) -> dict[str, Any]:
    """Means over the families per decider, and whether the learned decider (left out) beats
    the rule decider on current fact first with wrong supersedes at the goal (the condition
    for making it the default)."""
    means: dict[str, dict[str, float]] = {}
    for name in COMPARED:
        rows = [_of(got, name)["ours"] for got in lofo.values() if _of(got, name)]
        if rows:
            means[name] = {m: round(sum(float(r[m]) for r in rows) / len(rows), 4) for m in goals}
    learned, rule = means.get("learned"), means.get("rule")
    beats = bool(
        learned
        and rule
        and learned["current_first"] > rule["current_first"]
        and learned["wrong_supersede"] <= goals["wrong_supersede"][1]
    )
    return {"means": means, "learned_beats_rule": beats}


def lofo_markdown(lofo: dict[str, Any], goals: dict[str, tuple[str, float]]) -> list[str]:
    lines = [
        "",
        "## Leave-one-family-out (learned decider fitted without the family it scores)",
        "",
    ]
    if any("rule" in got for got in lofo.values()):
        lines += _side_by_side(lofo, goals)
        lines += ["", "The learned decider left out, pairs and store:", ""]
    metrics = list(goals)
    header = ["family", *[f"{m} ({goals[m][0]} {goals[m][1]})" for m in metrics]]
    header += ["pairs: updates superseded", "near misses superseded", "restatements merged"]
    rows = []
    for family, got in lofo.items():
        ours, pairs = got["ours"], got["pairs"]
        rows.append(
            [
                family,
                *[ours[m] for m in metrics],
                pairs["update_superseded"],
                pairs["near_miss_superseded"],
                pairs["restatement_merged"],
            ]
        )
    n = len(rows)
    if n:
        rows.append(
            ["mean", *[round(sum(float(r[i]) for r in rows) / n, 4) for i in range(1, len(header))]]
        )
    lines.append(markdown_table(header, rows))
    return lines


def _side_by_side(lofo: dict[str, Any], goals: dict[str, tuple[str, float]]) -> list[str]:
    """Each metric of the store ("ours") for the rule decider, the v1 weights and the weights
    fitted without the family, on every family, and their means."""
    metrics = list(goals)
    header = ["family"]
    for m in metrics:
        header += [f"{m} ({goals[m][0]} {goals[m][1]}): {label}" for label in COMPARED.values()]
    rows = []
    for family, got in lofo.items():
        row: list[Any] = [family]
        for m in metrics:
            row += [_of(got, name).get("ours", {}).get(m, "n/a") for name in COMPARED]
        rows.append(row)
    judged = verdict(lofo, goals)
    mean_row: list[Any] = ["mean"]
    for m in metrics:
        mean_row += [judged["means"].get(name, {}).get(m, "n/a") for name in COMPARED]
    rows.append(mean_row)
    return [
        "Rule: `RuleDecider` (nothing fitted). Learned, v1 weights: the weights shipped before "
        "the training families (fitted on dev to blind24, so left out only on the `train_*` "
        "families). Learned, left out: fitted on all families but the one it scores.",
        "",
        markdown_table(header, rows),
        "",
        f"Learned (left out) beats the rule decider on current fact first with wrong supersede "
        f"<= {goals['wrong_supersede'][1]}: **{'yes' if judged['learned_beats_rule'] else 'no'}**.",
    ]
