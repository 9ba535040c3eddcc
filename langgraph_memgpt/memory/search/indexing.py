"""What a stored text is indexed *as*: the record itself plus the context around it.

A turn of a conversation is often unreadable alone ("Yes, last Tuesday!"): the words a question
will use are in the turns around it, and its date is in the session, not the text. The store
adds this context itself, from what it knows, so a caller stores plain text and still gets it:

* **lexical**: a record is indexed with its own words (weight 1), the words of up to
  ``WINDOW`` records before and after it in the same sequence (weight ``CONTEXT_WEIGHT``) and
  its date written out ("7 May 2023", weight
  ``DATE_WEIGHT``). Context counts for less, so the turn that says a thing outranks the turns
  next to it, and only the first ``CONTEXT_CHARS`` of a neighbour count.
* **dense**: a record is embedded with the record before and after it as context
  (``embedding_text``), one encoding per record; a recall message with the one before it
  only (``RecallDense``, measured in docs/embedding-cost.md).

A *sequence* is a recall thread, an archival thread (records with the same ``thread_id``, in the
order stored, across calls: a record inserted alone still gets the thread's last records as
context, and they get it as theirs), or the records of one ``insert_many`` call without a
thread that share a source and a ``created_at`` (a document's chunks, indexed with their
heading too). Records with no thread inserted one by one have no neighbours. Hits always
return the record's own text.

The numbers were chosen on LoCoMo (bench/retrieval_locomo.py), picking on three conversations
and checking on the other two: neighbour context was worth +0.07 evidence recall@10, the date
+0.02, the dense context +0.01 to +0.02, a speaker named in the question (``fusion.py``)
+0.02.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Literal

import numpy as np

WINDOW = 2
RECALL_AFTER = 2  # following messages a recall message is indexed with (it is indexed again)
CONTEXT_CHARS = 300  # of each neighbour: a long tool output is context, not a second record
CONTEXT_WEIGHT = 0.5
DATE_WEIGHT = 0.5
#: Weight of each neighbour's vector in a recall message's dense vector (``mix_context``).
NEIGHBOUR_WEIGHT = 0.5


def date_words(created_at: str | None) -> str:
    """'7 May 2023' for an ISO time, so "in May 2023" or "on 7 May" can match."""
    if not created_at:
        return ""
    try:
        when = datetime.fromisoformat(created_at)
    except ValueError:
        return ""
    return _day_words(when.year, when.month, when.day)


@lru_cache(maxsize=4096)
def _day_words(year: int, month: int, day: int) -> str:
    # Cached: formatting the month's name took longer than the rest of a record's indexing
    # fields, and a bulk import's records share a few days.
    return f"{day} {date(year, month, day):%B %Y}"


def context_fields(
    own: str,
    created_at: str | None,
    before: Sequence[str],
    after: Sequence[str],
    *,
    extra: Sequence[str] = (),
) -> list[tuple[str, float]]:
    """The weighted fields a record is indexed with (lexical search); ``extra`` is further
    context of the record's own (a document chunk's heading), weighted like a neighbour."""
    fields = [(own, 1.0), (date_words(created_at), DATE_WEIGHT)]
    fields += [(text[:CONTEXT_CHARS], CONTEXT_WEIGHT) for text in extra]
    fields += [
        (text[:CONTEXT_CHARS], CONTEXT_WEIGHT) for text in (*before[-WINDOW:], *after[:WINDOW])
    ]
    return fields


def sequences(keys: Sequence[Hashable]) -> list[list[int]]:
    """Positions grouped into sequences of equal key, each in its original order."""
    groups: dict[Hashable, list[int]] = {}
    for position, key in enumerate(keys):
        groups.setdefault(key, []).append(position)
    return list(groups.values())


def sequence_key(thread_id: str | None, source: str | None, created_at: str) -> Hashable:
    """Which sequence an archival record belongs to: its thread when it has one (whatever its
    time: a conversation's turns carry their own), else the records of its batch with the same
    source and time (a document's chunks)."""
    return ("thread", thread_id) if thread_id is not None else ("batch", source, created_at)


def neighbours(
    texts: Sequence[str], group: Sequence[int], i: int, *, after_window: int = WINDOW
) -> tuple[list[str], list[str]]:
    """The texts up to ``WINDOW`` before and ``after_window`` after the ``i``-th member of
    ``group``."""
    before = [texts[p] for p in group[max(0, i - WINDOW) : i]]
    after = [texts[p] for p in group[i + 1 : i + 1 + after_window]]
    return before, after


def embedding_text(own: str, before: str | None, after: str | None) -> str:
    """What a recall message is embedded as: its text, then its neighbours as context."""
    context = [t[:CONTEXT_CHARS] for t in (before, after) if t]
    return own if not context else f"{own}\n(context: {' | '.join(context)})"


def mix_context(own: np.ndarray, before: np.ndarray | None, after: np.ndarray | None) -> np.ndarray:
    """A record's dense vector from vectors of texts embedded alone: its own plus
    ``NEIGHBOUR_WEIGHT`` times each neighbour's, L2-normalised.

    The neighbour context of ``embedding_text`` without running the model over the
    neighbours again: each text is embedded once (and cached), and the windows of consecutive
    messages, which share two of their three texts, cost one new encoding each.
    """
    mixed = np.array(own, dtype=np.float32)
    for neighbour in (before, after):
        if neighbour is not None:
            mixed += NEIGHBOUR_WEIGHT * neighbour
    norm = float(np.linalg.norm(mixed))
    return mixed / norm if norm > 0 else mixed


DenseContext = Literal["vectors", "text", "previous", "none"]


class RecallDense:
    """How a recall message becomes its vector (the vector stores call it on a batch of
    ``pending_parts``), by ``mode``. Measured on LoCoMo (docs/embedding-cost.md):

    * ``"previous"`` (default): the message and the one before it encoded together. Evidence
      recall@10 0.806 against 0.803 for ``"text"``, for about 70% of its encoder work, and
      the vector no longer depends on whether the next message existed when it was made
      (the background embedder runs between turns, before the next message arrives);
    * ``"text"``: the message with the one before and after it (``embedding_text``);
    * ``"vectors"``: each text encoded alone, once (the embedding cache serves it again as a
      neighbour), the vector mixed from its own and its neighbours' (``mix_context``): about
      40% of the encoder work of ``"text"``, for 0.008 less recall@10;
    * ``"none"``: the message alone (0.014 less).
    """

    def __init__(
        self, embed_texts: Callable[[list[str]], np.ndarray], mode: DenseContext = "previous"
    ) -> None:
        self._embed_texts = embed_texts
        self.mode: DenseContext = mode

    def __call__(self, parts: Sequence[tuple[str, str | None, str | None]]) -> np.ndarray:
        if self.mode == "text":
            return self._embed_texts([embedding_text(*p) for p in parts])
        if self.mode == "previous":
            return self._embed_texts(
                [embedding_text(own, before, None) for own, before, _ in parts]
            )
        if self.mode == "none":
            return self._embed_texts([own for own, _, _ in parts])
        texts = list(dict.fromkeys(t for p in parts for t in p if t is not None))
        vectors = dict(zip(texts, self._embed_texts(texts), strict=True))
        return np.stack(
            [
                mix_context(
                    vectors[own],
                    None if before is None else vectors[before],
                    None if after is None else vectors[after],
                )
                for own, before, after in parts
            ]
        )
