"""What a (new fact, older fact) pair looks like to the learned update decider: numbers, not rules.

"Same subject, same slot, new value" is decided from structure and similarity, each a feature:

* **subject** by entity matching: the older fact's person (the reader's subject, else its first
  name) is named in the new sentence, not only as someone's owner ("Ana's cousin ...");
* **slot** by comparing the two sentences with their values masked: names, numbers, dates and
  addresses other than the subject become ``X`` and the subject a fixed name, so "Ana lives in
  Porto" and "Ana has settled in Leeds" compare as "Sam lives in X" / "Sam has settled in X"
  (local MiniLM embeddings), beside the overlap of their remaining words;
* **value** by what differs: whether the new sentence repeats the older value, has a value of
  the same kind (number, address, name) that the older one lacks, or has none;
* the reader's markers (past, negation, not a fact, "still", "now") and its own reading of
  the pair, as evidence the model weighs, not as a verdict.

:mod:`.learned_decider` combines them with weights fitted by ``bench/update_train.py``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from langgraph_memgpt.memory.text import claim_words as cues
from langgraph_memgpt.memory.text.claim_frames import NEG, PAST_MARK, Claim
from langgraph_memgpt.memory.text.claim_structure import normal, not_a_fact, split_tokens
from langgraph_memgpt.memory.text.claims import parse_claim, same_value

__all__ = ["FEATURES", "Side", "pair_features", "pair_texts", "side"]

#: The names of the features, in the order of the vector (the weights file lists them too).
FEATURES = (
    "bias",
    "sim_masked",
    "sim_raw",
    "subject_named",
    "subject_owner_only",
    "owner_only_match",
    "old_about_relative",
    "word_overlap",
    "new_has_value",
    "same_value",
    "value_differs",
    "value_kind_match",
    "new_past",
    "new_negated",
    "new_not_a_fact",
    "new_restate_cue",
    "new_update_cue",
    "old_past",
    "reader_same_slot",
    "reader_other_slot",
    "reader_other_subject",
    "rule_supersede",
    "rule_restate",
    "subject_x_sim",
    "differs_x_sim",
    "same_x_sim",
    # Added with the training families of issue 24: value kinds finer than number / name /
    # address (a phone number is no price), a year (a dated, past fact), the subject opening
    # the sentence, several new values in one line.
    "kind_fine_match",
    "new_kind_not_in_old",
    "new_year",
    "subject_first",
    "new_values_many",
    "slot_word",
)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_STOP = frozenset(
    re.findall(
        r"\w+",
        "a an the is are am was were be been to of in on at for and or but that this it its i "
        "my me we our you your he she they his her their so as s",
    )
)
SUBJECT = "Sam"


@dataclass(frozen=True)
class Side:
    """One sentence as the features see it, for one subject."""

    masked: str
    values: frozenset[str]
    kinds: frozenset[str]
    words: frozenset[str]
    named: bool  # the subject is named (alone or as an owner)
    owner_only: bool  # named only with a possessive ("Ana's cousin", "Ana's number")


def _kind(value: str) -> str:
    if "@" in value:
        return "address"
    return "number" if any(c.isdigit() for c in value) else "name"


def _stem(word: str) -> str:
    return word[:5]


@lru_cache(maxsize=4096)
def side(text: str, subject: str) -> Side:
    """``text`` with its values masked for ``subject`` (a casefolded name, may be empty)."""
    emails = _EMAIL.findall(text)
    text = _EMAIL.sub(" Xmail ", text)
    owner = subject.split()
    out: list[str] = []
    values: set[str] = {e.casefold() for e in emails}
    words: set[str] = set()
    named = owner_only = False
    tokens = split_tokens(normal(text))
    for i, token in enumerate(tokens):
        base, possessive = token, False
        for end in ("'s", "'"):
            if token.endswith(end) and len(token) > len(end):
                base, possessive = token[: -len(end)], True
        low = base.casefold()
        if owner and low == owner[0]:
            out.append(SUBJECT + ("'s" if possessive else ""))
            owner_only = possessive and (owner_only or not named)
            named = True
        elif base == "Xmail" or any(c.isdigit() for c in token):
            if base != "Xmail":
                values.add(re.sub(r"\D", "", token) or low)
            if not out or out[-1] != "X":
                out.append("X")
        elif i > 0 and base[:1].isupper() and low not in cues.LEXICON and low not in owner:
            values.add(low)
            if not out or out[-1] != "X":
                out.append("X")
        else:
            out.append(token)
            if low not in _STOP and low not in owner and token not in ":,;—–":
                words.add(_stem(low))
    return Side(
        " ".join(out),
        frozenset(values),
        frozenset(_kind(v) for v in values),
        frozenset(words),
        named,
        owner_only,
    )


_MONTHS = cues.words("months")
_CURRENCIES = cues.words("currencies")
_PHONE = re.compile(r"\+?\d[\d \-./()]{4,}\d")
_MONEY_SIGN = re.compile(r"[€$£]\s?\d|\d\s?[€$£]")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


@lru_cache(maxsize=4096)
def value_kinds(text: str) -> frozenset[str]:
    """The kinds of value a sentence states, finer than :func:`_kind`: ``email``, ``phone`` (a
    run of six digits or more), ``date`` (a number beside a month name), ``price`` (a number
    beside a currency word or symbol), ``number`` (any other), ``name`` (a capitalised word
    after the first that no word list knows)."""
    kinds: set[str] = set()
    if _EMAIL.search(text):
        kinds.add("email")
        text = _EMAIL.sub(" ", text)
    for run in _PHONE.finditer(text):
        if len(re.sub(r"\D", "", run.group())) >= 6:
            kinds.add("phone")
            text = text.replace(run.group(), " ")
    if _MONEY_SIGN.search(text):
        kinds.add("price")
    tokens = split_tokens(normal(text))
    low = [t.casefold().strip(".,;:!?()") for t in tokens]
    for i, token in enumerate(low):
        if any(c.isdigit() for c in token):
            near = set(low[max(0, i - 2) : i + 3])
            if near & _MONTHS:
                kinds.add("date")
            elif near & _CURRENCIES or any(c in token for c in "€$£"):
                kinds.add("price")
            else:
                kinds.add("number")
        elif i > 0 and tokens[i][:1].isupper() and token not in cues.LEXICON:
            kinds.add("name")
    if kinds & {"date", "price", "phone"}:
        kinds.discard("number")  # the parts of "1,100 euros" or "March 14, 2026"
    return frozenset(kinds)


def slot_words(claim: Claim | None) -> frozenset[str]:
    """The words that name the slot of ``claim`` in the reader's tagged data: its relation's
    words ("moved", "woont", "reloca*"), or its attribute's names ("number", "handynummer")."""
    if claim is None:
        return frozenset()
    if claim.slot in cues.RELATION_CUES:
        return cues.RELATION_CUES[claim.slot]
    attribute = claim.slot.removeprefix("attr:")
    names = cues.ATTRIBUTE_NAMES.get(attribute, frozenset({attribute}))
    return frozenset(word for name in names | {attribute} for word in name.split())


