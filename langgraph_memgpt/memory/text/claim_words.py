"""The claim reader's word lists, loaded once from ``claim_words.json``, and their lookups.

A sentence's relation is told by *which words it uses*, not by the exact frame they sit in:
"Fabio packed up and moved to Seville", "These days Liam calls Seville home" and "Hamid ist
nach Hamburg gezogen" all carry a residence word next to one place name. So the data file lists
words per relation and per role (update, restatement, past, not-a-fact, grammar words), each
entry tagged with its role, and the reader (``claims.py``, ``claim_frames.py``,
``claim_structure.py``) combines them with the sentence's structure. Words are matched as whole
lower-case tokens; entries ending in ``*`` match as prefixes (``reloca*``). A word missing
from the lists makes the reader return nothing (the safe failure); a word in two relations
makes it return nothing too. Adding a language is an edit of the data file, not of the code.

Languages: English, Spanish, Portuguese, French, Italian, German, Dutch, the Scandinavian
languages, Polish, Catalan and Romanian (common forms only). This module knows no storage.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = [
    "ATTRIBUTE_NAMES",
    "ATTRIBUTE_SYNONYMS",
    "RELATION_CUES",
    "USER_WORDS",
    "alternation",
    "in_lexicon",
    "spelling",
    "word_set",
    "words",
]


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("claim_words.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def words(name: str) -> frozenset[str]:
    """The word set of the entry ``name``."""
    return frozenset(_data()[name]["words"])


def mapping(name: str) -> dict[str, Any]:
    """The map of the entry ``name``."""
    return dict(_data()[name]["map"])


def entry(name: str) -> dict[str, Any]:
    """The whole entry ``name`` (tag, about and its data)."""
    return dict(_data()[name])


def alternation(name: str) -> str:
    """The regex alternatives of the entry ``name``, joined in order as ``(?:a|b|...)``."""
    return "(?:" + "|".join(_data()[name]["regex"]) + ")"


def word_set(text: str) -> frozenset[str]:
    """The words of a space-separated list (for small local lists)."""
    return frozenset(text.split())


def in_lexicon(word: str, lexicon: frozenset[str]) -> bool:
    """``word`` is in ``lexicon``, where an entry ending in ``*`` is a prefix ("reloca*")."""
    return word in lexicon or any(e.endswith("*") and word.startswith(e[:-1]) for e in lexicon)


#: Relation -> words that name it. Slots are the ones the reader's claims use.
RELATION_CUES: dict[str, frozenset[str]] = {
    slot: frozenset(cue_words) for slot, cue_words in mapping("relations").items()
}
LOCATION_PREPOSITIONS = words("location_prepositions")
NOT_A_FACT = words("not_a_fact")
#: Phrases that make a sentence no current fact where their words alone do not ("turned down").
NOT_A_FACT_PHRASES: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split()) for p in _data()["not_a_fact_phrases"]["phrases"]
)
ENDED = words("ended")
POSSESSION = words("possession")
PAST = words("past")
UPDATE = words("update")
RESTATE = words("restate")
FRAME = words("frame")
#: Copulas as token sequences, longest first.
COPULAS: tuple[tuple[str, ...], ...] = tuple(
    sorted((tuple(p.split()) for p in _data()["copulas"]["phrases"]), key=len, reverse=True)
)
PAST_COPULAS = words("past_copulas")
ATTRIBUTE_NAMES: dict[str, frozenset[str]] = {
    canonical: frozenset(names) for canonical, names in mapping("attribute_names").items()
}
ATTRIBUTE_SPELLINGS: dict[str, str] = mapping("attribute_spellings")
ATTRIBUTE_FRESH = words("attribute_fresh")
ATTRIBUTE_PAST = words("attribute_past")
ATTRIBUTE_SYNONYMS: dict[str, str] = mapping("attribute_synonyms")
#: Articles, listed once in the data: the first words of a genitive subject ("El hermano de
#: Ana"), dropped before a value, and (less those that are other words too, plus the
#: possessives) what follows a capitalised opening word that is no name ("After the move").
DETERMINERS = words("articles")
ARTICLE_AFTER_OPENER = (DETERMINERS - words("articles_other_words")) | words("possessives")
#: Articles cut off the start of a value ("the countryside"), less those that open names.
ARTICLES_IN_VALUES = DETERMINERS - words("articles_open_names")
GENITIVE = words("genitive")
#: Value kinds (tagged "value"): a thing after an indefinite article, a person after a title,
#: a companion after "with" (see memory/hygiene/value_kinds.py and the structure pass).
INDEFINITE = words("articles_indefinite")
TITLES = words("titles")
COMPANIONS = words("companions")
#: Contrasts and hedges that keep a sentence out of the fallback claim reader.
FALLBACK_CAUTIONS = words("fallback_cautions")
USER_WORDS: dict[str, str] = mapping("user_words")
PRONOUN_SUBJECTS: dict[str, str] = mapping("pronoun_subjects")
OTHER_PRONOUNS = words("other_pronouns")
REPORTING = words("reporting")
THAT = words("that")
COLOURS = words("colours")
AUX = words("aux")
POSSESSIVE_USER = words("possessive_user")
TOWARDS = words("towards")
AND = words("and")
LEADING_VALUE = words("leading_value")
TIME_PREPOSITIONS = words("time_prepositions")
PERFECT = words("perfect")
#: The pattern reader's verb frames: (slot, past?, verb regex).
VERBS: list[tuple[str, bool, str]] = [
    (f["slot"], bool(f["past"]), f["verb"]) for f in _data()["verbs"]["frames"]
]
#: Every word some lexicon knows: a capitalised word outside it is a name.
LEXICON: frozenset[str] = frozenset().union(
    FRAME,
    DETERMINERS,
    GENITIVE,
    USER_WORDS,
    OTHER_PRONOUNS,
    NOT_A_FACT,
    UPDATE,
    RESTATE,
    PAST,
    REPORTING,
    *RELATION_CUES.values(),
)


def spelling(word: str) -> str:
    """One spelling for a word of an attribute name ("favorite" -> "favourite")."""
    return ATTRIBUTE_SPELLINGS.get(word, word)


def any_of(items: frozenset[str]) -> str:
    """A regex alternation of literal words, longest first: ``(?:los|la|l')``."""
    return "(?:" + "|".join(re.escape(w) for w in sorted(items, key=lambda w: (-len(w), w))) + ")"


def compile_words(name: str, template: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """``template`` with ``{}`` replaced by the alternation of the entry ``name``."""
    return re.compile(template.replace("{}", alternation(name)), flags)
