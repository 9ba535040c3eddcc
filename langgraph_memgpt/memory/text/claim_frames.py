"""The claim reader's fixed frames: exact English patterns and simple Romance/German ones.

``parse_by_patterns`` is the reader's first pass (and the benchmark's baseline decider): a
sentence that matches one of the frames ("Maya lives in Porto", "Maya's favourite colour is
blue", "The phone number of Maya is ...", "Maya changed her email to ...") is read exactly;
anything else is left to the structure reader (``claim_structure.py``). The multilingual verbs,
markers and time phrases the frames use are data (``claim_words.json``); this module keeps the
shapes, the :class:`Claim` they produce and the value/slot folding both passes share.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from langgraph_memgpt.memory.text import claim_words as cues

__all__ = [
    "ATTRIBUTE_SYNONYMS",
    "NEG",
    "PAST_MARK",
    "Claim",
    "attr_slot",
    "favourite",
    "fold",
    "parse_by_patterns",
    "value_of",
]


@dataclass(frozen=True)
class Claim:
    subject: str  # "maya", "maya>brother", "user"
    slot: str  # "residence", "employer", "attr:favourite colour", ...
    value: str  # normalised value ("porto")
    negated: bool = False  # "no longer lives in Lisbon"
    past: bool = False  # "used to live in Lisbon": stays true, supersedes nothing
    update: bool = False  # an update cue ("now", "moved", "changed", "jetzt", "ahora", ...)
    restated: bool = False  # a restatement cue ("still", "remains", "confirm", "sigue", ...)


_NAME = r"[A-ZÀ-ÖØ-Þ][\w\-]*(?:\s+[A-ZÀ-ÖØ-Þ][\w\-]*)?"
_POSS = (
    # "My friend Maya", "Maya's friend Ana": the name in apposition is the subject
    rf"(?:(?:{_NAME}['’]s|[Mm]y|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur)(?:\s+[a-z][\w\-]*){{1,2}}\s+{_NAME}|"
    rf"(?:{_NAME}['’]s|[Mm]y|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur)(?:\s+[a-z][\w\-]*){{1,3}}"
    rf"(?:['’]s(?:\s+[a-z][\w\-]*){{1,3}})*|{_NAME})"
)

# Leading words that change nothing about the claim.
_LEAD = cues.compile_words("lead", r"^(?:{}\b\s*[:,\-–—!]?\s*)+")
_ADVERBS = cues.compile_words("adverbs", r"\b{}\b")
_TRAILING = cues.compile_words("trailing", r"\s*{}$")
PAST_MARK = cues.compile_words("past_marks", r"\b{}\b")
NEG = cues.compile_words("negations", r"\b{}\b")

# (slot, past, verb pattern). The subject is before the verb, the value after it.
_VERBS = cues.VERBS
_VERB_RE = [
    (slot, past, re.compile(rf"^(?P<subj>{_POSS})\s+(?:{verb})\s+(?P<value>.+)$"))
    for slot, past, verb in _VERBS
]
_AGE_RE = re.compile(
    rf"^(?P<subj>{_POSS})\s+(?:is|turned|has turned|tiene|a|ist|tem|ha)\s+"
    r"(?P<value>\d{1,3})(?:\s+(?:years? old|años|ans|jahre alt|anos|anni))?$"
)
# "Maya's favourite colour is blue", "My phone number changed to ...", "Maya's new job is ..."
_ATTR_RE = re.compile(
    rf"^(?P<owner>{_NAME}|[Mm]y|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur)(?:['’]s)?"
    r"(?P<chain>(?:\s+[a-z][\w\-]*['’]s)*)\s+(?:new\s+)?(?P<attr>[a-z][\w\-]*(?:\s+[a-z][\w\-]*){0,2}?)\s+"
    r"(?:is|are|was changed to|has changed to|changed to|has been changed to|became|has become|"
    r"is set to|has been updated to|was updated to|got changed to)\s+(?P<value>.+)$"
)
# "The favourite colour of Maya is ..." and Romance genitives "El color favorito de Maya es ..."
_OF_RE = re.compile(
    rf"^{cues.any_of(cues.DETERMINERS)}\s+(?P<attr>[\w\- ]+?)\s+"
    rf"(?:of|de|do|da|di|del|della|du|des|von)\s+(?P<owner>{_NAME})\s+"
    r"(?:is|es|est|é|è|ist)\s+(?P<value>.+)$",
    re.IGNORECASE,
)
# "Maya has a new phone number: ...", "I got a new email, ..."
_NEW_ATTR_RE = re.compile(
    rf"^(?P<owner>{_NAME}|I|We)\s+(?:has got|have got|has|have|got|gets)\s+(?:a\s+)?new\s+"
    r"(?P<attr>[a-z][\w\- ]+?)\s*[:,—–]\s*(?P<value>.+)$"
)
# "Maya changed her phone number to ...", "I updated my email to ..."
_CHANGE_RE = re.compile(
    rf"^(?P<owner>{_NAME}|I|We)\s+(?:has |have )?(?:changed|updated|switched|set)\s+"
    r"(?:her|his|their|my|our)\s+(?P<attr>[a-z][\w\- ]+?)\s+to\s+(?P<value>.+)$"
)
# "The roof repair moved to August 16", "Maya's appointment was rescheduled to June 3": a
# dated thing's date changed (read only when the value is a date: a number or a month/weekday).
_RESCHEDULED_RE = re.compile(
    rf"^(?P<owner>{_NAME}|[Mm]y|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur)(?:['’]s)?"
    r"(?P<chain>(?:\s+[a-z][\w\-]*['’]s)*)\s+(?P<attr>[a-z][\w\-]*(?:\s+[a-z][\w\-]*){0,2}?)\s+"
    r"(?:has been |have been |was |were |is |got |has |have )?"
    rf"(?:{cues.alternation('rescheduled')})\s+(?:to|until|till|for)\s+(?P<value>.+)$"
)
_PRONOUN_SUBJECTS = cues.PRONOUN_SUBJECTS
_ARTICLES = re.compile(rf"^{cues.any_of(cues.ARTICLES_IN_VALUES)}\s+", re.IGNORECASE)
ATTRIBUTE_SYNONYMS = cues.ATTRIBUTE_SYNONYMS


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _clean(sentence: str) -> str:
    text = unicodedata.normalize("NFKC", sentence).strip()
    text = text.replace("’", "'")
    text = re.sub(r"[.!?;]+$", "", text).strip()
    text = _LEAD.sub("", text)
    return text[:1].upper() + text[1:] if text else text


def _subject(raw: str) -> str | None:
    """ "Maya's brother" -> "maya>brother"; "I"/"My" -> "user"; a bare pronoun -> None."""
    words = re.sub(r"['’]s\b", "", raw.strip()).split()
    if not words:
        return None
    if len(words) > 1 and words[-1][:1].isupper() and not words[1][:1].isupper():
        tail: list[str] = []  # an apposition: "my friend Maya" is Maya
        while len(words) > 1 and words[-1][:1].isupper():
            tail.insert(0, words.pop())
        return fold(" ".join(tail))
    head = words[0].casefold()
    if head in _PRONOUN_SUBJECTS:
        owner = _PRONOUN_SUBJECTS[head]
    elif head in {"he", "she", "they", "his", "her", "their", "it"}:
        return None  # who? the safe reading is "nobody known"
    else:
        name = [words[0]]
        rest = words[1:]
        while rest and rest[0][:1].isupper():
            name.append(rest.pop(0))
        owner = fold(" ".join(name))
        words = [words[0], *rest]
    chain = [fold(w) for w in words[1:]]
    return ">".join([owner, *chain])


#: One group of a number written with spaces (a phone number): digits, a leading "+" or "(",
#: and the separators people put inside groups.
_NUMBER_GROUP = re.compile(r"[+(]?\d[\d().\-/]*")


def value_of(raw: str) -> str:
    value = _TRAILING.sub("", raw).strip()
    value = _ARTICLES.sub("", value)
    value = re.sub(r"\s+(?:gezogen|umgezogen)$", "", value)
    value = re.sub(r"[\"'“”«»()]", "", value)
    words = fold(re.sub(r"[.,;:!?]+$", "", value)).split()
    if len(words) > 1 and all(_NUMBER_GROUP.fullmatch(w) for w in words):
        return " ".join(words)  # "+34 614 334 468": a number written in groups is one value
    # a trailing time phrase in any language the lexicon knows: "da marzo", "seit Juni"
    end = len(words)
    while end > 1 and (words[end - 1] in cues.FRAME or words[end - 1].isdigit()):
        end -= 1
    if all(w in cues.TIME_PREPOSITIONS for w in words[:end]):
        return " ".join(words[end:])  # "on May 10": the date is the value, not "on"
    return " ".join(words[:end] if len(words) - end >= 2 else words)


def _dated(value: str) -> bool:
    """A value that is a date: it has a number or a month or weekday name ("August 16")."""
    return any(c.isdigit() for c in value) or any(
        w[:1].isupper() and w.casefold() in cues.FRAME for w in value.split()
    )


def attr_slot(attr: str) -> str:
    words = [cues.spelling(w) for w in fold(attr).split()]
    while words and words[0] in cues.ATTRIBUTE_FRESH:
        words.pop(0)
    attr = " ".join(words)
    for canonical, names in _FOLDED_ATTRIBUTE_NAMES.items():
        if attr in names:
            attr = canonical
    return ATTRIBUTE_SYNONYMS.get(attr, f"attr:{attr}")


def _fold_spelling(name: str) -> str:
    return " ".join(cues.spelling(w) for w in name.split())


#: Attribute names with their spellings folded as a sentence's are ("cor favorita" is
#: looked up as "cor favourite").
_FOLDED_ATTRIBUTE_NAMES = {
    canonical: frozenset(_fold_spelling(n) for n in names)
    for canonical, names in cues.ATTRIBUTE_NAMES.items()
}


_SUPERLATIVE = re.compile(
    r"\s+(?:(?:the\s+)?(?:best|most)(?:\s+of\s+all)?|above all|of all|"
    r"(?:over|more than|above|before)\s+(?:any|all|every)\s+other\s+(?P<noun>[^\W\d_]+?)s?)$"
)


def favourite(claim: Claim) -> Claim:
    """ "Likes teal best", "prefers yellow over any other colour": a preference stated as the
    top one is the favourite: ``attr:favourite colour`` when the sentence names the kind,
    else ``attr:favourite`` (which restates a favourite of any kind with the same value, and
    supersedes none)."""
    m = _SUPERLATIVE.search(claim.value)
    if m is None:
        return claim
    value = claim.value[: m.start()].strip()
    if not value:
        return claim
    noun = m.group("noun") or ("colour" if value in cues.COLOURS else None)
    slot = attr_slot(f"favourite {noun}") if noun else "attr:favourite"
    return replace(claim, slot=slot, value=value)


def parse_by_patterns(sentence: str) -> Claim | None:
    """The claim the fixed patterns read (the reader before the cue reader: the benchmark's
    baseline decider), or None."""
    if "?" in sentence or "\n" in sentence.strip():
        return None
    text = _clean(sentence)
    past = bool(PAST_MARK.search(text))
    negated = bool(NEG.search(text))
    if negated:
        text = NEG.sub(" ", text)
        text = re.sub(r"\b(?:live|work|like|love|own|drive)\b", lambda m: m.group(0) + "s", text)
        text = re.sub(r"\bis\s+(?=living|working)", "is ", text)
    text = " ".join(_ADVERBS.sub(" ", text).split())
    for matcher in (_CHANGE_RE, _OF_RE, _NEW_ATTR_RE):
        m = matcher.match(text)
        if m:
            owner = _subject(m.group("owner"))
            value = value_of(m.group("value"))
            if owner and value:
                return Claim(owner, attr_slot(m.group("attr")), value, negated, past)
    m = _RESCHEDULED_RE.match(text)
    if m and _dated(m.group("value")):
        owner = _subject(m.group("owner") + m.group("chain"))
        value = value_of(m.group("value"))
        if owner and value:
            return Claim(owner, attr_slot(m.group("attr")), value, negated, past)
    m = _AGE_RE.match(_TRAILING.sub("", text))  # "turned 40 last week"
    if m:
        subject = _subject(m.group("subj"))
        if subject:
            return Claim(subject, "age", m.group("value"), negated, past)
    for slot, verb_past, pattern in _VERB_RE:
        m = pattern.match(text)
        if m:
            subject = _subject(m.group("subj"))
            value = value_of(m.group("value"))
            if not subject or not value or _names_another_slot(slot, _SUPERLATIVE.sub("", value)):
                return None
            return Claim(subject, slot, value, negated, past or verb_past)
    m = _ATTR_RE.match(text)
    if m and not _reported(m.group("owner"), m.group("attr")):
        owner = _subject(m.group("owner") + m.group("chain"))
        slot = attr_slot(m.group("attr"))
        value = value_of(m.group("value"))
        if slot in ("residence", "workplace"):  # "Liam's new home is in Lisbon"
            value = re.sub(r"^(?:in|at|en|à|em|im)\s+", "", value)
        if owner and value:
            return Claim(owner, slot, value, negated, past)
    return None


@lru_cache(maxsize=64)
def _other_slot_words(slot: str) -> frozenset[str]:
    words: set[str] = set()
    for other, cue_words in cues.RELATION_CUES.items():
        if other != slot:
            words |= {w for w in cue_words if not w.endswith("*")}
    for canonical, names in cues.ATTRIBUTE_NAMES.items():
        if f"attr:{canonical}" != slot:
            words |= {w for name in names for w in name.split()}
    return frozenset(words)


def _names_another_slot(slot: str, value: str) -> bool:
    """ "switched to a new phone number, 555-1629" is no employer: a value that names another
    relation or attribute means the verb pattern read the wrong frame."""
    return any(w in _other_slot_words(slot) for w in re.findall(r"[^\W\d_][\w\-]*", value))


def _reported(owner: str, attr: str) -> bool:
    """ "Celine says navy is her favourite colour": a name with no possessive followed by a
    reporting verb is reported speech, not the attribute "says navy" of Celine."""
    return not owner.endswith(("'s", "’s")) and any(
        w.casefold() in cues.REPORTING for w in attr.split()
    )
