"""Trials of the guard's learned score: which features and training rows generalise?

Each trial trains the learned score as ``guard_train`` does (same corpus, weighting and 0.2%
benign budget) with one change, and measures it two ways: leave-one-source-out on the
training sources (each source scored by a model trained, threshold included, without it) and
the *dev* blind split (``guard_blind.py``: looked at, so a dev split; the second blind split is
never used here). Changes tried:

- ``--planted``: add ``guard_indirect.planted_rows`` (each short attack set inside a benign
  e-mail, web page or package description).
- ``--minilm ALPHA``: add the local MiniLM sentence embedding of every window (384 columns,
  times ``ALPHA``) beside the n-grams. Embeddings are cached (``_guard_embed``); on a shared
  two-core machine the model embeds about five windows a second, so this trial samples
  (``--pyrit N`` rows of pyrit's 643 long templates, ``--docs N`` package paragraphs).
  ``--minilm-alone``: the embedding without the n-grams.
- ``--min-sources N``: only features found in the texts of N or more of the sources a fit
  trains on (counted per fit, without the left-out source).
- ``--c C``: the regularisation of the logistic regression.

    python bench/guard_trials.py --name ngram
    python bench/guard_trials.py --name planted --planted
    python bench/guard_trials.py --name minilm --planted --minilm 1 --pyrit 100 --docs 500

Results: ``bench/results/guard_trials/NAME.json`` (pooled and per-source rates).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import guard_blind  # noqa: E402
import guard_indirect  # noqa: E402
import guard_train  # noqa: E402

from langgraph_memgpt.memory.text.injection import LEARNED  # noqa: E402
from langgraph_memgpt.memory.text.judge import judge  # noqa: E402

OUT = HERE / "results" / "guard_trials"


def _rows(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = guard_train.training_rows(args.docs)
    if args.pyrit is not None:
        rng = random.Random(3)
        pyrit = [r for r in rows if r["package"] == "pyrit"]
        keep = {id(r) for r in rng.sample(pyrit, min(args.pyrit, len(pyrit)))}
        rows = [r for r in rows if r["package"] != "pyrit" or id(r) in keep]
    if args.planted:
        rows += guard_indirect.planted_rows(rows)
    return rows


def _add_minilm(corpus: guard_train.Corpus, alpha: float, *, alone: bool = False) -> None:
    import _guard_embed
    from scipy.sparse import csr_matrix, hstack

    if alone:  # the n-gram columns kept (the vocabulary indexes them) but emptied
        corpus.x_train = corpus.x_train.multiply(0).tocsr()
        corpus.x_score = corpus.x_score.multiply(0).tocsr()

    train = [t for r in corpus.rows for t in guard_train.examples(r) if guard_train.features(t)]
    scored = [t for r in corpus.rows for t in guard_train.scored(r["text"])]
    corpus.x_train = hstack([corpus.x_train, csr_matrix(alpha * _guard_embed.embed(train))])
    corpus.x_train = corpus.x_train.tocsr()
    corpus.x_score = hstack([corpus.x_score, csr_matrix(alpha * _guard_embed.embed(scored))])
    corpus.x_score = corpus.x_score.tocsr()


class SharedFeatures(guard_train.Corpus):
    """A corpus whose fits use only features that occur in the texts of at least
    ``min_sources`` of the sources they train on (a feature one corpus alone has is that
    corpus's wording); counted per fit, so a left-out source never decides what is kept."""

    min_sources = 1

    def fit(self, keep_rows: Any, *, prune: int | None = None) -> tuple[Any, float]:
        import numpy as np
        from scipy.sparse import diags

        if self.min_sources <= 1:
            return super().fit(keep_rows, prune=prune)
        kept = sorted(set(self.sources[keep_rows].tolist()))
        counts = np.zeros(self.x_train.shape[1])
        for source in kept:
            rows = (self.sources[self.train_row] == source) & keep_rows[self.train_row]
            counts += np.asarray((self.x_train[rows] != 0).sum(axis=0)).ravel() > 0
        mask = diags((counts >= self.min_sources).astype(float))
        full = self.x_train
        self.x_train = (full @ mask).tocsr()
        try:
            return super().fit(keep_rows, prune=prune)
        finally:
            self.x_train = full


def _rate(flags: list[bool]) -> dict[str, Any]:
    return {"n": len(flags), "flagged": round(sum(flags) / len(flags), 4)}


def _dev_blind(
    corpus: guard_train.Corpus, coef: Any, bias: float, threshold: float, alpha: float
) -> dict[str, Any]:
    """The model trained on every row, on the dev blind split: learned alone, and with the
    rules as the store runs them (the writer's trust in mind)."""
    import numpy as np

    blind = guard_blind.load()
    windows = [(i, t) for i, r in enumerate(blind) for t in guard_train.scored(r["text"])]
    vocab = {n: j for j, n in enumerate(corpus.names)}
    z = np.array(
        [
            sum(coef[vocab[f]] for f in feats if f in vocab) / math.sqrt(max(1, len(feats)))
            for feats in (guard_train.features(t) for _, t in windows)
        ]
    )
    if alpha:
        import _guard_embed

        z = z + alpha * _guard_embed.embed([t for _, t in windows]) @ coef[len(corpus.names) :]
    best = np.full(len(blind), -np.inf)
    np.maximum.at(best, np.array([i for i, _ in windows]), z + bias)
    prob = 1.0 / (1.0 + np.exp(-np.clip(best, -30, 30)))
    groups: dict[str, list[bool]] = defaultdict(list)
    for row, p in zip(blind, prob, strict=True):
        learned = bool(p >= threshold)
        verdict = judge(row["text"], row.get("trust"))
        rules = verdict.flagged and LEARNED not in verdict.reasons
        kind = "attacks" if row["label"] == "attack" else "benign"
        for group in ("all", f"source:{row['package']}", f"trust:{row.get('trust')}"):
            groups[f"{group}/{kind}/learned"].append(learned)
            groups[f"{group}/{kind}/rules+learned"].append(learned or rules)
    return {k: _rate(v) for k, v in sorted(groups.items())}


def run(args: argparse.Namespace) -> dict[str, Any]:
    import numpy as np

    guard_train.C = args.c
    rows = _rows(args)
    corpus = SharedFeatures(rows)
    corpus.min_sources = args.min_sources
    if args.minilm:
        _add_minilm(corpus, args.minilm, alone=args.minilm_alone)
    prune = None if args.minilm else guard_train.MAX_FEATURES
    oos = guard_train.out_of_source(corpus, prune=prune)
    sources = sorted(set(corpus.sources.tolist()))
    loso: dict[str, list[bool]] = defaultdict(list)
    for source in sources:
        others = {s: oos[(corpus.sources == s) & (corpus.y == 0)] for s in sources if s != source}
        threshold = guard_train.threshold_for({s: v for s, v in others.items() if len(v)})
        for i in np.nonzero(corpus.sources == source)[0]:
            kind = "attacks" if corpus.y[i] else "benign"
            flag = bool(oos[i] >= threshold)
            loso[f"{source}/{kind}"].append(flag)
            loso[f"pooled/{kind}"].append(flag)
    benign = {s: oos[(corpus.sources == s) & (corpus.y == 0)] for s in sources}
    threshold = guard_train.threshold_for({s: v for s, v in benign.items() if len(v)})
    coef, bias = corpus.fit(np.ones(len(rows), dtype=bool), prune=prune)
    return {
        "trial": vars(args),
        "rows": len(rows),
        "threshold": round(threshold, 4),
        "loso_learned": {k: _rate(v) for k, v in sorted(loso.items())},
        "dev_blind": _dev_blind(corpus, coef, bias, threshold, args.minilm),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True)
    parser.add_argument("--planted", action="store_true")
    parser.add_argument("--minilm", type=float, default=0.0, metavar="ALPHA")
    parser.add_argument(
        "--minilm-alone", action="store_true", help="the embedding without the n-grams"
    )
    parser.add_argument("--min-sources", type=int, default=1, metavar="N")
    parser.add_argument("--pyrit", type=int, default=None, metavar="N")
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--c", type=float, default=guard_train.C)
    args = parser.parse_args()
    result = run(args)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{args.name}.json").write_text(json.dumps(result, indent=2))
    summary = {k: v["flagged"] for k, v in result["loso_learned"].items() if "pooled" in k}
    summary.update(
        {k: v["flagged"] for k, v in result["dev_blind"].items() if k.startswith("all/")}
    )
    print(json.dumps({"name": args.name, "threshold": result["threshold"], **summary}))


if __name__ == "__main__":
    main()
