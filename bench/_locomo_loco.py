"""The archival path as an agent writes it, and leave-one-conversation-out tuning of fusion.

``retrieval_locomo.py``'s batch path stores a whole conversation in one ``insert_many``. An
agent (or an importer that streams) stores one turn per call instead, each with its citation
(``thread_id``, ``turn``, ``created_at``): that is the path measured here, through the public
API, with no enrichment by the caller.

Fusion weights are tuned by leave-one-conversation-out: for each conversation, the lexical
weight of the min-max fusion that scores best on the *other* conversations is applied to it,
and the figure reported is the mean over those held-out conversations (never the tuned one).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from typing import Any

from _common_memory import markdown_table

from langgraph_memgpt.memory import Memory
from langgraph_memgpt.memory.search.embeddings import LocalMiniLMEmbeddings
from langgraph_memgpt.memory.search.fusion import LEXICAL_WEIGHT, convex, relevance_floor
from langgraph_memgpt.memory.search.indexing import embedding_text

#: Lexical weights of the min-max fusion tried by the leave-one-out procedure.
WEIGHTS = (0.4, 0.5, 0.6, 0.7, 0.8)
USER = "locomo"


class PrimedMiniLM(LocalMiniLMEmbeddings):
    """MiniLM that embeds the texts a run will ask for in one batch up front (``prime``), so
    hundreds of one-record inserts do not each pay a model call: same model, same texts,
    same vectors; only the benchmark's wall time changes."""

    def __init__(self) -> None:
        super().__init__()
        self._cache: dict[str, list[float]] = {}

    def prime(self, texts: Sequence[str]) -> None:
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if todo:
            self._cache.update(zip(todo, super().embed_documents(todo), strict=True))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.prime(texts)
        return [self._cache[t] for t in texts]


def _fusion(weight: float) -> Callable[[Sequence[Sequence[tuple[int, float]]]], Any]:
    return lambda lists: convex(lists, weights=[weight, 1.0 - weight])


def run_single(
    conv: dict[str, Any],
    embedder: Any,
    qvecs: list[list[float]],
    line: Callable[[dict[str, Any]], str],
    evidence_ids: Callable[[Sequence[str]], list[str]],
    recall_at: Callable[[list[str], list[str]], dict[int, float]],
) -> dict[str, list[dict[int, float]]]:
    """One ``archival.insert`` per turn, then per question: the shipped search and, for the
    tuning, the same candidates fused with each lexical weight of ``WEIGHTS``. Beside it, the
    same turns inserted without ``thread_id`` (no citation to find context by)."""
    scores: dict[str, list[dict[int, float]]] = {}
    lines = [line(turn) for turn in conv["turns"]]
    if isinstance(embedder, PrimedMiniLM):
        embedder.prime(
            lines + [embedding_text(b, a, None) for a, b in zip(lines, lines[1:], strict=False)]
        )
    with tempfile.TemporaryDirectory() as tmp, Memory.open(tmp, embeddings=embedder) as mem:
        for i, turn in enumerate(conv["turns"]):
            metadata = {"dia_id": turn["dia_id"], "created_at": turn["when"].isoformat()}
            mem.archival.insert(lines[i], user_id=USER, metadata=metadata)
        for q, qvec in zip(conv["questions"], qvecs, strict=True):
            hits = mem.archival.search(q["question"], user_id=USER, k=25, query_vector=qvec)
            scores.setdefault("archival hybrid, one insert per turn, no thread_id", []).append(
                recall_at([h.metadata["dia_id"] for h in hits], evidence_ids(q["evidence"]))
            )
    with tempfile.TemporaryDirectory() as tmp, Memory.open(tmp, embeddings=embedder) as mem:
        for i, turn in enumerate(conv["turns"]):
            mem.archival.insert(
                lines[i],
                user_id=USER,
                metadata={
                    "dia_id": turn["dia_id"],
                    "thread_id": f"locomo-{conv['name']}",
                    "turn": i,
                    "created_at": turn["when"].isoformat(),
                },
            )
        shipped_fusion = mem.archival.fusion
        for q, qvec in zip(conv["questions"], qvecs, strict=True):
            evidence = evidence_ids(q["evidence"])
            hits = mem.archival.search(q["question"], user_id=USER, k=25, query_vector=qvec)
            scores.setdefault("archival hybrid, one insert per turn", []).append(
                recall_at([h.metadata["dia_id"] for h in hits], evidence)
            )
            lists = mem.archival.candidates(q["question"], user_id=USER, query_vector=qvec)
            rankings = [lists["lexical"], lists["dense"]]
            dia: dict[int, str] = {}
            for weight in WEIGHTS:
                mem.archival.fusion = _fusion(weight)
                fused = mem.archival.fuse(q["question"], rankings, user_id=USER)
                kept = relevance_floor(fused, *rankings)[:25]
                new = [(rid, 1.0) for rid, _ in kept if rid not in dia]
                for (rid, _), hit in zip(new, mem.archival.resolve(new, user_id=USER), strict=True):
                    dia[rid] = hit.metadata["dia_id"]
                scores.setdefault(f"lexical weight {weight}", []).append(
                    recall_at([dia[rid] for rid, _ in kept], evidence)
                )
            mem.archival.fusion = shipped_fusion
    return scores


def leave_one_out(
    per_conversation: dict[str, dict[str, list[dict[int, float]]]], k: int = 10
) -> dict[str, Any]:
    """For each conversation, the weight best on the others and its R@k on this one; the
    held-out figure is the mean over every question of its conversation's held-out R@k."""
    folds = {}
    held: list[float] = []
    for name, scores in per_conversation.items():
        others = [s for other, s in per_conversation.items() if other != name]

        def mean_on_others(weight: float, others: list[Any] = others) -> float:
            rows = [row[k] for s in others for row in s[f"lexical weight {weight}"]]
            return sum(rows) / len(rows)

        best = max(WEIGHTS, key=lambda w: (mean_on_others(w), -abs(w - LEXICAL_WEIGHT)))
        rows = [row[k] for row in scores[f"lexical weight {best}"]]
        folds[name] = {"weight": best, f"held-out R@{k}": sum(rows) / len(rows)}
        held.extend(rows)
    return {"folds": folds, f"held-out R@{k}": sum(held) / len(held) if held else 0.0}


def single_markdown(
    table: dict[str, dict[int, float]], loco: dict[str, Any], ks: Sequence[int]
) -> list[str]:
    """The results page's section on this path and the leave-one-out procedure."""
    return [
        "## archival path as an agent writes it (`insert` per turn with its citation)",
        "",
        "Each turn stored by its own `archival.insert` with `thread_id`, `turn` and "
        "`created_at` (see `bench/_locomo_loco.py`); rows `lexical weight w` fuse the same "
        "candidates with min-max weight w on the lexical ranker (speaker and subject boosts "
        "and the relevance floor as shipped).",
        "",
        markdown_table(
            ["search", *[f"R@{k}" for k in ks]],
            [[ranker, *[m[k] for k in ks]] for ranker, m in table.items()],
        ),
        "",
        "Leave-one-conversation-out (weight chosen on the other conversations, R@10 on this "
        f"one; weights tried {list(WEIGHTS)}): **held-out R@10 "
        f"{loco.get('held-out R@10', 0.0):.3f}**.",
        "",
        markdown_table(
            ["held-out conversation", "weight chosen on the others", "held-out R@10"],
            [
                [name, fold["weight"], fold["held-out R@10"]]
                for name, fold in loco.get("folds", {}).items()
            ],
        ),
        "",
    ]
