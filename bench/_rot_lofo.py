"""Leave-one-family-out for the learned update decider (``memory_rot.py --lofo``).

For each family (a dev split of the suite), the decider's weights are fitted on the pairs of
all the other families (``_update_pairs.py``, as ``update_train.py`` fits the shipped ones) and
the family left out is scored: its decider-alone pairs and the whole store ("ours": insert,
consolidate, search). The blind split is never among the families.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from _common_memory import markdown_table
from _update_pairs import FAMILIES, features_by_family, fit_without

from langgraph_memgpt.memory.hygiene.learned_decider import LearnedDecider


def leave_one_family_out(
    args: argparse.Namespace,
    quality: Callable[..., dict[str, Any]],
    decider_pairs: Callable[..., dict[str, Any]],
) -> dict[str, Any]:
    families = [f for f in args.lofo_families.split(",") if f] or list(FAMILIES)
    for blind in ("blind24b", "blind25"):
        if blind in families:
            raise SystemExit(f"{blind} is a blind split: never a family")
    embeddings = None
    if args.embeddings == "hash":  # the smoke test: no model
        from langgraph_memgpt.memory.testing import HashEmbeddings

        embeddings = HashEmbeddings()
    shared = LearnedDecider(embeddings, model={}, cache_size=1_000_000)
    data = features_by_family(shared, families, args.rounds)
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
        print(f"lofo {family}: {out[family]['ours']}", flush=True)
    return out


def lofo_markdown(lofo: dict[str, Any], goals: dict[str, tuple[str, float]]) -> list[str]:
    lines = [
        "",
        "## Leave-one-family-out (learned decider fitted without the family it scores)",
        "",
    ]
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
