"""The learned update decider: "same subject, same slot, new value" weighed, not matched.

:class:`LearnedDecider` turns each (new fact, older fact) pair into the numbers of
:mod:`.pair_features` (entity match of the subject, similarity of the two sentences with their
values masked, what differs in the values, the reader's markers and reading) and combines them
with two logistic regressions whose weights ship in ``update_model.json``: one says "the new
fact replaces the older one" (supersede), the other "it says the same" (restatement). The
weights are fitted by ``bench/update_train.py`` on the memory-rot suite's dev and training
families, and the benchmark scores it leaving each family out in turn, beside the rule decider
(``bench/memory_rot.py --lofo``).

Equal texts are still merged without asking the model (that is certain). Everything else is the
model's call, with thresholds chosen on the training families to keep wrong supersedes rare:
a stale fact left visible is the cheaper mistake than a current fact hidden.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import cached_property
from importlib import resources
from typing import TYPE_CHECKING, Any

from langgraph_memgpt.memory.backends.validity import normalise
from langgraph_memgpt.memory.hygiene.pair_features import FEATURES, pair_features, pair_texts
from langgraph_memgpt.memory.hygiene.supersede import Proposal, RuleDecider

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

__all__ = ["LearnedDecider", "load_model"]


def load_model(path: str | None = None) -> dict[str, Any]:
    """The shipped weights (``update_model.json``), or the weights file at ``path``."""
    if path is None:
        text = resources.files(__package__).joinpath("update_model.json").read_text("utf-8")
    else:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    model: dict[str, Any] = json.loads(text)
    unknown = set(model["features"]) - set(FEATURES)
    if unknown:
        raise ValueError(f"weights fitted on features this code lacks {sorted(unknown)}: refit")
    return model


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


class LearnedDecider:
    """Supersede or merge by the fitted weights over the pair's features; add otherwise."""

    #: Older records shown per decision (as the rule decider: cheap, and a person's older fact
    #: can rank below other people's facts of the same kind).
    candidates = 20

    def __init__(
        self,
        embeddings: Embeddings | None = None,
        model: dict[str, Any] | None = None,
        *,
        cache_size: int = 4096,
    ) -> None:
        self._embeddings = embeddings
        self.model = model if model is not None else load_model()
        #: Where each of the model's features sits in the vector :func:`pair_features` makes
        #: (a weights file may use a subset, in its own order: older files keep working).
        self._index = [FEATURES.index(name) for name in self.model.get("features", FEATURES)]
        self.rules = RuleDecider()
        self._cache: dict[str, list[float]] = {}
        self._cache_size = cache_size

    @cached_property
    def embeddings(self) -> Embeddings:
        if self._embeddings is not None:
            return self._embeddings
        from langgraph_memgpt.memory.search.embeddings import LocalMiniLMEmbeddings

        return LocalMiniLMEmbeddings()

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Vectors of ``texts``; the masked sentences of one record recur across decisions."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            if len(self._cache) + len(missing) > self._cache_size:
                # Then only this batch's texts are kept: the ones it found cached too (they
                # were cleared with the rest, and a KeyError ended a long consolidation).
                self._cache.clear()
                missing = list(dict.fromkeys(texts))
            for text, vector in zip(missing, self.embeddings.embed_documents(missing), strict=True):
                self._cache[text] = list(vector)
        return [self._cache[t] for t in texts]

    def prefetch(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Embed every text the features of ``pairs`` need in one batch (a model call per
        pair would cost more than the pairs)."""
        self.embed([text for new, old in pairs for text in pair_texts(new, old)])

    def features(self, new: str, old: str) -> list[float]:
        ops = frozenset(p.op for p in self.rules.decide(new, [old]))
        return pair_features(new, old, self.embed, ops)

    def scores(self, new: str, old: str) -> tuple[float, float]:
        """(probability the new fact supersedes the old, probability it restates it)."""
        full = self.features(new, old)
        x = [full[i] for i in self._index]
        out = []
        for head in ("supersede", "restate"):
            weights = self.model[head]["weights"]
            out.append(_sigmoid(sum(w * v for w, v in zip(weights, x, strict=True))))
        return out[0], out[1]

    def decide(self, new: str, older: Sequence[str]) -> list[Proposal]:
        proposals: list[Proposal] = []
        supersede_at = float(self.model["supersede"]["threshold"])
        restate_at = float(self.model["restate"]["threshold"])
        self.prefetch([(new, text) for text in older])
        for i, text in enumerate(older):
            if normalise(text) == normalise(new):
                proposals.append(Proposal("noop", i, "same text"))
                continue
            p_sup, p_same = self.scores(new, text)
            if p_same >= restate_at and p_same >= p_sup:
                proposals.append(Proposal("noop", i, f"restates it (p={p_same:.2f})"))
            elif p_sup >= supersede_at:
                proposals.append(Proposal("supersede", i, f"same slot, new value (p={p_sup:.2f})"))
        return proposals or [Proposal("add")]
