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

from langgraph_memgpt.models.offline.dates import is_month, is_weekday, says_when
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


# Words that open a line addressed to someone: the name after them is who is spoken to.
_INTERJECTIONS = (
    "hey|hi|hello|hiya|howdy|wow|whoa|thanks|thank you|yep|yeah|yes|congrats|congratulations"
    "|oh|aw+|ok|okay|sure|well|dear|sorry|haha|great|cool|nice|awesome|good|bye|goodbye|love you"
)
_VOCATIVE_RE = re.compile(
    rf"^(?:(?i:{_INTERJECTIONS})\b[,!.]?\s*)+[A-Z][\w'-]*\b[,!.]*\s*"  # "Hey Mel! ..."
    r"|,\s*[A-Z][\w'-]*[.!?]*\s*$"  # "... that's awesome, Caroline!"
)
_SPEAKER_RE = re.compile(
    r"^(?P<speaker>[A-Z][\w'-]*(?: [A-Z][\w'-]*)?):\s+(?P<text>\S.*)$", re.DOTALL
)
# "Note: ..." or "PS: ..." label a line; they do not name who says it.
_NOT_SPEAKERS = frozenset(
    [
        "note",
        "notes",
        "remember",
        "reminder",
        "ps",
        "fyi",
        "update",
        "todo",
        "name",
        "age",
        "q",
        "a",
        "re",
        "subject",
        "warning",
        "error",
        "important",
        "tip",
        "edit",
        "nb",
    ]  # noqa: SIM905
)
_ASIDE_RE = re.compile(r"^\([^)]*\)\s*")


def speaker_of(text: str) -> tuple[str | None, str]:
    """("Melanie", "I signed up ...") for a line of a transcript ("Melanie: I signed up ..."),
    (None, text) for anything else. A leading "(aside)", such as a date, is dropped."""
    text = _ASIDE_RE.sub("", text.strip())
    match = _SPEAKER_RE.match(text)
    if match and match.group("speaker").lower() not in _NOT_SPEAKERS:
        body = match.group("text")
        if len(body.split()) >= 2:
            return match.group("speaker"), body
    return None, text


def without_vocatives(sentence: str) -> str:
    """The sentence without the name of whoever it is addressed to: "Wow, Caroline!" says
    nothing about Caroline, and must not pass for a sentence about a named person."""
    previous = None
    while previous != sentence:
        previous, sentence = sentence, _VOCATIVE_RE.sub("", sentence).strip()
    return sentence


def has_fact_signal(sentence: str) -> bool:
    """Numbers, dates and proper nouns: what makes a sentence worth keeping.

    A date can be a calendar one ("3 March", "May 2023") or one relative to the speaker's day
    ("yesterday", "last Friday", "two weeks ago"). Weekday names alone do not count: they mark
    narratives ("On Sunday I cooked soup") far more often than facts someone will ask about; a
    name the sentence is addressed to ("Thanks, Bob!") does not count either; "Remember that
    ..." saves anything explicitly.
    """
    sentence = without_vocatives(sentence)
    if re.search(r"\d", sentence) or says_when(sentence):
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
    is kept when it carries a fact signal (a number, a date, a proper noun), wherever it stands
    in the message: a greeting that names its addressee is not the informative sentence. In a
    transcript line ("Melanie: Hey Caroline! I signed up for a pottery class yesterday.") every
    saved sentence keeps its speaker, and none is taken for the user's identity: it is
    Melanie's. Questions and small talk state nothing.
    """
    speaker, body = speaker_of(text)
    facts: list[Fact] = []
    for raw in split_sentences(body):
        explicit = False
        sentence = bare(raw)
        match = REMEMBER_RE.match(strip_filler(raw))
        if match:
            sentence, explicit = bare(match.group("body")), True
        elif is_question(raw):
            continue
        if not sentence:
            continue
        archival_text = sentence_case(sentence)
        if speaker is not None:
            archival_text = f"{speaker}: {archival_text}"
        core = identity(sentence) if speaker is None else None
        if core is not None:
            label, core_text, key = core
            facts.append(Fact(label, core_text, archival_text, key))
            continue
        tokens = words(without_vocatives(sentence))
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