def _markers(text: str) -> tuple[bool, bool, bool, bool, bool]:
    """(past, negated, not a fact, restatement cue, update cue) as the reader's lexicons say."""
    norm = normal(text)
    words = [t.casefold() for t in split_tokens(norm)]
    past = bool(PAST_MARK.search(norm)) or any(w in cues.PAST or w in cues.ENDED for w in words)
    return (
        past,
        bool(NEG.search(norm)),
        not_a_fact(words),
        any(w in cues.RESTATE for w in words),
        any(w in cues.UPDATE for w in words),
    )


def subject_of(text: str, claim: Claim | None) -> tuple[str, bool]:
    """(the older fact's person, casefolded, or ""; whether the fact is about a relative of
    them): the reader's subject, else the first capitalised word."""
    if claim is not None and claim.subject not in ("user", "us"):
        head, _, rest = claim.subject.partition(">")
        return head, bool(rest)
    for token in split_tokens(normal(text)):
        base = token.split("'")[0]
        if base[:1].isupper() and base.casefold() not in cues.LEXICON:
            return base.casefold(), False
    return "", False


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def _claim_values(value: str) -> set[str]:
    """The reader's value as the masking would write it: a number as its digits."""
    if any(c.isdigit() for c in value):
        return {re.sub(r"\D", "", value)}
    return {w for w in re.findall(r"\w+", value.casefold()) if w not in _STOP}


