"""What a one-line fact claims: (subject, slot, value), the reader's entry points.

"Maya moved to Porto" and "Maya vive en Lisboa" both claim ``(maya, residence, ...)``, so the
newer one supersedes the older; "Maya's brother lives in Porto" claims ``(maya>brother,
residence, porto)``, another subject, and "Maya works in Porto" another slot, so neither touches
"Maya lives in Lisbon". A sentence the patterns do not read gives ``None`` and the decider then
changes nothing: the safe failure of a rule-based reader is a stale fact left visible, never a
current fact hidden. Past-tense claims ("used to live", "lived in ... as a child") are marked
``past``: they stay true and never supersede anything.

Slots are language-independent names, so an English update supersedes a Spanish fact. One
reader in two passes: fixed frames (``claim_frames.py``: English plus simple Spanish, French,
German, Portuguese and Italian forms) first, then, for what they miss, the structure pass
(``claim_structure.py``, :func:`read_by_cues`) that finds the subject from the sentence's
structure (leading name, possessive or genitive chain, the user, a reporter) and the relation
from word lists per language. All word lists are tagged data in ``claim_words.json`` (loaded
once by ``claim_words.py``: relation, update, restatement, past, ended, not-a-fact, grammar
words), so phrasings nobody wrote a pattern
for ("Fabio packed up and moved to Seville", "Hamid ist nach Hamburg gezogen", "Ola bor
numera i Bergen") are read, and ambiguous ones are not.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from langgraph_memgpt.memory.text import claim_words as cues
from langgraph_memgpt.memory.text.claim_frames import (
    ATTRIBUTE_SYNONYMS,
    Claim,
    favourite,
    fold,
    parse_by_patterns,
)
from langgraph_memgpt.memory.text.claim_frames import NEG as _NEG
from langgraph_memgpt.memory.text.claim_frames import PAST_MARK as _PAST_MARK
from langgraph_memgpt.memory.text.claim_structure import normal as _normal
from langgraph_memgpt.memory.text.claim_structure import not_a_fact as _not_a_fact
from langgraph_memgpt.memory.text.claim_structure import read_by_cues
from langgraph_memgpt.memory.text.claim_structure import split_tokens as _tokens

__all__ = [
    "ATTRIBUTE_SYNONYMS",
    "Claim",
    "disagree",
    "parse_by_patterns",
    "parse_claim",
    "read_by_cues",
    "restates_unread",
    "same_value",
]

_RESTATE_PHRASE = cues.compile_words("restate_phrases", r"\b{}\b")

_ASKED_AND_ANSWERED = re.compile(r"^(?P<head>[^?]+?['’]s\s[^?]+?)\s*[?:]\s+(?P<rest>[^?]+)$")


def _answered_question(sentence: str) -> str:
    """ "Maya's favourite colour? Yellow, as of now." and "Maya's number: 555-0100" state a
    fact as an attribute and its value: read as "Maya's favourite colour is Yellow, ..."."""
    m = _ASKED_AND_ANSWERED.match(sentence.strip())
    if m is None or any(w.casefold() in cues.REPORTING for w in m.group("head").split()):
        return sentence  # "Maya's brother said: ..." quotes someone
    return f"{m.group('head')} is {m.group('rest')}"


_LABEL = re.compile(r"^\s*([^\W\d_][\w.'’-]*(?:\s+[^\W\d_][\w.'’-]*){0,2})\s*:\s")


def _transcript_line(sentence: str) -> bool:
    """ "John: Yeah, working together is great": a line of a transcript, whose leading name is
    who spoke, not what the line is about (read as a claim it would be "John works ...").
    Frame words before a colon ("Update:", "Big news:", "Heads up:") are not a speaker."""
    m = _LABEL.match(sentence)
    return m is not None and not all(w.casefold() in cues.FRAME for w in m.group(1).split())


#: A year. Two different years in one fact make it a closed period ("was employed at Thales
#: from 2015 to 2018", "2019-2021"): a dated past, true then, that replaces nothing current.
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


@lru_cache(maxsize=8192)
def parse_claim(sentence: str) -> Claim | None:
    """The claim of a one-sentence fact, or None when neither reader reads it.

    The patterns (exact English frames and simple Romance/German ones) are tried first; a
    sentence they do not read goes to the cue reader (:func:`read_by_cues`), which works from
    lexicons of relation, update, restatement and past words in several languages. A
    sentence that is not a current fact (a wish, a plan, a trip: ``not_a_fact`` in the data)
    claims nothing, whichever reader would read it. Cached: a decision reads the same older
    records again and again (a claim is immutable)."""
    sentence = _answered_question(sentence)
    if "?" in sentence or "\n" in sentence.strip() or _transcript_line(sentence):
        return None
    words = [t.casefold() for t in _tokens(_normal(sentence))]
    if _not_a_fact(words):
        return None
    claim = parse_by_patterns(sentence) or read_by_cues(sentence)
    if claim is None:
        return None
    if claim.slot == "likes":
        claim = favourite(claim)
    return replace(
        claim,
        past=claim.past or len(set(_YEAR.findall(sentence))) > 1,
        update=any(w in cues.UPDATE for w in words),
        restated=any(w in cues.RESTATE for w in words) or bool(_RESTATE_PHRASE.search(sentence)),
    )


_DIGITS = re.compile(r"\D+")


def restates_unread(sentence: str, older: Claim) -> bool:
    """A sentence the readers do not read that still plainly restates ``older``: it names
    ``older``'s subject (a person, not "Maya's brother", with no possessive after the name),
    contains its whole value, says nothing has changed ("still", "remains", "sigue", ...) or
    repeats a phone-like value digit for digit, and is no wish, plan, past or negated fact.
    "Dorota is still at Philips" restates "Dorota works at Philips"; "Dorota's office is
    still at Philips" or "Dorota visited Philips" does not."""
    if older.past or older.negated or ">" in older.subject or older.subject in ("user", "us"):
        return False
    text = _normal(sentence)
    words = [t.casefold() for t in _tokens(text)]
    if (
        _not_a_fact(words)
        or _NEG.search(text)
        or _PAST_MARK.search(text)
        or any(w in cues.PAST or w in cues.ENDED for w in words)
    ):
        return False
    owner = older.subject.split()
    if not any(words[i : i + len(owner)] == owner for i in range(len(words))):
        return False
    if re.search(rf"\b{re.escape(older.subject)}['’]", fold(sentence)):
        return False  # "Dorota's office ...": another subject
    digits = _DIGITS.sub("", older.value)
    if len(digits) >= 5:  # a phone-like value repeated digit for digit
        return digits in _DIGITS.sub("", text)
    value = older.value.split()
    if not value or not all(v in words for v in value):
        return False
    return any(w in cues.RESTATE for w in words) or bool(_RESTATE_PHRASE.search(sentence))


def disagree(a: Claim, b: Claim) -> bool:
    """Two current claims of one single-valued slot of one subject, with different values:
    one of them is stale ("lives in Lisbon", "ist nach Hamburg gezogen")."""
    return (
        (a.subject, a.slot) == (b.subject, b.slot)
        and a.slot not in MULTI_VALUED
        and not (a.past or a.negated or b.past or b.negated)
        and not same_value(a.value, b.value)
    )


def same_value(a: str, b: str) -> bool:
    """One value restates the other ("porto" and "porto portugal"; "42" and "42")."""
    if a == b:
        return True
    ta, tb = set(re.findall(r"\w+", a)), set(re.findall(r"\w+", b))
    return bool(ta) and bool(tb) and (ta <= tb or tb <= ta)


#: Slots that hold several values at once: a new value adds, only a negation of the same
#: value ("no longer likes coffee") retires one.
MULTI_VALUED = {"likes", "visited", "studies", "attr:favourite"}  # a favourite of unknown kind
