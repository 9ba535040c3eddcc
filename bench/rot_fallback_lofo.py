"""Leave-one-family-out for the fallback claim reader (issue 24): its margin, and what it does.

The fallback reader (``memory/hygiene/fallback_reader.py``) proposes a claim for a sentence no
frame reads, against a read older claim, when the masked sentence is closer to the older
claim's slot than to every other group of exemplars by a margin. That margin is the one number
fitted, here, per family left out: on the pairs of the other families (every fact against every
older fact of its user, ``_update_pairs.pairs``), the smallest margin on a grid at which the
pairs that are no update and would be superseded stay within ``--false-rate`` of those
families' pairs. The family left out is then played through the store ("ours": insert,
consolidate every 5 facts, search) with ``RuleDecider`` alone and with the fallback at that
margin, side by side, and scored on its decider-alone pairs. Blind splits are never families.

    python bench/rot_fallback_lofo.py --rounds 1 --name memory_rot_fallback_lofo
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common_memory import RESULTS, machine, markdown_table, write_results  # noqa: E402
from _update_pairs import FAMILIES, pairs  # noqa: E402
from memory_rot import GOALS, decider_pairs, quality  # noqa: E402

from langgraph_memgpt.memory.hygiene.fallback_reader import FallbackReader  # noqa: E402
from langgraph_memgpt.memory.hygiene.supersede import RuleDecider  # noqa: E402
from langgraph_memgpt.memory.text.claims import parse_claim, restates_unread  # noqa: E402

GRID = [round(0.01 * i, 2) for i in range(0, 41)]


def margins(
    reader: FallbackReader, family: str, rounds: int
) -> tuple[list[tuple[str, float]], int]:
    """(label, margin) of the family's pairs the fallback would judge, and the pair count."""
    rows = pairs(family, rounds=rounds)
    out = []
    for new, old, label in rows:
        if parse_claim(new) is not None:
            continue
        claim = parse_claim(old)
        if claim is None or restates_unread(new, claim):
            continue
        margin = reader.margin_of(new, old, claim)
        if margin is not None:
            out.append((label, margin))
    return out, len(rows)


def fit_margin(
    data: dict[str, tuple[list[tuple[str, float]], int]], left_out: str, rate: float
) -> float:
    """The smallest margin of the grid whose false supersedes on the other families' pairs
    stay within ``rate`` of their pairs."""
    kept = [f for f in data if f != left_out]
    allowed = rate * sum(data[f][1] for f in kept)
    judged = [row for f in kept for row in data[f][0]]
    for margin in GRID:
        if sum(label != "supersede" and m >= margin for label, m in judged) <= allowed:
            return margin
    return GRID[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--false-rate", type=float, default=0.0001)
    parser.add_argument("--embeddings", default="local", help="local | hash (smoke test)")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--every", type=int, default=5)
    parser.add_argument("--name", default="memory_rot_fallback_lofo")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    families = [f for f in args.families.split(",") if f]
    for family in families:
        if family not in FAMILIES:  # blind24b, blind25, blind26 and any later blind split
            raise SystemExit(f"{family} is a blind split or no split: never a family")
    embeddings = None
    if args.embeddings == "hash":  # the smoke test: no model
        from langgraph_memgpt.memory.testing import HashEmbeddings

        embeddings = HashEmbeddings()
    reader = FallbackReader(embeddings)
    data = {f: margins(reader, f, args.rounds) for f in families}
    out: dict[str, Any] = {}
    for family in families:
        margin = fit_margin(data, family, args.false_rate)
        fallback = RuleDecider(similarity=FallbackReader(reader.embeddings, margin=margin))
        fallback.similarity._cache = reader._cache  # type: ignore[union-attr]
        out[family] = {"margin": margin}
        for name, decider in (("rule", RuleDecider()), ("fallback", fallback)):
            out[family][name] = {
                "ours": quality(args, decider, [family], ["ours"])[family]["ours"],
                "pairs": decider_pairs(family, decider),
            }
        print(
            family,
            margin,
            {n: out[family][n]["ours"]["current_first"] for n in ("rule", "fallback")},
            flush=True,
        )
    means = {
        name: {
            m: round(statistics.mean(float(out[f][name]["ours"][m]) for f in out), 4) for m in GOALS
        }
        for name in ("rule", "fallback")
    }
    payload = {
        "rounds": args.rounds,
        "false_rate": args.false_rate,
        "lofo": out,
        "means": means,
        "machine": machine(),
    }
    write_results(args.name, payload, markdown(payload), args.out)
    print(markdown(payload))
    return 0


def markdown(payload: dict[str, Any]) -> str:
    header = ["family", "margin"]
    for m in GOALS:
        header += [f"{m}: rule", f"{m}: + fallback"]
    header += [
        "pairs, updates superseded: rule",
        "+ fallback",
        "near misses superseded: rule",
        "+ fallback",
    ]
    rows = []
    for family, got in payload["lofo"].items():
        row: list[Any] = [family, got["margin"]]
        for m in GOALS:
            row += [got["rule"]["ours"][m], got["fallback"]["ours"][m]]
        for metric in ("update_superseded", "near_miss_superseded"):
            row += [got["rule"]["pairs"][metric], got["fallback"]["pairs"][metric]]
        rows.append(row)
    mean: list[Any] = ["mean", ""]
    for m in GOALS:
        mean += [payload["means"]["rule"][m], payload["means"]["fallback"][m]]
    rows.append(mean + [""] * 4)
    return "\n".join(
        [
            "# Memory rot: the fallback claim reader, leave-one-family-out",
            "",
            f"Local embeddings, rule decider with and without the fallback reader; the margin "
            f"fitted on the other families' pairs (false supersedes at most "
            f"{payload['false_rate']} of their pairs); {payload['rounds']} round(s); top-5 hits, "
            "consolidation every 5 facts.",
            "",
            markdown_table(header, rows),
        ]
    )


if __name__ == "__main__":
    raise SystemExit(main())
