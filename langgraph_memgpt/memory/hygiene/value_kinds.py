"""Value-kind agreement: a new value supersedes an older one only if both are the same kind.

The rule reader can read a slot from a verb that names no slot ("switched to", "is") and then
takes whatever follows as the value: "Camille has switched to a keto diet" read against
"Camille works at Canon" would make a diet her employer, and "Anselm's wife is dairy-free"
would replace "Anselm's girlfriend is Ines". Whatever the words, the two values are not of one
kind: a named entity (a capitalised word not opening the sentence) against a kind of thing
(after an indefinite article) or a plain lower-case word in a text whose writer capitalises
names; a number against a name. Where the kind cannot be told (a writer who types everything in
lower case, French or Spanish "a" which is also a preposition), it does not count against.
"""

from __future__ import annotations

import re

from langgraph_memgpt.memory.text import claim_words
from langgraph_memgpt.memory.text.claim_frames import fold
from langgraph_memgpt.memory.text.claim_structure import normal, split_tokens

__all__ = ["kinds_agree", "value_kind"]

_POSSESSIVE = re.compile(r"'s?$")

#: English "a" is an article after these (switched to a ..., for a ...); elsewhere it may be
#: the Romance preposition ("se ha mudado a Madrid"), and then it tells nothing.
_BEFORE_ENGLISH_A = frozenset({"to", "for", "into", "with", "at"})


def value_kind(sentence: str, value: str) -> str | None:
    """``address``, ``number``, ``thing``, ``name`` or ``word`` for ``value`` as ``sentence`` states it;
    None when it cannot be told."""
    if "@" in value:
        return "address"
    if any(c.isdigit() for c in value):
        return "number"
    words = re.findall(r"[\w'-]+", value)
    text = normal(sentence)
    tokens = split_tokens(text)
    for i, word in enumerate(words[:-1]):
        # "a flat in Porto", "; she is in Braga": a name after a preposition is the value's
        if (
            word in claim_words.TOWARDS
            and word != "a"
            and _kind_at(text, tokens, words[i + 1]) == "name"
        ):
            return "name"
    return _kind_at(text, tokens, words[0]) if words else None


def _kind_at(text: str, tokens: list[str], word: str) -> str | None:
    at = next((i for i, t in enumerate(tokens) if _POSSESSIVE.sub("", fold(t)) == word), None)
    if at is None:
        return None
    before = tokens[at - 1].casefold() if at else ""
    if before in claim_words.INDEFINITE:
        return "thing"
    if before == "a":
        two_before = tokens[at - 2].casefold() if at > 1 else ""
        return "thing" if two_before in _BEFORE_ENGLISH_A else None
    if tokens[at][:1].isupper():  # a name, unless it only opens a sentence ("? Yellow")
        opens = at == 0 or re.search(rf"[.!?:]\s*{re.escape(tokens[at])}", text)
        return None if opens else "name"
    capitalises = any(t[:1].isupper() for t in tokens)  # else no case tells a name apart
    return "word" if capitalises else None


def kinds_agree(old_text: str, old_value: str, new_text: str, new_value: str) -> bool:
    """Whether the two values can be one slot's old and new value (unknown kinds agree)."""
    a, b = value_kind(old_text, old_value), value_kind(new_text, new_value)
    return a is None or b is None or a == b
