"""A second signal for the rule decider: "same subject, same slot, new value" by similarity.

Where the rule reader cannot read a new sentence ("Noor is with Philips these days"), its
older fact may still be read ("Noor works at Siemens"). Then: the subject is matched as an
entity (the older claim's person is named in the new sentence, with no possessive after the
name: "Noor's sister ..." is someone else), the values are masked (names and numbers other than
the subject become ``X``), and the two masked sentences ("Noor works at X", "Noor is with X
these days") are compared with the local embeddings: close enough, with a value that differs,
is the same slot with a new value. The reader's own markers stay in charge where they are
certain: a wish, plan, past, negated or ended fact never supersedes by similarity.

Off by default (``RuleDecider(similarity=None)``): measured on the benchmark's splits
(docs/update-reader.md), updates and near misses the reader cannot read sit too close together
in masked similarity for a threshold to hold wrong supersedes at the goal on unseen text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from langgraph_memgpt.memory.text import claim_words
from langgraph_memgpt.memory.text.claim_frames import NEG, PAST_MARK, Claim
from langgraph_memgpt.memory.text.claim_structure import normal, not_a_fact, split_tokens
from langgraph_memgpt.memory.text.claims import MULTI_VALUED

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

__all__ = ["NewValueSignal", "SlotSimilarity", "masked"]


class NewValueSignal(Protocol):
    """A second signal for an unread new sentence against a read older claim: this module's
    :class:`SlotSimilarity` or the fallback claim reader (``fallback_reader.py``)."""

    def new_value(self, new: str, older: str, old: Claim) -> bool: ...


def _base(token: str) -> tuple[str, bool]:
    for end in ("'s", "'"):
        if token.endswith(end) and len(token) > len(end):
            return token[: -len(end)], True
    return token, False


def masked(text: str, owner: str) -> tuple[str, list[str], bool]:
    """(``text`` with its values masked, the values, whether ``owner`` is followed by a
    possessive). Values are the capitalised words after the first (names of places, companies,
    people other than ``owner``) and the words with digits."""
    out: list[str] = []
    values: list[str] = []
    possessive = False
    owner_words = owner.split()
    for i, token in enumerate(split_tokens(normal(text))):
        base, owned = _base(token)
        if base.casefold() in owner_words:
            out.append(base)
            possessive = possessive or owned
        elif any(c.isdigit() for c in token) or (i > 0 and base[:1].isupper()):
            values.append(base.casefold())
            if not out or out[-1] != "X":
                out.append("X")
        else:
            out.append(token)
    return " ".join(out), values, possessive


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


class SlotSimilarity:
    """Whether an unread new sentence gives a read older claim's slot a new value."""

    def __init__(self, embeddings: Embeddings, threshold: float = 0.85) -> None:
        self.embeddings = embeddings
        #: Cosine of the two masked sentences at or above which the slot is the same (0.85:
        #: above every near miss of the tuned splits, see docs/update-reader.md).
        self.threshold = threshold

    def new_value(self, new: str, older: str, old: Claim) -> bool:
        """``new`` (which the reader did not read) replaces ``older``'s value of ``old``'s slot."""
        if old.past or old.negated or old.slot in MULTI_VALUED or ">" in old.subject:
            return False
        if old.subject in ("user", "us"):
            return False  # "I", "my": no name to match as an entity
        words = [t.casefold() for t in split_tokens(normal(new))]
        owner = old.subject.split()
        if not any(words[i : i + len(owner)] == owner for i in range(len(words))):
            return False
        if (
            not_a_fact(words)
            or PAST_MARK.search(new)
            or NEG.search(new)
            or any(w in claim_words.PAST or w in claim_words.ENDED for w in words)
        ):
            return False
        masked_new, new_values, possessive = masked(new, old.subject)
        masked_old, old_values, _ = masked(older, old.subject)
        if possessive or not new_values or set(new_values) & set(old.value.split()):
            return False  # someone else's, no value, or the same value
        if set(new_values) == set(old_values):
            return False
        a, b = self.embeddings.embed_documents([masked_old, masked_new])
        return _cosine(a, b) >= self.threshold
