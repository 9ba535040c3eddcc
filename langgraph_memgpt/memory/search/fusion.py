"""Fusing ranked lists from the lexical and the dense ranker into one ranking.

Each ranker returns ``[(record_id, score), ...]`` best first. Fusion methods here are pure
functions so the LoCoMo benchmark can compare them on the same candidate lists; the archival
store ships one of them as its default (see ``DEFAULT_FUSION`` and the README for the figures
that chose it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

Ranking = Sequence[tuple[int, float]]
Fused = list[tuple[int, float]]
FusionFn = Callable[[Sequence[Ranking]], Fused]

RRF_K = 60


def rrf(
    rankings: Sequence[Ranking], k: int = RRF_K, weights: Sequence[float] | None = None
) -> Fused:
    """Reciprocal-rank fusion (Cormack et al., 2009): score = sum_i w_i / (k + rank_i).

    Uses only ranks, so the lexical and dense scores need no calibration against each other;
    k=60 is the value from the paper, not tuned here.
    """
    weights = weights or [1.0] * len(rankings)
    scores: dict[int, float] = {}
    for weight, ranking in zip(weights, rankings, strict=True):
        for rank, (rid, _score) in enumerate(ranking, start=1):
            scores[rid] = scores.get(rid, 0.0) + weight / (k + rank)
    return _sorted(scores)


def _minmax(ranking: Ranking) -> dict[int, float]:
    if not ranking:
        return {}
    values = [s for _, s in ranking]
    lo, hi = min(values), max(values)
    span = hi - lo
    return {rid: (s - lo) / span if span > 0 else 1.0 for rid, s in ranking}


def convex(rankings: Sequence[Ranking], weights: Sequence[float] | None = None) -> Fused:
    """Min-max normalise each ranker's scores over its candidates, then a weighted sum.

    A candidate missing from a ranker's list gets 0 from it (it scored below that ranker's
    cut-off). Unlike RRF this keeps score gaps: a dense hit far ahead of the rest stays ahead.
    """
    weights = weights or [1.0 / len(rankings)] * len(rankings)
    scores: dict[int, float] = {}
    for weight, ranking in zip(weights, rankings, strict=True):
        for rid, norm in _minmax(ranking).items():
            scores[rid] = scores.get(rid, 0.0) + weight * norm
    return _sorted(scores)


def _sorted(scores: dict[int, float]) -> Fused:
    # Ties broken by record id so pages are deterministic.
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


LEXICAL_WEIGHT = 0.6


def default_fusion(rankings: Sequence[Ranking]) -> Fused:
    """The shipped hybrid fusion: min-max normalisation, then 0.6 lexical + 0.4 dense.

    With two rankers the first is the lexical one (``candidates`` order); any other number of
    rankers is weighted equally.

    Chosen on LoCoMo (bench/results/retrieval_locomo.md): min-max fusion beat the best single
    ranker at recall@10 for every way of indexing turns we measured, while plain RRF(k=60) fell
    *below* the lexical ranker alone (BM25 is much stronger than MiniLM there and RRF discards
    the score gaps that show it); see Bruch et al. (2023), "An Analysis of Fusion Functions for
    Hybrid Retrieval". The 0.6 lexical weight was picked on three conversations and held on the
    other two (about +0.01 recall@10 over equal weights once records carry their context).
    """
    if len(rankings) == 2:
        return convex(rankings, weights=[LEXICAL_WEIGHT, 1.0 - LEXICAL_WEIGHT])
    return convex(rankings, weights=[1.0 / len(rankings)] * len(rankings))


DEFAULT_FUSION: FusionFn = default_fusion


#: Cosine similarity a record needs when none of the query's words is in it. With
#: all-MiniLM-L6-v2, unrelated short texts score about -0.1 to 0.15 against a query ("peanuts"
#: against a wifi note: 0.03) and paraphrases without a shared word 0.35 to 0.6 ("ferry
#: departure time" against "The boat leaves at 9.": 0.47).
DENSE_FLOOR = 0.3


def relevance_floor(
    fused: Ranking, lexical: Ranking, dense: Ranking, floor: float = DENSE_FLOOR
) -> Fused:
    """Drop fused results that only the dense ranker found, with a similarity below ``floor``.

    A dense ranker always returns its nearest records, however far: without a floor a query
    that matches nothing ("peanuts") gets unrelated records, which a model then quotes as an
    answer. Lexical matches are kept; the order is unchanged. Works on ranked lists only, so
    every backend gets the same floor; cosine scores are what every dense ranker here returns.
    """
    matched = {rid for rid, _score in lexical}
    similar = {rid for rid, score in dense if score >= floor}
    return [(rid, score) for rid, score in fused if rid in matched or rid in similar]


SPEAKER_BOOST = 0.2
_SPEAKER = re.compile(r"^\s*([^\W\d_][\w .'-]{0,38}?)\s*:", re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)


def speaker_of(text: str, name: str | None = None) -> str | None:
    """Who said a record: the message's ``name``, else a leading ``Name:`` of at most three
    words (the usual way a transcript line is written)."""
    if name:
        return name
    match = _SPEAKER.match(text)
    if match is None or len(match.group(1).split()) > 3:
        return None
    return match.group(1)


def boost_speaker(fused: Fused, speakers: dict[int, str | None], query: str) -> Fused:
    """Raise records said by the one person the query names (``SPEAKER_BOOST`` of the fused
    score's 0-1 range).

    "What did Caroline research?" asks about Caroline's own turns far more often than about
    turns that mention her: on LoCoMo 96% of the evidence of a question naming one participant
    was spoken by that participant, and the boost was picked the same way on every split of
    three conversations to choose and two to check (+0.02 recall@10). Nothing changes when the
    query names no speaker, or several.
    """
    words = {w.lower() for w in _WORD.findall(query)}
    named = {
        s for s in {v for v in speakers.values() if v} if set(_WORD.findall(s.lower())) <= words
    }
    if len(named) != 1:
        return fused
    (who,) = named
    return _sorted(
        {rid: score + (SPEAKER_BOOST if speakers.get(rid) == who else 0.0) for rid, score in fused}
    )
