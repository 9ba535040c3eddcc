"""Memory rot: stale facts, duplicates and wrong supersedes, ours vs the plain archival store.

Plays the suite of ``_rot_suite.py`` (updates, near misses and restatements in many phrasings,
``dev``, ``heldout``, ``fresh`` and ``unseen`` splits) into archival memory the way an agent
writes it, one fact at a time, with consolidation every ``--every`` facts, then asks each
scenario's question through ``archival.search`` (top ``--k``) and scores:

* **current fact first** (updates): the newest value is the top hit;
* **stale visible** (updates): an older value is among the hits;
* **wrong supersede** (near misses): the first fact, or the near miss, got superseded;
* **restatement shown twice**: the fact and its restatement are both among the hits;
* **current over stale** (updates): the current version is among the hits and no older version
  ranks above it (the fact-vs-correction comparison, apart from how well the retriever tells
  one person's facts from another's, which top-1 also measures);
* **current visible** (all): the current fact is among the hits (never lost).

The baseline is the same store as it was before supersede and de-duplication: every fact
stored (``dedupe=False``), nothing consolidated, every record searchable.

The decider is also scored alone, on every phrasing as a (first fact, later fact) pair with no
retrieval, against the patterns-only rule decider (the reader before the cue lexicons).

The last part measures the agent's turn latency (offline driver, wall time of each
``invoke``) with consolidation off, every 5 turns (the default) and every turn, the three
agents taking turns so machine noise hits them alike; consolidation's own time is reported
separately, as it runs on a background thread after the answer.

    python bench/memory_rot.py                    # local MiniLM embeddings, both parts
    python bench/memory_rot.py --embeddings hash  # no model (fast, for smoke tests)
    python bench/memory_rot.py --decider model    # a real model decides (needs OPENAI_API_KEY)
    python bench/memory_rot.py --decider rule+similarity  # rules plus masked similarity
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import _rot_suite as suite  # noqa: E402
from _common_memory import RESULTS, machine, markdown_table, write_results  # noqa: E402
from _rot_suite import SPLITS, User, build, timeline  # noqa: E402

from langgraph_memgpt.memory import Memory, consolidate  # noqa: E402
from langgraph_memgpt.memory.hygiene.supersede import Decider, ModelDecider, RuleDecider  # noqa: E402
from langgraph_memgpt.memory.text.claims import parse_by_patterns  # noqa: E402

GOALS = {
    "current_first": (">=", 0.95),
    "stale_visible": ("<=", 0.05),
    "wrong_supersede": ("<=", 0.01),
    "restated_twice": ("<=", 0.05),
}
START = datetime(2026, 1, 1, tzinfo=UTC)


def _embeddings(name: str) -> Any:
    if name == "hash":
        from langgraph_memgpt.memory.testing import HashEmbeddings

        return HashEmbeddings()
    return name


def play(memory: Memory, user: User, *, ours: bool, every: int, decider: Decider | None) -> float:
    """Tell the user's facts in order; returns the seconds spent consolidating (``every=0``:
    never consolidated, as the store is between an update and the next consolidation)."""
    spent = 0.0
    for i, (scenario, step) in enumerate(timeline(user)):
        rid = memory.archival.insert(
            scenario.facts[step],
            user_id=user.user_id,
            metadata={"created_at": (START + timedelta(minutes=i)).isoformat(), "turn": i},
            dedupe=ours,
        )
        scenario.record_ids.append(rid)
        if ours and every and (i + 1) % every == 0:
            started = time.perf_counter()
            consolidate(memory, user_id=user.user_id, decider=decider)
            spent += time.perf_counter() - started
    if ours and every:
        started = time.perf_counter()
        consolidate(memory, user_id=user.user_id, decider=decider)
        spent += time.perf_counter() - started
    return spent


def score(memory: Memory, user: User, k: int) -> list[dict[str, Any]]:
    rows = []
    for sc in user.scenarios:
        hits = memory.archival.search(sc.question, user_id=user.user_id, k=k)
        ids = [hit.id for hit in hits]
        row: dict[str, Any] = {"kind": sc.kind, "slot": sc.slot, "template": sc.template}
        first, last = sc.record_ids[0], sc.record_ids[-1]
        if sc.kind == "update":
            stale = set(sc.record_ids[:-1]) - {last}
            row["current_first"] = bool(ids) and ids[0] == last
            row["stale_visible"] = bool(stale & set(ids))
            row["current_visible"] = last in ids
            # The comparison of a fact with its correction: the current version is
            # found and no older version of the same fact ranks above it.
            row["current_over_stale"] = last in ids and not stale & set(ids[: ids.index(last)])
        elif sc.kind == "near_miss":
            superseded = [
                bool(memory.archival.get(rid, user_id=user.user_id).metadata.get("superseded_at"))
                for rid in (first, last)
            ]
            row["wrong_supersede"] = any(superseded)
            row["current_visible"] = first in ids
        else:
            row["restated_twice"] = first != last and first in ids and last in ids
            row["current_visible"] = first in ids or last in ids
        rows.append(row)
    return rows


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for metric in (*GOALS, "current_over_stale", "current_visible"):
        values = [row[metric] for row in rows if metric in row]
        out[metric] = round(sum(values) / len(values), 4) if values else None
        out[f"{metric}_n"] = len(values)
    return out


def failures(rows: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Which phrasings failed which metric (for the README and for honest tuning)."""
    bad: dict[str, dict[str, int]] = {}
    for row in rows:
        for metric, (direction, _) in GOALS.items():
            if metric not in row:
                continue
            failed = not row[metric] if direction == ">=" else row[metric]
            if failed:
                bad.setdefault(metric, {})
                bad[metric][row["template"]] = bad[metric].get(row["template"], 0) + 1
    return bad


