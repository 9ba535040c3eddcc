"""The claim reader's second pass: a claim read from sentence structure and cue words.

For phrasings no frame knows ("Fabio packed up and moved to Seville", "Hamid ist nach Hamburg
gezogen", "Ola bor numera i Bergen"): the subject from the sentence's structure (a leading
name, a possessive or genitive chain, the user, a reporter), the relation from the tagged word
lists (``claim_words.json``), the value from the one name (or phone number) in the rest.
Anything ambiguous claims nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from langgraph_memgpt.memory.text import claim_words as cues
from langgraph_memgpt.memory.text.claim_frames import NEG as _NEG
from langgraph_memgpt.memory.text.claim_frames import PAST_MARK as _PAST_MARK
from langgraph_memgpt.memory.text.claim_frames import Claim, attr_slot, fold, value_of

__all__ = ["normal", "not_a_fact", "read_by_cues", "split_tokens"]

_TOKEN = re.compile(r"\+?\d[\d\-./() ]*\d|[^\W\d_][\w'\-]*|\d+|[:,;—–]")
_LEXICON = cues.LEXICON
_AUX = cues.AUX
_POSSESSIVE_USER = cues.POSSESSIVE_USER
_SEPARATORS = frozenset(":,;—–")
#: Prepositions before a destination or an employer ("moved *to* Porto", "works *at* Nokia");
#: a value after a source preposition ("moved *from* Lisbon") is not the new value.
_TOWARDS = cues.TOWARDS
_AND = cues.AND
_LEADING_VALUE = cues.LEADING_VALUE


def normal(sentence: str) -> str:
    text = unicodedata.normalize("NFKC", sentence).strip().replace("’", "'")
    text = re.sub(r"\b([dlDL])'(?=\w)", r"\1' ", text)  # "d'Ana" -> "d' Ana"
    return re.sub(r"[.!?;]+$", "", text).strip()


def split_tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _base(token: str) -> tuple[str, bool]:
    """("Maya's" -> ("Maya", True)); a possessive ends a name."""
    m = re.match(r"^(.+?)(?:'s|')$", token)
    return (m.group(1), True) if m else (token, False)


def _name(token: str) -> bool:
    """A capitalised word that no lexicon knows: a person's, a place's or a company's name."""
    base, _ = _base(token)
    return base[:1].isupper() and base.casefold() not in _LEXICON and base not in {"I"}


_PERFECT = cues.PERFECT


def _perfect(words: list[str], k: int) -> bool:
    """ "has lived in Munich since May": a present perfect states a current fact."""
    return k > 0 and words[k - 1] in _PERFECT


def _opening_word(tokens: list[str], k: int) -> bool:
    """A sentence's first word, capitalised only for being first: followed by an article or
    a possessive ("After the move", "Following her wedding"), it is no name."""
    return (
        k == 0
        and len(tokens) > 1
        and "'" not in tokens[0]
        and tokens[1].casefold() in _ARTICLE_AFTER_OPENER
    )


#: Articles and possessives that cannot follow a name as a verb could ("Maya a déménagé":
#: French "a" is "has", so it is not here).
_ARTICLE_AFTER_OPENER = cues.ARTICLE_AFTER_OPENER


def not_a_fact(words: list[str]) -> bool:
    """A wish, a plan, a trip, a refusal: no current fact (``not_a_fact`` and
    ``not_a_fact_phrases`` in the data; "may" only as a modal)."""
    for phrase in cues.NOT_A_FACT_PHRASES:
        if any(tuple(words[i : i + len(phrase)]) == phrase for i in range(len(words))):
            return True
    for i, word in enumerate(words):
        if word == "may":  # the month ("in May") is not the modal ("may move")
            if i + 1 < len(words) and words[i + 1][:1].isalpha():
                return True
        elif word in cues.NOT_A_FACT:
            return True
    return False


def _is_copula(words: list[str], i: int) -> int:
    """Length of the copula or change verb at ``words[i]`` (0 when there is none)."""
    for copula in cues.COPULAS:
        if tuple(words[i : i + len(copula)]) == copula:
            return len(copula)
    return 0


