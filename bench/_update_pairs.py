"""Training pairs for the learned update decider, and its fitting (shared by ``update_train.py``
and ``memory_rot.py --lofo``).

A pair is (a fact as it is told, an older fact of the same user, what the decider should do):
every fact of a split's users, in the order the benchmark tells them, against *every* older fact
of that user (the person's other slots, other people's same slot, near misses and earlier
updates alike): ``supersede`` for a later fact of an update scenario against the earlier ones
of it, ``noop`` for a restatement against its first fact, ``add`` for all the rest. That is a
superset of what consolidation shows the decider (its most similar older records).

A family is a split of ``_rot_suite.py`` (each was written at another time, by other means):
leave-one-family-out fits on all families but one and scores the one left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from _rot_suite import TRAIN_SPLITS, build, timeline

from langgraph_memgpt.memory.backends.validity import normalise
from langgraph_memgpt.memory.hygiene.learned_decider import LearnedDecider
from langgraph_memgpt.memory.hygiene.pair_features import FEATURES

#: The families the shipped weights are fitted on: the splits the rule reader was written or
#: reviewed on, and the training families written for the learned decider (``_rot_train_*``).
#: ``blind24b``, ``blind25`` and ``blind26`` (and any later blind split) are never trained on.
OLD_FAMILIES = ("dev", "heldout", "fresh", "unseen", "blind", "blind24")
FAMILIES = (*OLD_FAMILIES, *TRAIN_SPLITS)
LABELS = ("add", "supersede", "noop")
#: The share of training pairs of another label a head may claim (its threshold).
FALSE_RATE = {"supersede": 0.0005, "restate": 0.001}


def pairs(split: str, rounds: int = 2) -> list[tuple[str, str, str]]:
    """(new, old, label) of every fact of the split's users against every older one."""
    out: list[tuple[str, str, str]] = []
    for user in build(split, rounds=rounds):
        told: list[tuple[object, int, str]] = []
        for scenario, step in timeline(user):
            text = scenario.facts[step]
            for other, other_step, old in told:
                if normalise(old) == normalise(text):
                    continue  # equal texts merge without the model
                label = "add"
                if other is scenario and scenario.kind == "update":
                    label = "supersede"
                elif other is scenario and scenario.kind == "restatement" and other_step == 0:
                    label = "noop"
                out.append((text, old, label))
            told.append((scenario, step, text))
    return out


def featurise(
    decider: LearnedDecider, rows: Sequence[tuple[str, str, str]]
) -> tuple[list[list[float]], list[str]]:
    decider.prefetch([(new, old) for new, old, _ in rows])
    return [decider.features(new, old) for new, old, _ in rows], [label for *_, label in rows]


def fit(
    x: list[list[float]],
    y: list[str],
    families: Sequence[str],
    features: Sequence[str] = FEATURES,
) -> dict[str, Any]:
    """Two logistic regressions (supersede, restate) and their thresholds, as the weights file,
    on ``features`` (names of :data:`FEATURES`; all by default)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    columns = [FEATURES.index(name) for name in features]
    xs = np.asarray(x, dtype=float)[:, columns]
    model: dict[str, Any] = {
        "features": list(features),
        "trained_on": list(families),
        "pairs": len(y),
        "about": "fitted by bench/update_train.py; see docs/update-reader.md",
    }
    for head, label in (("supersede", "supersede"), ("restate", "noop")):
        target = np.asarray([int(v == label) for v in y])
        clf = LogisticRegression(C=1.0, max_iter=5000, fit_intercept=False)
        clf.fit(xs, target)
        weights = clf.coef_[0]
        scores = 1 / (1 + np.exp(-(xs @ weights)))
        negatives = np.sort(scores[target == 0])
        k = int(len(negatives) * (1 - FALSE_RATE[head]))
        threshold = max(0.5, float(negatives[min(k, len(negatives) - 1)]) + 1e-6)
        model[head] = {
            "weights": [round(float(w), 6) for w in weights],
            "threshold": round(threshold, 6),
            "positives": int(target.sum()),
        }
    return model


def features_by_family(
    decider: LearnedDecider, families: Sequence[str], rounds: int = 2
) -> dict[str, tuple[list[list[float]], list[str]]]:
    """The features and labels of each family's pairs (cached in ``MEMGPT_UPDATE_FEATURES``,
    a pickle path, when set: computing them is most of a fit's time)."""
    import os
    import pickle

    path = os.environ.get("MEMGPT_UPDATE_FEATURES")
    cached: dict[tuple[str, int], Any] = {}
    if path and os.path.exists(path):
        with open(path, "rb") as fh:
            cached = pickle.load(fh)  # noqa: S301 - a file this script wrote
    out = {}
    for family in families:
        if (family, rounds) not in cached:
            cached[(family, rounds)] = featurise(decider, pairs(family, rounds))
        out[family] = cached[(family, rounds)]
    if path:
        with open(path, "wb") as fh:
            pickle.dump(cached, fh)
    return out


def fit_without(
    data: dict[str, tuple[list[list[float]], list[str]]],
    left_out: str | None,
    features: Sequence[str] = FEATURES,
) -> dict[str, Any]:
    """The model fitted on every family of ``data`` but ``left_out``."""
    kept = [f for f in data if f != left_out]
    x = [row for f in kept for row in data[f][0]]
    y = [label for f in kept for label in data[f][1]]
    return fit(x, y, kept, features)
