"""The fallback claim reader: a claim for a sentence no frame reads, by similarity, cautiously.

Most updates the rule decider misses on text nobody here wrote are sentences the claim reader
does not read at all ("guess what, Noor got a place in Ghent", "Vehicle on file for Noor: Kia
Niro (new)"): no frame matches, so no decider sees a claim. When the *older* fact is read, this
reader proposes the new sentence's claim against it, from structure and similarity only:

* **subject** by entity matching: the older claim's person named in the new sentence (not
  followed by a possessive: "Noor's sister" is someone else), or for the user's own facts a
  first-person word ("I", "my");
* **slot** by similarity to known slot exemplars (``slot_exemplars.json``, written for this, and
  the older sentence itself), with every value masked (names, numbers, e-mail addresses become
  ``X``, the subject ``Sam``), compared with the local MiniLM embeddings: the new sentence is
  put in the older claim's slot only if it is closer to that slot than to every other group
  (other slots, and what never replaces a fact: relatives, visits, plans, meetings) by a
  ``margin``, chosen by leave-one-family-out (``bench/_rot_fallback.py``);
* **value** by what differs: exactly one masked value that is not the older one, of the same
  kind (``value_kinds``).

The decider treats its claims more cautiously than the reader's: the reader's past, plan,
negation and ended markers keep a sentence out, and it only ever supersedes (it never merges).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from functools import cached_property
from importlib import resources
from typing import TYPE_CHECKING

from langgraph_memgpt.memory.hygiene.value_kinds import kinds_agree
from langgraph_memgpt.memory.text import claim_words as cues
from langgraph_memgpt.memory.text.claim_frames import NEG, PAST_MARK, Claim
from langgraph_memgpt.memory.text.claim_structure import normal, not_a_fact, split_tokens
from langgraph_memgpt.memory.text.claims import MULTI_VALUED, same_value

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

__all__ = ["FallbackReader", "masked"]

#: The margin by which the older slot must be the closest group: the smallest on a grid of
#: 0.01 at which no pair of the benchmark's ten families that is no update is superseded
#: (``bench/rot_fallback_lofo.py`` fits it per family left out; docs/update-reader.md).
MARGIN = 0.17
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS = re.compile(r"\D+")


def masked(text: str, owner: str) -> tuple[str, list[str], bool, bool]:
    """(``text`` with the subject as ``Sam`` and its values as ``X``, the values, whether the
    subject is named, whether only as an owner: "Noor's sister")."""
    values = _EMAIL.findall(text)
    tokens = split_tokens(normal(_EMAIL.sub("Xmail", text)))
    user = owner in ("user", "us")
    owner_words = owner.split()
    out: list[str] = []
    span: list[str] = []
    named = possessive = False

    def close() -> None:
        if span:
            if any(c.isdigit() for c in " ".join(span)) or not all(
                w.casefold() in cues.LEXICON for w in span
            ):
                values.append(" ".join(span).casefold())
                out.append("X")
            else:
                out.extend(span)  # "since June": a time, no value
            span.clear()

    for i, token in enumerate(tokens):
        owned = token.endswith(("'s", "'"))
        base = re.sub(r"'s?$", "", token)
        low = base.casefold()
        if (user and cues.USER_WORDS.get(low) == owner) or (not user and low in owner_words):
            close()
            mine = owned or (user and low in cues.POSSESSIVE_USER)
            if not (out and out[-1].startswith("Sam")):
                out.append("Sam's" if mine else "Sam")
            named, possessive = True, possessive or mine
        elif token == "Xmail":
            close()
            out.append("X")
        elif any(c.isdigit() for c in token) or (i > 0 and base[:1].isupper() and low != "i"):
            span.append(base)
        else:
            close()
            out.append(token)
    close()
    return " ".join(out), values, named, possessive


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def _exemplars() -> dict[str, list[str]]:
    text = resources.files(__package__).joinpath("slot_exemplars.json").read_text("utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


def _another_kind(sentence: str, value: str, slot: str) -> bool:
    """The value is a person one lives with ("moved in with X") or a titled person ("Dr X")
    where a place or an employer belongs: as the structure pass of the reader rules."""
    first = value.split()[0] if value.split() else ""
    if slot in ("residence", "employer") and first in cues.TITLES:
        return True
    tokens = [t.casefold() for t in split_tokens(normal(sentence))]
    return slot == "residence" and any(
        tokens[i] in cues.COMPANIONS for i in range(len(tokens) - 1) if tokens[i + 1] == first
    )


class FallbackReader:
    """Whether a sentence the reader did not read gives a read older claim's slot a new value."""

    def __init__(self, embeddings: Embeddings | None = None, margin: float = MARGIN) -> None:
        self._embeddings = embeddings
        #: How much closer the older slot must be than any other group (see :data:`MARGIN`).
        self.margin = margin
        self.groups = _exemplars()
        self._cache: dict[str, list[float]] = {}

    @cached_property
    def embeddings(self) -> Embeddings:
        if self._embeddings is not None:
            return self._embeddings
        from langgraph_memgpt.memory.search.embeddings import LocalMiniLMEmbeddings

        return LocalMiniLMEmbeddings()

    def _embed(self, texts: list[str]) -> list[list[float]]:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            if len(self._cache) > 50_000:
                self._cache.clear()
                missing = list(dict.fromkeys(texts))
            for text, vector in zip(missing, self.embeddings.embed_documents(missing), strict=True):
                self._cache[text] = list(vector)
        return [self._cache[t] for t in texts]

    @cached_property
    def _group_vectors(self) -> dict[str, list[list[float]]]:
        return {group: self._embed(list(texts)) for group, texts in self.groups.items()}

    def margin_of(self, new: str, older: str, old: Claim) -> float | None:
        """How much closer ``new`` (values masked) is to ``old``'s slot than to any other
        group; None when structure rules it out (no entity match, a marker, no single new
        value of the older value's kind)."""
        if old.past or old.negated or old.slot in MULTI_VALUED or ">" in old.subject:
            return None
        words = [t.casefold() for t in split_tokens(normal(new))]
        if (
            "?" in new
            or not_a_fact(words)
            or PAST_MARK.search(new)
            or NEG.search(new)
            or any(w in cues.PAST or w in cues.ENDED or w in cues.FALLBACK_CAUTIONS for w in words)
        ):
            return None
        masked_new, values, named, possessive = masked(new, old.subject)
        if not named or possessive:
            return None
        old_digits = _DIGITS.sub("", old.value)
        fresh = [
            v
            for v in dict.fromkeys(values)
            if not same_value(v, old.value)
            and not (old_digits and _DIGITS.sub("", v) == old_digits)
        ]
        if len(fresh) != 1 or not kinds_agree(older, old.value, new, fresh[0]):
            return None
        if _another_kind(new, fresh[0], old.slot):
            return None
        masked_old = masked(older, old.subject)[0]
        a, b = self._embed([masked_new, masked_old])
        mine = [group for group in self._group_vectors if old.slot in group.split("|")]
        own = [b, *(v for group in mine for v in self._group_vectors[group])]
        same = max(_cosine(a, v) for v in own)
        other = max(
            _cosine(a, v)
            for group, vectors in self._group_vectors.items()
            if group not in mine
            for v in vectors
        )
        return same - other

    def new_value(self, new: str, older: str, old: Claim) -> bool:
        """``new`` (which the reader did not read) replaces ``older``'s value of ``old``'s slot."""
        margin = self.margin_of(new, older, old)
        return margin is not None and margin >= self.margin