def _chain(tokens: list[str], i: int) -> tuple[list[list[str]], int]:
    """The possessive chain after a name: "brother's favourite colour" -> [[brother],
    [favourite, colour]], up to the first word that is a verb, a cue or a name."""
    segments: list[list[str]] = [[]]
    while i < len(tokens) and len(sum(segments, [])) < 5:
        base, possessive = _base(tokens[i])
        low = base.casefold()
        if not base[:1].isalpha() or base[:1].isupper() or low in _AUX:
            break
        if _is_copula([t.casefold() for t in tokens], i) or low in cues.PAST_COPULAS:
            break
        if cues.in_lexicon(low, cues.NOT_A_FACT) or low in cues.REPORTING:
            break
        if (
            any(cues.in_lexicon(low, words) for words in cues.RELATION_CUES.values())
            and segments[-1] == []
        ):
            break  # "Maya's ... lives": the verb, not a part of the subject
        if low in cues.UPDATE | cues.RESTATE and low not in cues.ATTRIBUTE_FRESH:
            break
        segments[-1].append(low)
        if possessive:
            segments.append([])
        i += 1
    return [seg for seg in segments if seg], i


def _subject_at(tokens: list[str], i: int) -> tuple[str, list[list[str]], int] | None:
    """(owner, possessive chain, index after the subject) of the subject at ``tokens[i]``."""
    if i >= len(tokens):
        return None
    low = tokens[i].casefold()
    if low in cues.USER_WORDS:
        owner = cues.USER_WORDS[low]
        if low in _POSSESSIVE_USER:
            chain, j = _chain(tokens, i + 1)
            return (owner, chain, j) if chain else None
        return owner, [], i + 1
    if low in cues.DETERMINERS:  # "El hermano de Ana", "Het telefoonnummer van Dorota"
        for j in range(i + 2, min(i + 7, len(tokens) - 1)):
            if tokens[j].casefold() in cues.GENITIVE and _name(tokens[j + 1]):
                nouns = [t.casefold() for t in tokens[i + 1 : j]]
                k = j + 1
                name: list[str] = []
                while k < len(tokens) and _name(tokens[k]) and len(name) < 3:
                    name.append(_base(tokens[k])[0])
                    k += 1
                return fold(" ".join(name)), [nouns], k
        return None
    if not _name(tokens[i]):
        return None
    name = []
    j = i
    while j < len(tokens) and _name(tokens[j]) and len(name) < 3:
        base, possessive = _base(tokens[j])
        name.append(base)
        j += 1
        if possessive:
            chain, j = _chain(tokens, j)
            return fold(" ".join(name)), chain, j
    return fold(" ".join(name)), [], j


def _strip_value(tokens: list[str]) -> str:
    words = [t for t in tokens if t.casefold() not in cues.UPDATE | cues.RESTATE]
    while words and words[0].casefold() in _LEADING_VALUE | cues.DETERMINERS:
        words.pop(0)
    return value_of(" ".join(words))


def _attribute_claim(owner: str, chain: list[list[str]], rest: list[str]) -> Claim | None:
    words = [t.casefold() for t in rest]
    i = 0
    while i < len(words) and words[i] in cues.UPDATE | cues.RESTATE and not _is_copula(words, i):
        i += 1  # "is now", "still is"; but "remains" is the copula itself
    length = _is_copula(words, i)
    past = False
    if not length and i < len(words) and words[i] in cues.PAST_COPULAS:
        length, past = 1, not _is_copula(words, i + 1)
        if not past:
            length += _is_copula(words, i + 1)
    if not length:
        return None
    attr = chain[-1]
    past = past or any(w in cues.ATTRIBUTE_PAST for w in attr)
    slot = attr_slot(" ".join(w for w in attr if w not in cues.ATTRIBUTE_PAST))
    value_tokens = rest[i + length :]
    if (
        slot in ("residence", "workplace")
        and value_tokens
        and value_tokens[0].casefold() in (_TOWARDS)
    ):
        value_tokens = value_tokens[1:]
    value = _strip_value(value_tokens)
    if not value:
        return None
    subject = ">".join([owner, *(word for seg in chain[:-1] for word in seg)])  # as _subject
    return Claim(subject, slot, value, past=past)


