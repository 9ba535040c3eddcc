"""The learned guard's score without building its n-gram strings: the hot path of every write.

``guard_model.features`` makes one Python string per character 3-, 4- and 5-gram (about 1,200
for a window of 400 characters) only to look each up in the weights and count the distinct
ones; that was most of a chat turn's guard cost. Here a window's characters become small
integers (one NumPy call), each n-gram one integer code (``n`` ids of ``BITS`` bits side by
side: exact, no hashing, so no two n-grams share a code), and the weights of the n-gram
features sit in a sorted array of the same codes: ``np.unique`` counts the distinct n-grams,
``np.searchsorted`` finds their weights. Words and word pairs stay Python strings (a few dozen
a window) looked up in the weights' dictionary.

The result is the same sum over the same set of distinct features as ``GuardModel.logit`` (a
test compares both on many texts): a word feature that is also one of the text's character
n-grams (``"w:ab"`` inside ``"w:ab"``) is counted once, as the set would. A window with more
distinct characters than the codes can hold returns ``None`` and is scored the plain way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import repeat

import numpy as np

NGRAMS = (3, 4, 5)
WORD_RE = re.compile(r"\w+", re.UNICODE)
#: Bits of one character id: ``max(NGRAMS)`` ids fit in 60 of a uint64's 64 bits.
BITS = 12
_LIMIT = 1 << BITS


def flatten(text: str) -> tuple[str, str]:
    """The text as the features read it: lower-cased, whitespace collapsed (``flat``), and
    the same with a space at each end (``padded``, whose n-grams are the features)."""
    flat = " ".join(text.lower().split())
    return flat, f" {flat} "


class NgramIndex:
    """The weights of one model arranged for integer look-ups (built once per model)."""

    def __init__(self, weights: Mapping[str, float]) -> None:
        self.weights = weights
        grams = [k for k in weights if min(NGRAMS) <= len(k) <= max(NGRAMS)]
        alphabet = sorted({c for k in grams for c in k})
        #: False when the model's n-grams use more characters than the codes hold (not the
        #: shipped weights): every text is then scored the plain way.
        self.usable = len(alphabet) < _LIMIT
        if not self.usable:
            alphabet, grams = [], []
        #: The characters of the model's n-grams, as sorted code points; id = position + 1.
        self.alphabet = np.array([ord(c) for c in alphabet], dtype=np.uint32)
        ids = {c: i + 1 for i, c in enumerate(alphabet)}
        codes = np.array([_code([ids[c] for c in k]) for k in grams], dtype=np.uint64)
        order = np.argsort(codes)
        self.codes = codes[order]
        self.values = np.array([weights[k] for k in grams], dtype=np.float64)[order]

    def _ids(self, padded: str) -> np.ndarray | None:
        """One id per character: the model's characters 1..K, others K+1.. in this text."""
        # surrogatepass: a lone surrogate (a model's broken tool-call text) is a code point too.
        points = np.frombuffer(padded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        known = len(self.alphabet)
        pos = np.searchsorted(self.alphabet, points)
        hit = pos < known
        hit[hit] = self.alphabet[pos[hit]] == points[hit]
        ids = (pos + 1).astype(np.uint64)
        if not hit.all():
            others, inverse = np.unique(points[~hit], return_inverse=True)
            if known + len(others) >= _LIMIT:
                return None
            ids[~hit] = inverse.astype(np.uint64) + np.uint64(known + 1)
        return ids

    def sum_and_count(self, text: str) -> tuple[float, int] | None:
        """The summed weights of the text's distinct features and their number, as
        ``guard_model.features`` defines them; None when the text needs the plain way."""
        if not self.usable:
            return None
        flat, padded = flatten(text)
        ids = self._ids(padded)
        if ids is None:
            return None
        parts = []
        code = ids
        for n in range(1, max(NGRAMS) + 1):
            if n > 1:
                code = (code[:-1] << np.uint64(BITS)) | ids[n - 1 :]
            if n in NGRAMS and len(code):
                parts.append(code)
        grams = _distinct(np.concatenate(parts)) if parts else np.zeros(0, np.uint64)
        total = 0.0
        if len(grams) and len(self.codes):
            pos = np.minimum(np.searchsorted(self.codes, grams), len(self.codes) - 1)
            found = self.codes[pos] == grams
            total = float(self.values[pos[found]].sum())
        words = WORD_RE.findall(flat)
        named = set(map("w:".__add__, words))
        named.update(map("b:{} {}".format, words, words[1:]))
        # A word feature spelled out in the text is already one of its n-grams: count it once.
        high = max(NGRAMS)
        spelled = [f for f in named if len(f) <= high and f in padded]
        named.difference_update(spelled)
        total += sum(map(self.weights.get, named, repeat(0.0)))
        return total, len(grams) + len(named)


def _distinct(codes: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (``np.unique`` without its hashing, faster for a few
    thousand integers)."""
    codes.sort()
    keep = np.empty(len(codes), dtype=bool)
    keep[:1] = True
    np.not_equal(codes[1:], codes[:-1], out=keep[1:])
    return codes[keep]


def _code(ids: list[int]) -> int:
    value = 0
    for i in ids:
        value = (value << BITS) | i
    return value