def _values_match(old: frozenset[str], new: frozenset[str], new_text: str) -> bool:
    """Every older value comes back in the new sentence (a long number digit for digit)."""
    if not old:
        return False
    digits = re.sub(r"\D", "", new_text)
    low = new_text.casefold()

    def found(value: str) -> bool:
        if value in new:
            return True
        if value.isdigit():
            return len(value) >= 5 and value in digits
        return re.search(rf"(?<!\w){re.escape(value)}(?!\w)", low) is not None

    return all(found(v) for v in old)


def pair_texts(new: str, old: str) -> list[str]:
    """The four texts a pair's features embed: both sentences masked, and as written."""
    subject, _ = subject_of(old, parse_claim(old))
    return [side(old, subject).masked, side(new, subject).masked, old, new]


def pair_features(
    new: str,
    old: str,
    embed: Callable[[list[str]], list[list[float]]],
    rule_ops: frozenset[str] = frozenset(),
) -> list[float]:
    """The feature vector (in :data:`FEATURES` order) of ``new`` against the older ``old``;
    ``embed`` embeds texts (MiniLM); ``rule_ops`` what the rule decider proposes for the pair."""
    old_claim, new_claim = parse_claim(old), parse_claim(new)
    subject, relative = subject_of(old, old_claim)
    a, b = side(old, subject), side(new, subject)
    old_values = set(a.values)
    new_values = set(b.values)
    if old_claim is not None:
        old_values |= _claim_values(old_claim.value)
    if new_claim is not None:
        new_values |= _claim_values(new_claim.value)
    same = _values_match(frozenset(old_values), frozenset(new_values), new)
    if old_claim is not None and new_claim is not None:
        same = same or same_value(old_claim.value, new_claim.value)
    differs = bool(new_values - old_values) and not same
    vectors = embed([a.masked, b.masked, old, new])  # as pair_texts lists them
    sim_masked, sim_raw = _cosine(vectors[0], vectors[1]), _cosine(vectors[2], vectors[3])
    union = a.words | b.words
    overlap = len(a.words & b.words) / len(union) if union else 0.0
    past, negated, not_fact, restate, update = _markers(new)
    both = old_claim is not None and new_claim is not None
    same_subject = both and old_claim.subject == new_claim.subject  # type: ignore[union-attr]
    same_slot = same_subject and old_claim.slot == new_claim.slot  # type: ignore[union-attr]
    named = b.named and not relative
    kinds_old, kinds_new = value_kinds(old), value_kinds(new)
    named_slot = slot_words(old_claim)
    new_tokens = split_tokens(normal(new))
    b_tokens = {t.casefold().strip(".,;:!?()") for t in new_tokens}
    first = new_tokens[:1]
    leads = bool(first) and bool(subject) and first[0].split("'")[0].casefold() == subject
    return [
        1.0,
        sim_masked,
        sim_raw,
        float(named),
        float(b.owner_only),
        float(b.owner_only == a.owner_only),
        float(relative),
        overlap,
        float(bool(new_values)),
        float(same),
        float(differs),
        float(bool(a.kinds & b.kinds)),
        float(past),
        float(negated),
        float(not_fact),
        float(restate),
        float(update),
        float(bool(old_claim is not None and old_claim.past)),
        float(same_slot),
        float(same_subject and not same_slot),
        float(both and not same_subject),
        float("supersede" in rule_ops),
        float("noop" in rule_ops),
        float(named) * sim_masked,
        float(differs) * sim_masked,
        float(same) * sim_masked,
        float(bool(kinds_old & kinds_new - {"name"})),
        float(bool(kinds_new - kinds_old - {"name"})),
        float(bool(_YEAR.search(new))),
        float(leads),
        float(len(new_values - old_values) > 1),
        float(any(cues.in_lexicon(w, named_slot) for w in b_tokens)),
    ]
