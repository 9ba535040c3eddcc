"""Fact extraction: which sentences of a user message are worth keeping, and as what.

Decides, sentence by sentence, what a message states: identity facts go to core memory in a
normalised form (:mod:`.identity`), "Remember that ..." is always kept, and any other
declarative sentence is kept for archival memory when it carries content a later question can
ask about (a name, a number, a date). Questions, greetings and small talk state nothing. Saving
too little loses facts once the conversation is evicted; saving everything floods archival
search with filler that outranks the facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from langgraph_memgpt.models.offline.dates import is_month, is_weekday
from langgraph_memgpt.models.offline.identity import identity
from langgraph_memgpt.models.offline.text import (
    SECOND_PERSON,
    WORD_RE,
    bare,
    is_question,
    norm_text,
    sentence_case,
    split_sentences,
    strip_filler,
    words,
)


@dataclass(frozen=True)
class Fact:
    """One fact stated by the user.

    ``label`` is the core block it belongs to (``None``: archival only). ``core_text`` is the
    normalised line for core memory ("Name: Alice", "User lives in Lisbon"); ``archival_text``
    is a sentence that makes sense on its own in archival memory. ``key`` identifies the slot a
    new value replaces ("Name:"), so "My name is Bob" edits the line instead of adding a second.
    """

    label: str | None
    core_text: str
    archival_text: str
    key: str | None = None


REMEMBER_RE = re.compile(
    r"(?i)^(?:(?:can|could|would|will) you )?(?:please )?(?:remember|note|keep in mind|"
    r"don't forget|do not forget|make a note|save|store)(?: that|:)?,?\s+(?P<body>.+?)"
    r"(?:,? please)?[.!?]*$"
)


def has_fact_signal(sentence: str) -> bool:
    """Numbers, months and proper nouns: what makes a sentence worth keeping.

    Weekday names alone do not count: they mark narratives ("On Sunday I cooked soup") far more
    often than lasting facts; "Remember that ..." saves anything explicitly.
    """
    if re.search(r"\d", sentence):
        return True
    tokens = WORD_RE.findall(norm_text(sentence))
    for i, token in enumerate(tokens):
        lower = token.lower().split("'", 1)[0]
        if is_weekday(lower):
            continue  # "On Saturday I walked..." is a story, not a fact to keep
        if len(lower) > 3 and is_month(lower):
            return True
        if i > 0 and token[:1].isupper() and token.split("'", 1)[0] not in {"I", "OK"}:
            return True
    return False


_NOT_A_FACT_START = frozenset(
    "let let's please thanks thank you ok okay sorry can could would maybe perhaps".split()  # noqa: SIM905
)


def extract_facts(text: str) -> list[Fact]:
    """The facts a user message states, one per sentence, in order.

    Identity facts ("My name is Alice", "I live in Lisbon") are normalised for core memory;
    sentences prefixed with "Remember that ..." are always kept; any other declarative sentence
    is kept when it carries a fact signal (a number, a date, a proper noun). Questions and small
    talk state nothing.
    """
    facts: list[Fact] = []
    for raw in split_sentences(text):
        explicit = False
        sentence = bare(raw)
        match = REMEMBER_RE.match(strip_filler(raw))
        if match:
            sentence, explicit = bare(match.group("body")), True
        elif is_question(raw):
            continue
        if not sentence:
            continue
        core = identity(sentence)
        archival_text = sentence_case(sentence)
        if core is not None:
            label, core_text, key = core
            facts.append(Fact(label, core_text, archival_text, key))
            continue
        tokens = words(sentence)
        if explicit or (
            len(tokens) >= 3
            and tokens[0] not in _NOT_A_FACT_START
            and tokens[0] not in SECOND_PERSON
            and has_fact_signal(sentence)
        ):
            facts.append(Fact(None, "", archival_text))
    return facts


def question_of(text: str) -> str | None:
    """The first question (or look-up request) of a message; remember-requests are facts."""
    for raw in split_sentences(text):
        if REMEMBER_RE.match(strip_filler(raw)):
            continue
        if is_question(raw):
            return strip_filler(raw).strip()
    return None