SYSTEMS = ("baseline", "ours_no_focus", "ours_unconsolidated", "ours")


def quality(
    args: argparse.Namespace,
    decider: Decider | None,
    splits: Sequence[str] | None = None,
    systems: Sequence[str] = SYSTEMS,
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for split in args.splits if splits is None else splits:
        results[split] = {}
        for system in systems:
            users = build(split, rounds=args.rounds)
            with tempfile.TemporaryDirectory() as tmp:
                memory = Memory.open(Path(tmp) / "m", embeddings=_embeddings(args.embeddings))
                memory.archival.subject_focus = system in ("ours", "ours_unconsolidated")
                try:
                    rows: list[dict[str, Any]] = []
                    spent = 0.0
                    for user in users:
                        spent += play(
                            memory,
                            user,
                            ours=system != "baseline",
                            every=0 if system == "ours_unconsolidated" else args.every,
                            decider=decider,
                        )
                        rows.extend(score(memory, user, args.k))
                finally:
                    memory.close()
            summary = summarise(rows)
            summary["scenarios"] = len(rows)
            summary["consolidation_s"] = round(spent, 3)
            if system == "ours":
                summary["failures"] = failures(rows)
            results[split][system] = summary
    return results


# -- the decider alone, on pairs --------------------------------------------------------------
def decider_pairs(split: str, decider: Decider, people: int = 3) -> dict[str, Any]:
    """Every phrasing of a split as a pair (first fact, later fact) straight to the decider, no
    retrieval: the share of updates it supersedes, of near misses it wrongly supersedes, and of
    restatements it merges. Separates reading the phrasing from ranking the hits."""
    tables = {
        "update": suite.UPDATES[split],
        "near_miss": suite.NEAR_MISSES[split],
        "restatement": suite.RESTATEMENTS[split],
    }
    counts: dict[str, list[int]] = {"update": [], "near_miss": [], "restatement": []}
    for person_i, person in enumerate(suite.PEOPLE[split][:people]):
        other = suite.OTHERS[split][person_i % len(suite.OTHERS[split])]
        for kind, table in tables.items():
            for slot, templates in table.items():
                spec = suite.slots(split)[slot]
                values = list(spec["values"])  # type: ignore[call-overload]
                for t, template in enumerate(templates):
                    old_v = values[(person_i + t) % len(values)]
                    new_v = values[(person_i + t + 1) % len(values)]
                    first = str(spec["first"]).format(n=person, v=old_v)
                    later = template.format(
                        n=person, v=old_v if kind == "restatement" else new_v, o=other
                    )
                    ops = {p.op for p in decider.decide(later, [first])}
                    wanted = "noop" if kind == "restatement" else "supersede"
                    counts[kind].append(int(wanted in ops))
    return {
        "update_superseded": round(statistics.mean(counts["update"]), 4),
        "near_miss_superseded": round(statistics.mean(counts["near_miss"]), 4),
        "restatement_merged": round(statistics.mean(counts["restatement"]), 4),
        "n": {kind: len(v) for kind, v in counts.items()},
    }


def deciders(decider: Decider | None, splits: Sequence[str] = SPLITS) -> dict[str, Any]:
    """The pair scores of the patterns-only rule decider (the reader before the cue lexicons)
    and of the decider measured (patterns, then cues, by default)."""
    out: dict[str, Any] = {}
    for split in splits:
        out[split] = {
            "patterns_only": decider_pairs(split, RuleDecider(reader=parse_by_patterns)),
            "ours": decider_pairs(split, decider or RuleDecider()),
        }
    return out


# -- latency -----------------------------------------------------------------------------------
def conversation(turns: int) -> list[str]:
    """A user talking about people: facts, updates, near misses and questions."""
    users = build("dev")
    said: list[str] = []
    for user in users:
        for scenario, step in timeline(user):
            said.append(scenario.facts[step])
            if step:
                said.append(scenario.question)
    return said[:turns]


def latency(args: argparse.Namespace) -> dict[str, Any]:
    from langgraph_memgpt import create_memgpt_agent
    from langgraph_memgpt.configuration import MemGPTConfig
    from langgraph_memgpt.models import OfflineDriver

    variants = {"off": 0, "every_5": 5, "every_1": 1}
    texts = conversation(args.turns)
    times: dict[str, list[float]] = {name: [] for name in variants}
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        memories = {
            name: Memory.open(Path(tmp) / name, embeddings=_embeddings(args.embeddings))
            for name in variants
        }
        graphs = {
            name: create_memgpt_agent(
                OfflineDriver(),
                memory=memories[name],
                checkpointer=None,
                config=MemGPTConfig(consolidate_every=every),
            )
            for name, every in variants.items()
        }
        config = {"configurable": {"thread_id": "t", "user_id": "u"}}
        try:
            for i, text in enumerate(texts):
                order = list(variants) if i % 2 == 0 else list(reversed(variants))
                for name in order:
                    started = time.perf_counter()
                    graphs[name].invoke({"messages": [("user", text)]}, config)
                    times[name].append(time.perf_counter() - started)
            for name in variants:
                consolidator = graphs[name].consolidator  # type: ignore[attr-defined]
                if consolidator is not None:
                    # Turns back to back never pause, so the consolidator has waited: what it
                    # does in a user's pauses is run here, after the timed turns, and timed.
                    started = time.perf_counter()
                    consolidator.wait()
                    report[f"{name}_after_turns_ms"] = round(
                        1000 * (time.perf_counter() - started), 2
                    )
                    report[f"{name}_consolidations"] = consolidator.runs
                report[f"{name}_superseded"] = memories[name].archival.count_superseded(user_id="u")
        finally:
            for memory in memories.values():
                memory.close()
    skip = min(3, len(texts) // 4)  # model loading and first-open costs
    for name in variants:
        kept = times[name][skip:]
        report[f"{name}_median_ms"] = round(1000 * statistics.median(kept), 2)
        report[f"{name}_p90_ms"] = round(1000 * sorted(kept)[int(0.9 * (len(kept) - 1))], 2)
    for name in ("every_5", "every_1"):
        report[f"{name}_vs_off"] = round(report[f"{name}_median_ms"] / report["off_median_ms"], 3)
    report["turns"] = len(texts)
    return report


def markdown(payload: dict[str, Any]) -> str:
    lines = [
        "# Memory rot: current facts, stale facts, wrong supersedes, duplicates",
        "",
        f"Embeddings: {payload['embeddings']}; decider: {payload['decider']}; top-{payload['k']} "
        f"hits; consolidation every {payload['every']} facts. Baseline: the archival store "
        "without supersede or de-duplication (every fact stored, all searchable). 'No subject "
        "ranking': ours with `archival.subject_focus = False` (supersede and de-duplication, "
        "ranking as before subject-aware ranking). 'Not yet consolidated': ours with no "
        "consolidation run at all, as the store is right after an update (only equal texts "
        "de-duplicated, nothing superseded; the newer of two disagreeing facts ranks first).",
        "",
    ]
    header = [
        "split",
        "metric",
        "goal",
        "baseline",
        "ours, no subject ranking",
        "ours, not yet consolidated",
        "ours",
        "met",
    ]
    rows: list[list[Any]] = []
    for split, systems in payload["quality"].items():
        ours = systems["ours"]
        base = systems.get("baseline", {})
        extra = {"current_over_stale": (">=", 0.95), "current_visible": (">=", 1.0)}
        for metric, (direction, goal) in {**GOALS, **extra}.items():
            value = ours[metric]
            met = value >= goal if direction == ">=" else value <= goal
            rows.append(
                [
                    split,
                    f"{metric} (n={ours[metric + '_n']})",
                    f"{direction} {goal}",
                    base.get(metric, "n/a"),
                    systems.get("ours_no_focus", {}).get(metric, "n/a"),
                    systems.get("ours_unconsolidated", {}).get(metric, "n/a"),
                    value,
                    "yes" if met else "no",
                ]
            )
    lines.append(markdown_table(header, rows))
    pairs = payload.get("deciders")
    if pairs:
        lines += [
            "",
            "## The decider alone (pairs of first and later fact, no retrieval)",
            "",
            "Patterns only: the rule decider reading with the fixed patterns alone (the reader "
            "before the cue reader, with today's attribute-name folding). Goals as above: updates superseded >= 0.95, near misses "
            "superseded <= 0.01, restatements merged >= 0.95.",
            "",
        ]
        rows = []
        for split, both in pairs.items():
            for metric in ("update_superseded", "near_miss_superseded", "restatement_merged"):
                kind = metric.split("_superseded")[0].split("_merged")[0]
                rows.append(
                    [
                        split,
                        f"{metric} (n={both['ours']['n'][kind]})",
                        both["patterns_only"][metric],
                        both["ours"][metric],
                    ]
                )
        lines.append(markdown_table(["split", "metric", "patterns only", "ours"], rows))
    lat = payload.get("latency")
    if lat:
        lines += [
            "",
            f"## Turn latency (offline driver, {lat['turns']} turns, median of wall time per turn)",
            "",
            markdown_table(
                [
                    "consolidation",
                    "median ms",
                    "p90 ms",
                    "vs off",
                    "runs",
                    "superseded",
                    "run after the turns (ms)",
                ],
                [
                    [
                        "off",
                        lat["off_median_ms"],
                        lat["off_p90_ms"],
                        1.0,
                        0,
                        lat["off_superseded"],
                        0,
                    ],
                    *[
                        [
                            name.replace("_", " "),
                            lat[f"{name}_median_ms"],
                            lat[f"{name}_p90_ms"],
                            lat[f"{name}_vs_off"],
                            lat[f"{name}_consolidations"],
                            lat[f"{name}_superseded"],
                            lat.get(f"{name}_after_turns_ms", "n/a"),
                        ]
                        for name in ("every_5", "every_1")
                    ],
                ],
            ),
        ]
    if payload.get("lofo"):
        from _rot_lofo import lofo_markdown

        lines += lofo_markdown(payload["lofo"], GOALS)
    if payload.get("failures_omitted"):
        return "\n".join([*lines, "", payload["failures_omitted"]])
    lines += ["", "## Phrasings that failed (ours)", ""]
    for split, systems in payload["quality"].items():
        for metric, templates in systems["ours"]["failures"].items():
            listed = "; ".join(f"`{t}` x{n}" for t, n in sorted(templates.items()))
            lines.append(f"- {split}, {metric}: {listed}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embeddings", default="local", help="local | hash | openai | none")
    parser.add_argument(
        "--decider",
        choices=("rule", "rule+similarity", "rule+fallback", "learned", "model"),
        default="rule",
        help="rule+similarity: the rule decider with the masked-similarity signal (local "
        "MiniLM); rule+fallback: with the fallback claim reader (local MiniLM); learned: the learned decider with its shipped weights",
    )
    parser.add_argument(
        "--lofo",
        action="store_true",
        help="leave-one-family-out: fit the learned decider on all families but one and score "
        "the one left out (pairs and ours), for each family in turn, beside the rule decider "
        "and the v1 weights",
    )
    parser.add_argument(
        "--lofo-families", default="", help="the families of --lofo (default: all dev splits)"
    )
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--every", type=int, default=5, help="consolidate every N facts")
    parser.add_argument("--rounds", type=int, default=2, help="suite repetitions (new values)")
    parser.add_argument("--turns", type=int, default=60, help="turns of the latency part")
    parser.add_argument("--no-latency", action="store_true")
    parser.add_argument("--splits", default=",".join(SPLITS), help="comma-separated splits")
    parser.add_argument("--name", default="memory_rot", help="results file name")
    parser.add_argument(
        "--systems", default=",".join(SYSTEMS), help="comma-separated systems to score"
    )
    parser.add_argument(
        "--no-pairs", action="store_true", help="skip the decider-alone table of the splits"
    )
    parser.add_argument(
        "--no-misses",
        action="store_true",
        help="print and write aggregate figures only, never the phrasings that failed: a blind "
        "split's run, so running it does not turn it into a dev split",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    args.splits = [s for s in args.splits.split(",") if s]
    decider: Decider | None = RuleDecider()
    if args.decider == "model":
        from langgraph_memgpt.configuration import chat_model_from_settings

        model, what = chat_model_from_settings()
        print(f"decider model: {what}")
        decider = ModelDecider(model)
    elif args.decider == "rule+similarity":
        from langgraph_memgpt.memory.hygiene.slot_similarity import SlotSimilarity
        from langgraph_memgpt.memory.search.embeddings import LocalMiniLMEmbeddings

        decider = RuleDecider(similarity=SlotSimilarity(LocalMiniLMEmbeddings()))
    elif args.decider == "rule+fallback":
        from langgraph_memgpt.memory.hygiene.fallback_reader import FallbackReader

        decider = RuleDecider(similarity=FallbackReader())
    elif args.decider == "learned":
        from langgraph_memgpt.memory.hygiene.learned_decider import LearnedDecider

        decider = LearnedDecider()
    payload: dict[str, Any] = {
        "embeddings": args.embeddings,
        "decider": args.decider,
        "k": args.k,
        "every": args.every,
        "rounds": args.rounds,
        "goals": {metric: list(goal) for metric, goal in GOALS.items()},
        "deciders": {} if args.no_pairs else deciders(decider, args.splits),
        "quality": quality(args, decider, systems=args.systems.split(",")),
        "machine": machine(),
    }
    if args.lofo:
        from _rot_lofo import leave_one_family_out, verdict

        payload["lofo"] = leave_one_family_out(args, quality, decider_pairs)
        payload["lofo_verdict"] = verdict(payload["lofo"], GOALS)
    if not args.no_latency:
        payload["latency"] = latency(args)
    if args.no_misses:
        for systems in payload["quality"].values():
            systems["ours"].pop("failures", None)
        payload["failures_omitted"] = "--no-misses: the phrasings that failed were not kept"
    text = markdown(payload)
    print(text)
    write_results(args.name, payload, text, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
