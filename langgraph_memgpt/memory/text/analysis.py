"""Text analysis for lexical search: the same words for indexing a text and for a query.

Words are ``\\w+`` runs of the NFKC-normalised, lower-cased text with diacritics removed,
stopwords dropped, and Snowball English stems (PyStemmer, the C build of the Snowball project's
stemmers). Indexing and querying share this one function, so "likes" finds "liked", "café"
finds "cafe", and a full-width "ＡＢＣ" finds "abc". Stopwords are not indexed at all: under an
OR query they would match nearly every record and only cost time and disk.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

import Stemmer

# A standard English stopword list (close to NLTK's), written as the ``\w+`` tokens a text is
# split into (so "don't" appears as "don" and "t").
_STOPWORD_TEXT = """
a about above after again against all am an and any are aren as at be because been before being
below between both but by can cannot could couldn d did didn do does doesn doing don done down
during each few for from further had hadn has hasn have haven having he her here hers herself him
himself his how i if in into is isn it its itself let ll m me more most mustn my myself no nor not
of off on once only or other ought our ours ourselves out over own re s same shan she should
shouldn so some such t than that the their theirs them themselves then there these they this
those through to too under until up ve very was wasn we were weren what when where which while
who whom why will with won would wouldn you your yours yourself yourselves
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_TOKEN = re.compile(r"\w+", re.UNICODE)
MAX_TERM_CHARS = 64  # longer "words" are hashes or base64 runs: keep a searchable prefix
MAX_QUERY_TERMS = 64

_stemmer = Stemmer.Stemmer("english")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def words(text: str) -> list[str]:
    """The indexable words of ``text`` in order (stemmed, stopwords removed, repeats kept)."""
    return [
        _stem(token[:MAX_TERM_CHARS])
        for token in _TOKEN.findall(_fold(text))
        if token not in STOPWORDS
    ]


@lru_cache(maxsize=256)
def word_counts(text: str) -> tuple[tuple[str, int], ...]:
    """Each word of ``text`` with its count, in order of first appearance. Cached: a recall
    message is analysed again as context of the next messages."""
    return tuple(Counter(words(text)).items())


def term_frequencies(fields: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Weighted term frequencies of a document made of ``(text, weight)`` fields.

    A record's own text has weight 1; context indexed with it (neighbouring turns, its date)
    counts for less, so it can make a record findable without outranking the record that
    says the thing itself.
    """
    out: dict[str, float] = {}
    for text, weight in fields:
        if not text or weight <= 0:
            continue
        for term, count in word_counts(text):
            out[term] = out.get(term, 0.0) + count * weight
    return out


def query_terms(text: str) -> list[str]:
    """Distinct terms of a query, in order of appearance (at most ``MAX_QUERY_TERMS``)."""
    return list(dict.fromkeys(words(text)))[:MAX_QUERY_TERMS]


def overlapping_runs(pieces: Sequence[str], size: int) -> list[str]:
    """Consecutive pieces (sentences) joined into runs of about ``size`` characters, each run
    opening with the last piece of the one before: a signal that straddles two runs is still
    read whole in one of them. The guard's rules and its learned score both scan long texts so.
    """
    runs: list[str] = []
    current: list[str] = []
    length = 0
    for piece in pieces:
        current.append(piece)
        length += len(piece) + 1
        if length >= size:
            runs.append(" ".join(current))
            current, length = [piece], len(piece) + 1
    if len(current) > 1 or not runs:
        runs.append(" ".join(current))
    return runs
