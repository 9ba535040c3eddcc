"""Evidence recall@k of memory search on LoCoMo, through the public API, side by side.

Per conversation: a fresh ``Memory`` in a temporary directory (one user per conversation),
every question of categories 1-4 searched with its text, and evidence recall@k =
|evidence ∩ top-k dia_ids| / |evidence| averaged over questions (see ../shared/data/README.md).
Two paths, as a user calls them, with plain ``speaker: text`` turns (no enrichment by the
caller; the store adds neighbour and date context itself, see ``memory/search/indexing.py``):

* **archival**: ``insert_many`` of one record per turn (metadata: its ``dia_id`` and its session
  time as ``created_at``). Lexical, dense, RRF and min-max fusions are compared on the *same*
  candidate lists; the shipped ``search(mode="hybrid")`` must match the shipped fusion.
* **recall**: ``append_messages`` of the turns as messages (``additional_kwargs`` carry the
  session time), one thread per conversation, searched with ``recall.search`` (hybrid and
  lexical).

``--variants`` also runs hand-made renderings of a turn (date and neighbours in the text), as
earlier versions of this benchmark did before the store added that context itself.

    python bench/retrieval_locomo.py --data ../shared/data/locomo
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common_memory import REPO, RESULTS, machine, markdown_table, write_results  # noqa: E402
from _locomo_loco import PrimedMiniLM, leave_one_out, run_single, single_markdown  # noqa: E402

from langgraph_memgpt.memory import Memory  # noqa: E402
from langgraph_memgpt.memory.search.embeddings import LocalMiniLMEmbeddings  # noqa: E402
from langgraph_memgpt.memory.search.fusion import (  # noqa: E402
    convex,
    default_fusion,
    relevance_floor,
    rrf,
)

KS = (1, 5, 10, 25)
POOL = 100
USER = "locomo"

FUSIONS: dict[str, Callable[[Sequence[Sequence[tuple[int, float]]]], list[tuple[int, float]]]] = {
    "rrf k=60": lambda lists: rrf(lists, k=60),
    "rrf k=60, dense x2": lambda lists: rrf(lists, k=60, weights=[1.0, 2.0]),
    "rrf k=60, lexical x2": lambda lists: rrf(lists, k=60, weights=[2.0, 1.0]),
    "minmax convex 0.5": lambda lists: convex(lists, weights=[0.5, 0.5]),
    "minmax convex 0.6 lexical (shipped)": lambda lists: convex(lists, weights=[0.6, 0.4]),
}


# -- data ---------------------------------------------------------------------------------
def session_date(raw: str) -> datetime:
    """'1:56 pm on 8 May, 2023' -> datetime."""
    return datetime.strptime(raw.strip(), "%I:%M %p on %d %B, %Y")


def load(path: Path) -> dict[str, Any]:
    conv = json.loads(path.read_text())
    turns = []
    n = 1
    while f"session_{n}" in conv:
        when = session_date(conv[f"session_{n}_date_time"])
        for turn in conv[f"session_{n}"]:
            turns.append({**turn, "session": n, "when": when})
        n += 1
    questions = [q for q in conv["qa"] if q.get("category") in (1, 2, 3, 4)]
    return {"name": path.stem, "turns": turns, "questions": questions}


def evidence_ids(raw: Sequence[str]) -> list[str]:
    """Normalise the few malformed evidence ids ('D8:6; D9:17', 'D:11:26')."""
    out = []
    for item in raw:
        for part in re.split(r"[;,\s]+", item):
            part = part.replace("D:", "D")
            if re.fullmatch(r"D\d+:\d+", part):
                out.append(part)
    return out


# -- how a turn is written into a record --------------------------------------------------
def line(turn: dict[str, Any]) -> str:
    text = f"{turn['speaker']}: {turn['text']}"
    if turn.get("blip_caption"):
        text += f" [shares a photo: {turn['blip_caption']}]"
    return text


def date_label(turn: dict[str, Any]) -> str:
    return turn["when"].strftime("%-d %B %Y")


def render(
    turns: list[dict[str, Any]], i: int, *, date: bool, window: int, before_only: bool = False
) -> str:
    """Turn i, optionally prefixed with its session date and followed by neighbouring turns
    of the same session (the context a reader needs to resolve "it", "there", "that").
    ``before_only`` keeps just the preceding turns: what turn i replies to."""
    turn = turns[i]
    text = line(turn)
    if date:
        text = f"[{date_label(turn)}] {text}"
    if window:
        last = i if before_only else i + window
        same = [
            j
            for j in range(i - window, last + 1)
            if j != i and 0 <= j < len(turns) and turns[j]["session"] == turn["session"]
        ]
        if same:
            text += "\n(context: " + " | ".join(line(turns[j]) for j in same) + ")"
    return text


VARIANTS: dict[str, dict[str, Any]] = {
    "turn": {"date": False, "window": 0},  # plain "speaker: text": the public path
    "date+turn": {"date": True, "window": 0},
    "date+turn+previous1": {"date": True, "window": 1, "before_only": True},
    "date+turn+window1": {"date": True, "window": 1},
    "date+turn+window2": {"date": True, "window": 2},
}


# -- evaluation ---------------------------------------------------------------------------
def recall_at(ranked: list[str], evidence: list[str]) -> dict[int, float]:
    if not evidence:
        return dict.fromkeys(KS, 0.0)
    return {k: len(set(ranked[:k]) & set(evidence)) / len(evidence) for k in KS}


def run_variant(
    conv: dict[str, Any], variant: dict[str, Any], embedder: Any, qvecs: list[list[float]]
) -> dict[str, list[dict[int, float]]]:
    """Per ranker/fusion: the recall dicts of each question."""
    turns = conv["turns"]
    texts = [render(turns, i, **variant) for i in range(len(turns))]
    metadatas = [
        {
            "dia_id": t["dia_id"],
            "session": t["session"],
            "created_at": t["when"].isoformat(),
            "source": f"locomo/{conv['name']}",
        }
        for t in turns
    ]
    scores: dict[str, list[dict[int, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp, Memory.open(tmp, embeddings=embedder) as mem:
        mem.archival.insert_many(texts, user_id=USER, metadatas=metadatas)
        for q, qvec in zip(conv["questions"], qvecs, strict=True):
            evidence = evidence_ids(q["evidence"])
            lists = mem.archival.candidates(
                q["question"], user_id=USER, pool=POOL, query_vector=qvec
            )
            ids = {
                rid: hit.metadata["dia_id"]
                for ranking in lists.values()
                for rid, hit in zip(
                    [r for r, _ in ranking],
                    mem.archival.resolve(ranking, user_id=USER),
                    strict=True,
                )
            }
            rankings = {"lexical": lists["lexical"], "dense": lists["dense"]}
            for name, fuse in FUSIONS.items():
                rankings[f"hybrid: {name}"] = fuse([lists["lexical"], lists["dense"]])
            for name, ranking in rankings.items():
                dia = [ids[rid] for rid, _ in ranking]
                scores.setdefault(name, []).append(recall_at(dia, evidence))
            shipped = mem.archival.search(
                q["question"], user_id=USER, k=25, query_vector=qvec, mode="hybrid"
            )
            fused = mem.archival.fuse(
                q["question"], [lists["lexical"], lists["dense"]], user_id=USER
            )
            kept = relevance_floor(fused, lists["lexical"], lists["dense"])
            expected = [ids[rid] for rid, _ in kept]
            rankings["hybrid: shipped fusion without speaker boost"] = default_fusion(
                [lists["lexical"], lists["dense"]]
            )
            scores.setdefault("hybrid: shipped fusion without speaker boost", []).append(
                recall_at(
                    [
                        ids[rid]
                        for rid, _ in rankings.pop("hybrid: shipped fusion without speaker boost")
                    ],
                    evidence,
                )
            )
            assert [h.metadata["dia_id"] for h in shipped] == expected[:25]
            scores.setdefault("shipped hybrid", []).append(
                recall_at([h.metadata["dia_id"] for h in shipped], evidence)
            )
    return scores


def run_recall(conv: dict[str, Any], embedder: Any) -> dict[str, list[dict[int, float]]]:
    """The recall path: turns appended as messages of one thread, searched by question."""
    from langchain_core.messages import HumanMessage

    messages = [
        HumanMessage(
            content=line(t),
            id=t["dia_id"],
            additional_kwargs={"created_at": t["when"].isoformat()},
        )
        for t in conv["turns"]
    ]
    scores: dict[str, list[dict[int, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp, Memory.open(tmp, embeddings=embedder) as mem:
        for start in range(0, len(messages), 2):  # as a conversation arrives: a turn at a time
            mem.recall.append_messages(
                messages[start : start + 2], user_id=USER, thread_id=f"locomo-{conv['name']}"
            )
        for q in conv["questions"]:
            evidence = evidence_ids(q["evidence"])
            for mode in ("hybrid", "lexical"):
                hits = mem.recall.search(q["question"], user_id=USER, k=25, mode=mode)
                scores.setdefault(f"recall {mode}", []).append(
                    recall_at([h.id for h in hits], evidence)
                )
    return scores


def mean(rows: list[dict[int, float]]) -> dict[int, float]:
    return {k: sum(r[k] for r in rows) / len(rows) for k in KS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=REPO / ".." / "shared" / "data" / "locomo")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--variants", default="turn", help=f"comma-separated: {','.join(VARIANTS)}")
    parser.add_argument("--limit", type=int, default=0, help="only the first N conversations")
    parser.add_argument("--name", default="retrieval_locomo", help="results file name")
    parser.add_argument(
        "--paths",
        default="recall,batch,single",
        help="recall (append_messages), batch (one insert_many), single (one insert per turn)",
    )
    args = parser.parse_args(argv)
    data = args.data if args.data.is_absolute() else (REPO / args.data)
    files = sorted(data.glob("*.json"))[: args.limit or None]
    if not files:
        print(f"no LoCoMo *.json files in {data}", file=sys.stderr)
        return 2
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    embedder = LocalMiniLMEmbeddings()
    primed = PrimedMiniLM()
    paths = {p.strip() for p in args.paths.split(",")}
    variants = (
        [v.strip() for v in args.variants.split(",") if v.strip()] if "batch" in paths else []
    )
    single: dict[str, dict[str, list[dict[int, float]]]] = {}
    started = time.perf_counter()
    per_variant: dict[str, dict[str, list[dict[int, float]]]] = {v: {} for v in variants}
    categories: dict[str, list[int]] = {v: [] for v in variants}
    recall_scores: dict[str, list[dict[int, float]]] = {}
    per_conversation: dict[str, dict[str, float]] = {}
    for path in files:
        conv = load(path)
        qvecs = embedder.embed_documents([q["question"] for q in conv["questions"]])
        t0 = time.perf_counter()
        per_conversation[conv["name"]] = {}
        if "recall" in paths:
            scores = run_recall(conv, embedder)
            for ranker, rows in scores.items():
                recall_scores.setdefault(ranker, []).extend(rows)
            per_conversation[conv["name"]]["recall hybrid"] = mean(scores["recall hybrid"])[10]
            print(f"  {conv['name']}: recall path {time.perf_counter() - t0:.1f}s", flush=True)
        if "single" in paths:
            t0 = time.perf_counter()
            single[conv["name"]] = run_single(conv, primed, qvecs, line, evidence_ids, recall_at)
            per_conversation[conv["name"]]["archival, one insert per turn"] = mean(
                single[conv["name"]]["archival hybrid, one insert per turn"]
            )[10]
            print(
                f"  {conv['name']}: one insert per turn {time.perf_counter() - t0:.1f}s", flush=True
            )
        for name in variants:
            t0 = time.perf_counter()
            scores = run_variant(conv, VARIANTS[name], embedder, qvecs)
            for ranker, rows in scores.items():
                per_variant[name].setdefault(ranker, []).extend(rows)
            if name == "turn":
                per_conversation[conv["name"]]["archival hybrid"] = mean(scores["shipped hybrid"])[
                    10
                ]
            categories[name].extend(q["category"] for q in conv["questions"])
            print(
                f"  {conv['name']}: {len(conv['turns'])} turns, {len(conv['questions'])} "
                f"questions, variant {name}: {time.perf_counter() - t0:.1f}s",
                flush=True,
            )
    elapsed = time.perf_counter() - started

    recall_table = {ranker: mean(rows) for ranker, rows in recall_scores.items()}
    single_table = {
        ranker: mean([row for scores in single.values() for row in scores[ranker]])
        for ranker in next(iter(single.values()), {})
    }
    loco = leave_one_out(single) if len(single) > 1 else {}
    results: dict[str, Any] = {
        "variants": {},
        "recall_path": {r: {f"R@{k}": v for k, v in m.items()} for r, m in recall_table.items()},
        "per_conversation_R@10": per_conversation,
        "archival_one_insert_per_turn": {
            r: {f"R@{k}": v for k, v in m.items()} for r, m in single_table.items()
        },
        "leave_one_conversation_out": loco,
        "machine": machine(),
        "seconds": elapsed,
    }
    n_questions = sum(len(load(path)["questions"]) for path in files)
    md = [
        "# LoCoMo evidence recall through the public API",
        "",
        f"{len(files)} conversations, {n_questions} questions (categories 1-4); candidates: top "
        f"{POOL} of each ranker; dense = all-MiniLM-L6-v2 + FAISS; lexical = the per-tenant "
        "BM25 index (Snowball stems, OR of non-stopword terms); records and messages are plain "
        "`speaker: text` turns. Generated by `python bench/retrieval_locomo.py`.",
        "",
        "## recall path (`append_messages`, `recall.search`)",
        "",
        markdown_table(
            ["search", *[f"R@{k}" for k in KS]],
            [[ranker, *[m[k] for k in KS]] for ranker, m in recall_table.items()],
        ),
        "",
        *single_markdown(single_table, loco, KS),
        "## R@10 per conversation (shipped hybrid)",
        "",
        markdown_table(
            ["conversation", "archival (batch)", "archival (one insert per turn)", "recall"],
            [
                [
                    name,
                    row.get("archival hybrid", "-"),
                    row.get("archival, one insert per turn", "-"),
                    row.get("recall hybrid", "-"),
                ]
                for name, row in per_conversation.items()
            ],
        ),
        "",
        "## archival path (`insert_many`, `archival.search`): rankers and fusions",
        "",
    ]
    for name in variants:
        table = {ranker: mean(rows) for ranker, rows in per_variant[name].items()}
        best_single = max(table["lexical"][10], table["dense"][10])
        results["variants"][name] = {
            "settings": VARIANTS[name],
            "recall": {r: {f"R@{k}": v for k, v in m.items()} for r, m in table.items()},
            "by_category": {
                ranker: {
                    str(c): mean(
                        [row for row, cat in zip(rows, categories[name], strict=True) if cat == c]
                    )
                    for c in (1, 2, 3, 4)
                }
                for ranker, rows in per_variant[name].items()
                if ranker in ("lexical", "dense", "shipped hybrid")
            },
        }
        rows = [
            [ranker, *[m[k] for k in KS], f"{m[10] / best_single:.3f}" if best_single else "-"]
            for ranker, m in table.items()
        ]
        header = ["ranker", *[f"R@{k}" for k in KS], "R@10 / best single"]
        text = f"### variant `{name}` ({VARIANTS[name]})\n\n" + markdown_table(header, rows)
        md += [text, ""]
        print("\n" + text)
    md.append(f"Total time {elapsed:.0f}s on {os.cpu_count()} CPUs.")
    write_results(args.name, results, "\n".join(md), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
