"""The guard's learned score: a logistic regression on character and word n-grams.

Phrase rules (``injection``) carry poorly to the next phrasing of an attack; this model was
trained (``bench/guard_train.py``) on labelled attacks and benign texts from several public
corpora and our own, and scores what the rules do not decide. Its features are the text's
character 3-5-grams (robust to spelling, leetspeak remnants and new wordings) and its words and
word pairs, lower-cased with whitespace collapsed; a text's score is the bias plus the sum of
its features' weights, divided by the square root of its number of distinct features (an
L2-normalised binary vector). Long texts are scored window by window (an attack sentence in a
long e-mail must not be diluted by the rest), and every decoded variant the rules decode
(base64, hex, URL escapes, leetspeak, spaced letters, tag characters) is scored too: the
highest score counts.

The weights are a small file in the package (``guard_weights.npz``: the kept features, their
weights, the bias and the decision threshold chosen on held-out sources); loading needs only
numpy. ``features`` defines the score (training uses it); scoring computes the same sum with
the character n-grams as integers in NumPy (``guard_ngrams``), without making a string for
each, which was most of the guard's cost on every stored message. The corpora's licences are in
``NOTICE`` beside it.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from langgraph_memgpt.memory.text.analysis import overlapping_runs
from langgraph_memgpt.memory.text.guard_ngrams import NGRAMS, WORD_RE, NgramIndex, flatten
from langgraph_memgpt.memory.text.guard_structure import cues

WEIGHTS = Path(__file__).with_name("guard_weights.npz")
#: Texts longer than this are scored in windows of about ``WINDOW`` characters.
WINDOW = 400
_SENTENCE_RE = re.compile(r"(?<=[.!?。！？\n])\s+")
#: Structural cues (``guard_structure``) are features named ``"cue:" + cue`` (longer than any
#: character n-gram, so no n-gram shares a name) whose value is ``CUE_VALUE``, not divided by
#: the square root of the n-gram count: a handful of cues must weigh beside a thousand n-grams.
CUE_PREFIX = "cue:"
CUE_VALUE = 0.5


def is_cue(name: str) -> bool:
    """Whether a feature name is a structural cue (not an n-gram, word or word pair)."""
    return name.startswith(CUE_PREFIX) and len(name) > max(NGRAMS)


def cue_features(text: str) -> set[str]:
    """The structural cues of a text as feature names."""
    return {CUE_PREFIX + c for c in cues(text)}


def features(text: str) -> set[str]:
    """The distinct features of one text (training and scoring share this function)."""
    flat, padded = flatten(text)
    out: set[str] = set()
    for n in NGRAMS:
        out.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    words = WORD_RE.findall(flat)
    out.update("w:" + w for w in words)
    out.update(f"b:{a} {b}" for a, b in zip(words, words[1:], strict=False))
    return out


def windows(text: str, size: int = WINDOW) -> list[str]:
    """The text itself when short, else runs of whole sentences of about ``size`` characters,
    each overlapping the next by one sentence (a sentence longer than ``size`` is cut)."""
    if len(text) <= size * 3 // 2:
        return [text]
    pieces: list[str] = []
    for sentence in _SENTENCE_RE.split(text):
        while len(sentence) > size:
            pieces.append(sentence[:size])
            sentence = sentence[size:]
        if sentence.strip():
            pieces.append(sentence)
    return overlapping_runs(pieces, size)


@dataclass(frozen=True)
class GuardModel:
    """Weights of the learned guard: ``score`` is the probability that a text is an attack."""

    weights: dict[str, float]
    bias: float
    threshold: float

    @functools.cached_property
    def _index(self) -> NgramIndex:
        return NgramIndex({k: v for k, v in self.weights.items() if not is_cue(k)})

    @functools.cached_property
    def uses_cues(self) -> bool:
        """Whether these weights were trained with the structural cues."""
        return any(is_cue(k) for k in self.weights)

    def logit(self, text: str) -> float:
        """The bias plus the summed weights of the text's distinct n-gram and word features
        over the square root of their number (``guard_ngrams`` computes it without the n-gram
        strings), plus ``CUE_VALUE`` times the weights of its structural cues."""
        fast = self._index.sum_and_count(text)
        if fast is None:
            return self.logit_of(self.features(text))
        total, count = fast
        ngrams = total / math.sqrt(count) if count else 0.0
        return self.bias + ngrams + self._cue_sum(cue_features(text) if self.uses_cues else ())

    def features(self, text: str) -> set[str]:
        """The features this model reads of a text (``features``, and the cues if it uses
        them)."""
        return features(text) | cue_features(text) if self.uses_cues else features(text)

    def _cue_sum(self, names: set[str] | tuple[()]) -> float:
        get = self.weights.get
        return CUE_VALUE * sum(get(n, 0.0) for n in names)

    def logit_of(self, feats: set[str]) -> float:
        """The logit of a feature set (``features``, cues included or not): the definition
        the fast path follows."""
        plain = {f for f in feats if not is_cue(f)}
        cue_part = self._cue_sum({f for f in feats if is_cue(f)})
        if not plain:
            return self.bias + cue_part
        get = self.weights.get
        return self.bias + sum(get(f, 0.0) for f in plain) / math.sqrt(len(plain)) + cue_part

    def score(self, text: str) -> float:
        """The highest probability over the text's windows."""
        z = max(self.logit(w) for w in windows(text))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def flags(self, text: str) -> bool:
        return self.score(text) >= self.threshold

    def flags_any(self, texts: tuple[str, ...] | list[str]) -> bool:
        """Whether any of the texts (a text and its decoded variants) scores over the
        threshold."""
        return any(self.score(t) >= self.threshold for t in texts if t)

    def max_score(self, texts: tuple[str, ...] | list[str]) -> float:
        """The highest score of the texts (a text and its decoded variants); 0 for none.
        ``max_score(texts) >= threshold`` is ``flags_any(texts)``."""
        return max((self.score(t) for t in texts if t), default=0.0)

    def save(self, path: Path) -> None:
        import numpy as np

        names = sorted(self.weights)
        np.savez_compressed(
            path,
            features=np.array(names),
            weights=np.array([self.weights[n] for n in names], dtype=np.float16),
            bias=np.array(self.bias),
            threshold=np.array(self.threshold),
        )

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> GuardModel:
        import numpy as np

        with np.load(path) as data:
            names = [str(n) for n in data["features"]]
            values = [float(v) for v in data["weights"]]
            return cls(
                dict(zip(names, values, strict=True)), float(data["bias"]), float(data["threshold"])
            )


_LOADED: list[GuardModel | None] = []
_LOCK = threading.Lock()


def model() -> GuardModel | None:
    """The shipped model, loaded once per process (``None`` when the weights file is absent,
    as in a checkout that has not trained it: then the rules decide alone)."""
    if not _LOADED:
        with _LOCK:
            if not _LOADED:
                _LOADED.append(GuardModel.load() if WEIGHTS.exists() else None)
    return _LOADED[0]