def _value_span(
    tokens: list[str], subject_names: set[str], slot: str
) -> tuple[str, str, int] | None:
    """(value, preposition before it, its index): the one name, or phone number, in the
    predicate."""
    if slot == "attr:phone number":
        numbers = [i for i, t in enumerate(tokens) if sum(c.isdigit() for c in t) >= 5]
        return (tokens[numbers[0]], "", numbers[0]) if len(numbers) == 1 else None
    spans: list[tuple[list[str], str, int]] = []
    i = 0
    while i < len(tokens):
        if _name(tokens[i]) and _base(tokens[i])[0].casefold() not in subject_names:
            before, start = (tokens[i - 1].casefold() if i else ""), i
            span = []
            while i < len(tokens) and _name(tokens[i]):
                span.append(_base(tokens[i])[0])
                i += 1
            spans.append((span, before, start))
        else:
            i += 1
    if len(spans) > 1:
        spans = [span for span in spans if span[1] in _TOWARDS]
    if len(spans) == 1:
        return " ".join(spans[0][0]), spans[0][1], spans[0][2]
    if spans:
        return None
    # No name: the words after the last destination preposition ("moved to the countryside")
    for j in range(len(tokens) - 1, -1, -1):
        if tokens[j].casefold() in _TOWARDS:
            tail = [t for t in tokens[j + 1 :] if t.casefold() not in cues.DETERMINERS]
            if 1 <= len(tail) <= 3 and not any(t.casefold() in _LEXICON for t in tail):
                return " ".join(tail), tokens[j].casefold(), j + 1
            return None
    return None


#: For ``_value_of_another_kind``, built once: the relation lexicons, the pronouns that open
#: a clause of its own, and the words that only link such a pronoun to a value.
_RELATIONS = tuple(cues.RELATION_CUES.values())
_CLAUSE_SUBJECTS = cues.OTHER_PRONOUNS | set(cues.USER_WORDS)
_LINKING = _LEXICON | _AUX | _TOWARDS | {w for c in cues.COPULAS for w in c}


def _value_of_another_kind(
    tokens: list[str], words: list[str], slot: str, value: str, before: str, at: int
) -> bool:
    """The name found is not the relation's value, by the sentence's structure: a person
    one lives with ("moved in with Rowan"), a person by title where a place or an employer
    belongs ("works under Mr Ivanov"), or a name in a later clause with a subject of its own and a verb of its own ("moved on,
    he's seeing Selma": the name is the object of "seeing", not of the relation word before
    the comma; "moved house; she's in Faro" links the pronoun to the value by a copula and a
    preposition only, and stays read)."""
    if slot == "residence" and before in cues.COMPANIONS:
        return True
    if slot in ("residence", "employer") and value.split()[0].casefold() in cues.TITLES:
        return True
    cues_at = [
        k for k, w in enumerate(words[:at]) if any(cues.in_lexicon(w, r) for r in _RELATIONS)
    ]
    return bool(cues_at) and any(
        tokens[k] in _SEPARATORS
        and _base(tokens[k + 1])[0].casefold() in _CLAUSE_SUBJECTS
        and not all(w in _LINKING for w in words[k + 2 : at])
        for k in range(cues_at[-1] + 1, at - 1)
    )


def _in_reporting(token: str) -> bool:
    return token.casefold() in cues.REPORTING


