"""Subject-aware ranking: a question about one person ranks that person's facts first.

Lexical and dense rankers weigh a name like any other word. "Where does Marco live?" shares
"live" with every "X lives in Y" record and only "Marco" with "Marco trabaja en Microsoft" or
"Marco packed up and moved to Seville", so other people's facts about the same relation
outrank the subject's own, most of all when the subject's fact is phrased differently or in
another language. Memory systems with an entity layer (Mem0's graph memory, Zep's Graphiti)
fix this by extracting entities with a model; offline we read the same thing the supersede
decider reads (``claims.parse_claim``: subject, slot, value) and raise, among the fused
candidates, the records whose subject is the one the question names, and among those the ones
whose slot the question asks about ("live", "city", "colour", "number", in any language the
cue lexicons know).

The boost never drops a record and changes nothing when the question names no subject that a
candidate record is about. Only records containing one of the question's capitalised names
(or "I"/"my" for the user) are read, so a question naming nobody costs no reading, and a
transcript line ("John: ...") is never a claim about its speaker (``claims.parse_claim``), so
transcript search is left as it was. "Maya's brother" is a subject of its own: "Where does
Maya live?" does not raise "Maya's brother lives in Porto".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from itertools import combinations

from langgraph_memgpt.memory.text import claim_words as cues
from langgraph_memgpt.memory.text.claims import (
    ATTRIBUTE_SYNONYMS,
    Claim,
    disagree,
    parse_claim,
)

__all__ = [
    "FOCUS_WINDOW",
    "MAX_FACT_CHARS",
    "NEWER_BOOST",
    "SLOT_BOOST",
    "SUBJECT_BOOST",
    "boost_subject",
    "query_words",
    "slot_score",
]

#: Added to the fused score of a record about the named subject, and again when its slot is
#: the one asked about. The fused score is 0-1 after min-max fusion plus at most the speaker
#: boost (0.2), so each boost is a whole tier: the subject's facts come before other
#: people's and, among them, those of the slot asked; the rankers order a tier.
SUBJECT_BOOST = 3.0
SLOT_BOOST = 3.0
#: The newest of the subject's records that disagree about one slot: above the older ones
#: whatever the rankers said (more than 1.2), never above a record of a higher tier (less
#: than ``SLOT_BOOST - 1.2``).
NEWER_BOOST = 1.5
#: Only the best fused candidates are read (each reading is ~0.1 ms, cached per text).
FOCUS_WINDOW = 50
#: A record longer than this is a passage, not a one-line fact: it is not read as a claim.
MAX_FACT_CHARS = 240

_WORD = re.compile(r"[^\W_][\w\-]*", re.UNICODE)
#: Words a question uses for a relation that a fact rarely does ("Which *city* ...").
_QUESTION_CUES: dict[str, frozenset[str]] = {
    "residence": cues.word_set("city town country address located hometown"),
    "employer": cues.word_set("company employer firm employ employs employed"),
}
#: Capitalised words that open a question rather than name someone (a name that is also one
#: of these only costs a few readings: the subject must still be a record's subject).
_NOT_NAMES = cues.word_set(
    "what what's where where's who who's whom whose which when why how is are was were does "
    "do did can could would should will have has had tell give show please and or the a an "
    "qué que dónde donde quién cuál cuándo cómo où qui quel quelle quels quelles quand comment "
    "est wo wer wie welche welcher welches wann warum was dove chi quale quando come onde "
    "quem qual como waar wie wat welke hvor hvem vad var vem gdzie kto jaki jaka co czy "
    "bei para en in at de von"
)
_WHERE = cues.word_set("where dónde donde wo où dove onde waar var hvor gdzie unde")
_PREFERENCE = cues.word_set("like likes prefer prefers love loves favourite best most")
_SKIP = cues.word_set("of de del di da do du von van af the a an")

Fused = list[tuple[int, float]]


def query_words(query: str) -> frozenset[str]:
    """The question's words, folded as the claim reader folds them ("Maya's" -> "maya",
    "favorite color" -> "favourite colour"; "I"/"my" -> "user"), plus each word with a
    final "s" dropped (German genitives: "Mayas Telefonnummer")."""
    text = unicodedata.normalize("NFKC", query).casefold().replace("’", "'")
    text = re.sub(r"'s\b", "", text)
    words = {cues.spelling(w) for w in _WORD.findall(text)}
    words |= {cues.USER_WORDS[w] for w in words if w in cues.USER_WORDS}
    words |= {w[:-1] for w in words if len(w) > 3 and w.endswith("s")}  # German "Mayas"
    return frozenset(words)


def names_in(query: str) -> frozenset[str]:
    """Whom the question may be about: its capitalised words that do not open a question,
    folded (with a German genitive "s" dropped too), and ``user`` for "I", "my", "me".
    A question naming nobody ("what does the user like?") is left to the rankers, and costs
    no reading at all."""
    tokens = _WORD.findall(unicodedata.normalize("NFKC", query))
    names = {t.casefold() for t in tokens if t[:1].isupper() and t.casefold() not in _NOT_NAMES}
    names |= {n[:-1] for n in names if len(n) > 3 and n.endswith("s")}
    if any(t.casefold() in cues.USER_WORDS for t in tokens):
        names.add("user")
    return frozenset(names)


def _text_words(text: str) -> set[str]:
    words = {cues.spelling(w) for w in _WORD.findall(text.casefold())}
    if words & cues.USER_WORDS.keys():
        words.add("user")
    return words


def _owner(subject: str) -> str:
    """The first word of the person a subject hangs from ("maya" of "maya>brother")."""
    return subject.split(">")[0].split()[0]


def _subject_words(subject: str) -> frozenset[str]:
    return frozenset(w for part in subject.split(">") for w in part.split())


@lru_cache(maxsize=256)
def slot_words(slot: str) -> frozenset[str]:
    """Words by which a question asks about a relation slot: its name, the attribute names
    the claim reader folds into it, its relation cues."""
    words = {cues.spelling(w) for w in slot.removeprefix("attr:").split()}
    words |= {alias for alias, target in ATTRIBUTE_SYNONYMS.items() if target == slot}
    words |= cues.RELATION_CUES.get(slot, frozenset()) | _QUESTION_CUES.get(slot, frozenset())
    if slot in ("likes", "attr:favourite"):  # a preference, of a kind not named
        words |= _PREFERENCE
    return frozenset(w for w in words if w not in _SKIP and len(w) > 2)


@lru_cache(maxsize=256)
def _attribute_names(slot: str) -> tuple[tuple[str, ...], ...]:
    name = slot.removeprefix("attr:")
    names = {name} | set(cues.ATTRIBUTE_NAMES.get(name, frozenset()))
    return tuple(tuple(cues.spelling(w) for w in alias.split()) for alias in names)


def slot_score(slot: str, words: frozenset[str]) -> int:
    """How plainly the question asks about ``slot``: 2 when it names the attribute whole
    ("phone number", "favourite colour", "colour") or uses a word of the relation ("live",
    "city", "employer"); 1 for an attribute's cue word only ("call", "reach") or a bare
    "where" (a residence); else 0. A partial attribute name ("work" of "work phone") is not
    asking about it."""
    if slot.startswith("attr:") and slot != "attr:favourite":
        if any(all(w in words for w in alias) for alias in _attribute_names(slot)):
            return 2
        lexicon = cues.RELATION_CUES.get(slot, frozenset())
        if slot.startswith("attr:favourite "):
            lexicon |= _PREFERENCE  # "Which colour does Maya like best?"
        return int(any(cues.in_lexicon(w, lexicon) for w in words))
    lexicon = slot_words(slot)
    if any(cues.in_lexicon(w, lexicon) for w in words):
        return 2
    # "Where can I find Maya?" asks for a place: where someone lives, unless a word of
    # another relation says otherwise ("Where does Maya work?" scores the employer 2).
    return int(slot == "residence" and bool(words & _WHERE))


def _claim(text: str) -> Claim | None:
    if len(text) > MAX_FACT_CHARS:
        return None
    return parse_claim(text.strip())


def boost_subject(
    fused: Fused,
    heads: Mapping[int, str],
    query: str,
    *,
    times: Mapping[int, str] | None = None,
) -> Fused:
    """``fused`` with the named subject's records raised (``SUBJECT_BOOST``), and those of the
    asked slot raised again (``SLOT_BOOST``); ``heads`` maps record ids to their text (at
    least the first ``MAX_FACT_CHARS + 1`` characters). Order is unchanged when the question
    names no subject a candidate is about.

    With ``times`` (record id -> ISO time), of two or more of the subject's records that
    claim different values of one single-valued slot, the newest is raised within its tier
    (``NEWER_BOOST``): an update comes first from the moment it is stored, before
    consolidation has read it and superseded the older record."""
    names = names_in(query)
    if not names:
        return fused
    words = query_words(query) | names
    # A candidate is read only if it contains one of the names: the common words every
    # record shares never make a search read fifty records.
    claims: dict[int, Claim | None] = {}
    words_of: dict[int, set[str]] = {}
    for rid, _score in fused[:FOCUS_WINDOW]:
        text = heads.get(rid, "")
        words_of[rid] = _text_words(text)
        named_here = len(text) <= MAX_FACT_CHARS and bool(words_of[rid] & names)
        claims[rid] = _claim(text) if named_here else None
    subjects = {c.subject for c in claims.values() if c is not None and not c.past}
    named = {s for s in subjects if _subject_words(s) <= words and _owner(s) in names}
    # The most specific subject named: "Maya's brother" over "Maya".
    named = {s for s in named if not any(o.startswith(s + ">") for o in named)}
    if not named:
        return fused
    owners = {s for s in named if ">" not in s}
    scores = {
        rid: slot_score(c.slot, words)
        for rid, c in claims.items()
        if c is not None and c.subject in named and not c.past
    }
    best = max(scores.values(), default=0)
    newest = _newest_of_conflicts(claims, named, times or {})
    boosted: dict[int, float] = {}
    for rid, score in fused:
        claim = claims.get(rid)
        bonus = 0.0
        if claim is not None:
            if claim.subject in named and not claim.past:
                bonus = SUBJECT_BOOST + (SLOT_BOOST if best and scores.get(rid) == best else 0.0)
                bonus += NEWER_BOOST if rid in newest else 0.0
        elif rid in claims and any(_subject_words(o) <= words_of[rid] for o in owners):
            bonus = SUBJECT_BOOST  # not read as a claim, but it names the subject
        boosted[rid] = score + bonus
    return sorted(boosted.items(), key=lambda item: (-item[1], item[0]))


def _newest_of_conflicts(
    claims: Mapping[int, Claim | None], named: set[str], times: Mapping[int, str]
) -> set[int]:
    """The newest record of each (subject, slot) of the named subjects whose records disagree
    ("lives in Lisbon", later "moved to Porto"): what the decider would keep."""
    groups: dict[tuple[str, str], list[tuple[int, Claim]]] = {}
    for rid, claim in claims.items():
        if claim is None or claim.past or claim.negated:
            continue
        if claim.subject in named and rid in times:
            groups.setdefault((claim.subject, claim.slot), []).append((rid, claim))
    newest: set[int] = set()
    for members in groups.values():
        if any(disagree(a, b) for (_, a), (_, b) in combinations(members, 2)):
            newest.add(max(members, key=lambda member: (times[member[0]], member[0]))[0])
    return newest