def read_by_cues(sentence: str) -> Claim | None:
    """Read a claim from cue words and sentence structure, for phrasings no pattern knows.

    Subject: the leading name (with its possessive chain: "Maya's brother"), a genitive
    ("El hermano de Ana"), or the user ("I", "my ..."), after frame words ("These days",
    "As of this spring,", "Update:") and before or after a fronted verb ("Jetzt wohnt Hamid
    in Hamburg"); a reported claim is the reporter's ("Priya says her favourite colour is
    amber"). Relation: an attribute with a copula ("Maya's number changed to ...") or else
    the one relation whose cue words the rest of the sentence uses (words of two relations:
    nothing). Value: the one name (or phone number) in the rest; two names, only the one
    after a destination preposition. Anything ambiguous claims nothing.
    """
    tokens = split_tokens(normal(sentence))
    for _ in range(2):  # an opening clause with no name in it: "As of this spring," "Update:"
        cut = next((j for j, t in enumerate(tokens[:9]) if t in _SEPARATORS), 0)
        clause = tokens[:cut]
        if not clause or any(
            _name(t) and not _opening_word(clause, k) for k, t in enumerate(clause)
        ):
            break
        tokens = tokens[cut + 1 :]
    i = 0
    fronted: list[str] = []
    while i < len(tokens) and not _name(tokens[i]) and tokens[i].casefold() not in cues.USER_WORDS:
        low = tokens[i].casefold()
        if low in cues.DETERMINERS and _subject_at(tokens, i):
            break
        if low in cues.FRAME | cues.UPDATE | cues.RESTATE:
            i += 1
        elif len(fronted) < 2 and (
            low in _AUX or any(cues.in_lexicon(low, w) for w in cues.RELATION_CUES.values())
        ):
            fronted.append(tokens[i])  # German / Dutch verb-second: "Jetzt wohnt Hamid in ..."
            i += 1
        else:
            return None
    if i == 0 and _opening_word(tokens, 0):
        return None  # "After the move Rasmus ...": who is the subject is not plain
    found = _subject_at(tokens, i)
    if found is None:
        return None
    owner, chain, j = found
    rest = tokens[j:]
    if rest and not chain and rest[0].casefold() in cues.REPORTING:  # "Priya says (that) ..."
        k = 1 + (len(rest) > 1 and rest[1].casefold() in cues.THAT)
        clause = rest[k:]
        if clause and clause[0].casefold() in cues.OTHER_PRONOUNS:
            chain, m = _chain(clause, 1)
            rest = clause[m:]
            if not chain:  # "she moved to ...": she is the reporter
                rest = clause[1:]
        else:
            return None
    elif [w.casefold() for w in rest[:1]] == ["a"] and rest[1:2] and _in_reporting(rest[1]):
        return None  # "Gwen a dit que ...": not read
    if chain:
        claim = _attribute_claim(owner, chain, rest)
        if claim is not None:
            return replace(claim, negated=bool(_NEG.search(sentence)))
    predicate = fronted + rest
    words = [t.casefold() for t in predicate]
    relations = {
        slot
        for slot, lexicon in cues.RELATION_CUES.items()
        if any(cues.in_lexicon(w, lexicon) for w in words)
    }
    if len(relations) != 1:
        return None
    (slot,) = relations
    if (
        slot in ("residence", "employer")
        and len(words) > 1
        and words[0] in cues.POSSESSION
        and words[1] in cues.DETERMINERS
    ):
        return None  # "has a home in Porto": owns it, may not live there
    names = set(owner.split())
    found_value = _value_span(predicate, names, slot)
    if found_value is None:
        return None
    value, before, at = found_value
    if _value_of_another_kind(predicate, words, slot, value, before, at):
        return None
    if slot == "employer" and before in cues.LOCATION_PREPOSITIONS:
        slot = "workplace"
    # Past words count in the value's own clause: "left her old job and is now at Spotify"
    # states a current fact; "old" belongs to the job she left.
    start = max((k + 1 for k, w in enumerate(words[:at]) if w in _AND), default=0)
    past = bool(_PAST_MARK.search(sentence)) or any(
        w in cues.PAST and not _perfect(words, start + k) for k, w in enumerate(words[start:])
    )
    subject = ">".join([owner, *(word for seg in chain for word in seg)])
    value = value_of(value)
    if not value:
        return None
    # "quit her job at Nokia" ends the fact; "left Lisbon and moved to Porto" states a new one
    ended = [k for k, w in enumerate(words[:at]) if w in cues.ENDED]
    negated = bool(_NEG.search(sentence)) or bool(
        ended and not any(w in _AND for w in words[ended[-1] : at])
    )
    return Claim(subject, slot, value, negated, past)
