"""What a one-line fact claims: (subject, slot, value), read by patterns, for the offline decider.

"Maya moved to Porto" and "Maya vive en Lisboa" both claim ``(maya, residence, ...)``, so the
newer one supersedes the older; "Maya's brother lives in Porto" claims ``(maya>brother,
residence, porto)``, another subject, and "Maya works in Porto" another slot, so neither touches
"Maya lives in Lisbon". A sentence the patterns do not read gives ``None`` and the decider then
changes nothing: the safe failure of a rule-based reader is a stale fact left visible, never a
current fact hidden. Past-tense claims ("used to live", "lived in ... as a child") are marked
``past``: they stay true and never supersede anything.

Slots are language-independent names, so an English update supersedes a Spanish fact. Two
readers: fixed patterns (English plus simple Spanish, French, German, Portuguese and Italian
forms) first, then, for what they miss, a cue reader (:func:`read_by_cues`) that finds the
subject from the sentence's structure (leading name, possessive or genitive chain, the user,
a reporter) and the relation from word lists per language (``claim_cues.py``: relation,
update, restatement, past, ended and not-a-fact cues), so phrasings nobody wrote a pattern
for ("Fabio packed up and moved to Seville", "Hamid ist nach Hamburg gezogen", "Ola bor
numera i Bergen") are read, and ambiguous ones are not.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from langgraph_memgpt.memory.text import claim_cues as cues

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
_LEAD = re.compile(
    r"^(?:(?:update|correction|fyi|note|news|heads up|btw|by the way|actually|as i said|"
    r"as mentioned|just so you know|for the record|quick update|oh|ok|okay|so|well|also|"
    r"these days|nowadays|currently|right now|today|this year|recently|lately|since \w+(?: \d{4})?|"
    r"as of \w+(?: \d{1,2})?(?:,? \d{4})?|ahora|maintenant|jetzt|agora|ora|desde hace poco|"
    r"en fait|eigentlich|aliás|na verdade)\b\s*[:,\-–—!]?\s*)+",
    re.IGNORECASE,
)
_ADVERBS = re.compile(
    r"\b(?:now|currently|still|recently|finally|just|officially|actually|really|also|"
    r"already|permanently|these days|nowadays|at the moment|right now|for good|again|"
    r"ahora|todavía|aún|ya|maintenant|toujours|désormais|actuellement|jetzt|inzwischen|"
    r"mittlerweile|noch|nun|agora|ainda|atualmente|ora|ancora|adesso)\b",
    re.IGNORECASE,
)
_TRAILING = re.compile(
    r"\s*(?:,?\s*(?:since|as of|from|starting|effective|desde|depuis|seit|a partir de|dal|"
    r"dalla)\b.*|,?\s*(?:last|this|next)\s+(?:week|month|year|spring|summer|autumn|fall|"
    r"winter)\b.*|,?\s*in (?:january|february|march|april|may|june|july|august|september|"
    r"october|november|december)\b.*|,?\s*(?:instead|anymore|any more|for good|en su lugar|"
    r"à la place|stattdessen)\b.*)$",
    re.IGNORECASE,
)
_PAST_MARK = re.compile(
    r"\b(?:used to|as a (?:child|kid|student|teenager)|when (?:she|he|they|i) was|"
    r"back in|years ago|in (?:19|20)\d\d|previously|formerly|once|before that|"
    r"de niña|de niño|quand (?:elle|il) était|als kind|früher|antes|autrefois)\b",
    re.IGNORECASE,
)
_NEG = re.compile(
    r"\b(?:no longer|not anymore|doesn't|does not|don't|do not|isn't|is not|ya no|ne\s+\w+\s+plus|"
    r"nicht mehr|já não|non\s+\w+\s+più)\b",
    re.IGNORECASE,
)

# (slot, past?, verb pattern). The subject is before the verb, the value after it.
_VERBS: list[tuple[str, bool, str]] = [
    # residence
    ("residence", False, r"(?:lives?|is living|resides?|is residing|stays?|is staying) (?:in|at)"),
    (
        "residence",
        False,
        r"(?:has |have )?(?:moved|relocated|moved house|moved back|moved out) "
        r"(?:\w+ )?(?:to|into)",
    ),
    ("residence", False, r"(?:is|am|are) (?:now )?(?:based|settled) in|settled (?:down )?in"),
    ("residence", False, r"(?:has |have )?made (?:her|his|their|my) home in"),
    ("residence", True, r"(?:lived|was living|resided|used to live|used to reside) (?:in|at)"),
    (
        "residence",
        False,
        r"(?:vive|vivo|mora|moro|habite|habita|wohnt|lebt|abita) "
        r"(?:en|em|no|na|à|a|au|in|im|bei)",
    ),
    ("residence", False, r"(?:vit|vis) (?:à|a|en|au)"),
    (
        "residence",
        False,
        r"(?:se mudó|se ha mudado|me mudé|mudou-se|se mudou|a déménagé|"
        r"s'est installée?|ist umgezogen|zog|si è trasferit[oa]|se trasladó) (?:a|para|à|en|au|"
        r"nach|in|ad)",
    ),
    ("residence", False, r"(?:ist|bin) nach"),
    # place of work (another slot than the employer and than home)
    ("workplace", False, r"(?:works?|is working) (?:in|from)"),
    (
        "employer",
        False,
        r"(?:works?|is working|works full[- ]time|works part[- ]time) "
        r"(?:at|for|with)",
    ),
    (
        "employer",
        False,
        r"(?:has |have )?(?:joined|started (?:a (?:new )?job )?(?:at|with)|"
        r"started working (?:at|for)|got a (?:new )?job (?:at|with)|took a (?:new )?job (?:at|with)|"
        r"switched (?:jobs )?to|is employed (?:at|by)|was hired by|signed with|moved jobs to)",
    ),
    ("employer", True, r"(?:worked|was working|used to work) (?:at|for)"),
    (
        "employer",
        False,
        r"(?:trabaja|trabalha|travaille|arbeitet|lavora) (?:en|para|na|no|em|"
        r"chez|pour|bei|für|per|presso|da)",
    ),
    (
        "occupation",
        False,
        r"(?:works?|is working) as(?: an?)?|(?:has )?become (?:an?)|became (?:an?)",
    ),
    ("partner", False, r"(?:is|got) (?:married|engaged) to|is dating|is seeing|married"),
    ("car", False, r"(?:drives|bought|has bought) (?:an?|the)?"),
    ("studies", False, r"(?:studies|is studying|majors in|is majoring in)"),
    ("school", False, r"(?:goes to|attends|is enrolled at|studies at)"),
    ("likes", False, r"(?:likes|loves|enjoys|prefers|like|love|enjoy|prefer)"),
    ("birthplace", True, r"was born in|nació en|est née? à|ist in .* geboren|nasceu em"),
    ("visited", True, r"(?:visited|went to|travel(?:l)?ed to|flew to)"),
]
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
    r"^(?:the|el|la|le|les|los|las|o|a|il|lo|der|die|das)\s+(?P<attr>[\w\- ]+?)\s+"
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
_PRONOUN_SUBJECTS = {"i": "user", "my": "user", "me": "user", "we": "us", "our": "us"}
_ARTICLES = re.compile(
    r"^(?:the|a|an|el|la|los|las|le|les|l'|un|une|der|die|das|ein|eine|o|os|as|um|uma|il|lo|"
    r"gli|una)\s+",
    re.IGNORECASE,
)
ATTRIBUTE_SYNONYMS = {
    "home": "residence",
    "address": "residence",
    "city": "attr:city",
    "employer": "employer",
    "company": "employer",
    "workplace": "employer",
    "job": "occupation",
    "profession": "occupation",
    "occupation": "occupation",
    "wife": "partner",
    "husband": "partner",
    "partner": "partner",
    "boyfriend": "partner",
    "girlfriend": "partner",
    "age": "age",
    "car": "car",
    "favorite": "favourite",
}


def _fold(text: str) -> str:
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
        return _fold(" ".join(tail))
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
        owner = _fold(" ".join(name))
        words = [words[0], *rest]
    chain = [_fold(w) for w in words[1:]]
    return ">".join([owner, *chain])


def _value(raw: str) -> str:
    value = _TRAILING.sub("", raw).strip()
    value = _ARTICLES.sub("", value)
    value = re.sub(r"\s+(?:gezogen|umgezogen)$", "", value)
    value = re.sub(r"[\"'“”«»()]", "", value)
    words = _fold(re.sub(r"[.,;:!?]+$", "", value)).split()
    # a trailing time phrase in any language the lexicon knows: "da marzo", "seit Juni"
    end = len(words)
    while end > 1 and (words[end - 1] in cues.FRAME or words[end - 1].isdigit()):
        end -= 1
    return " ".join(words[:end] if len(words) - end >= 2 else words)


def _attr_slot(attr: str) -> str:
    words = [cues.spelling(w) for w in _fold(attr).split()]
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


@lru_cache(maxsize=8192)
def parse_claim(sentence: str) -> Claim | None:
    """The claim of a one-sentence fact, or None when neither reader reads it.

    The patterns (exact English frames and simple Romance/German ones) are tried first; a
    sentence they do not read goes to the cue reader (:func:`read_by_cues`), which works from
    lexicons of relation, update, restatement and past words in several languages. A
    sentence that is not a current fact (a wish, a plan, a trip: ``claim_cues.NOT_A_FACT``)
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
        claim = _favourite(claim)
    return replace(
        claim,
        update=any(w in cues.UPDATE for w in words),
        restated=any(w in cues.RESTATE for w in words) or bool(_RESTATE_PHRASE.search(sentence)),
    )


_SUPERLATIVE = re.compile(
    r"\s+(?:(?:the\s+)?(?:best|most)(?:\s+of\s+all)?|above all|of all|"
    r"(?:over|more than|above|before)\s+(?:any|all|every)\s+other\s+(?P<noun>[^\W\d_]+?)s?)$"
)


def _favourite(claim: Claim) -> Claim:
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
    slot = _attr_slot(f"favourite {noun}") if noun else "attr:favourite"
    return replace(claim, slot=slot, value=value)


def parse_by_patterns(sentence: str) -> Claim | None:
    """The claim the fixed patterns read (the reader before the cue reader: the benchmark's
    baseline decider), or None."""
    if "?" in sentence or "\n" in sentence.strip():
        return None
    text = _clean(sentence)
    past = bool(_PAST_MARK.search(text))
    negated = bool(_NEG.search(text))
    if negated:
        text = _NEG.sub(" ", text)
        text = re.sub(r"\b(?:live|work|like|love|own|drive)\b", lambda m: m.group(0) + "s", text)
        text = re.sub(r"\bis\s+(?=living|working)", "is ", text)
    text = " ".join(_ADVERBS.sub(" ", text).split())
    for matcher in (_CHANGE_RE, _OF_RE, _NEW_ATTR_RE):
        m = matcher.match(text)
        if m:
            owner = _subject(m.group("owner"))
            value = _value(m.group("value"))
            if owner and value:
                return Claim(owner, _attr_slot(m.group("attr")), value, negated, past)
    m = _AGE_RE.match(text)
    if m:
        subject = _subject(m.group("subj"))
        if subject:
            return Claim(subject, "age", m.group("value"), negated, past)
    for slot, verb_past, pattern in _VERB_RE:
        m = pattern.match(text)
        if m:
            subject = _subject(m.group("subj"))
            value = _value(m.group("value"))
            if not subject or not value or _names_another_slot(slot, _SUPERLATIVE.sub("", value)):
                return None
            return Claim(subject, slot, value, negated, past or verb_past)
    m = _ATTR_RE.match(text)
    if m and not _reported(m.group("owner"), m.group("attr")):
        owner = _subject(m.group("owner") + m.group("chain"))
        slot = _attr_slot(m.group("attr"))
        value = _value(m.group("value"))
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


# -- the cue reader ------------------------------------------------------------------------------
_TOKEN = re.compile(r"\+?\d[\d\-./() ]*\d|[^\W\d_][\w'\-]*|\d+|[:,;—–]")
_RESTATE_PHRASE = re.compile(
    r"\b(?:as i (?:said|mentioned)|just to (?:confirm|be clear)|immer noch|nog steeds|"
    r"to be clear|for the record)\b",
    re.IGNORECASE,
)
_LEXICON = frozenset().union(
    cues.FRAME,
    cues.DETERMINERS,
    cues.GENITIVE,
    cues.USER_WORDS,
    cues.OTHER_PRONOUNS,
    cues.NOT_A_FACT,
    cues.UPDATE,
    cues.RESTATE,
    cues.PAST,
    cues.REPORTING,
    *cues.RELATION_CUES.values(),
)
_AUX = cues.word_set("is has have ist hat est a è é es ha har er heeft")
_POSSESSIVE_USER = cues.word_set("my our mi mon ma mes mein meine meu minha mijn min mitt")
_SEPARATORS = frozenset(":,;—–")
#: Prepositions before a destination or an employer ("moved *to* Porto", "works *at* Nokia");
#: a value after a source preposition ("moved *from* Lisbon") is not the new value.
_TOWARDS = cues.word_set(
    "to into in at for with by nach in bei für à a au chez pour para en em na no per presso "
    "naar bij till til på hos i do w la"
)
_AND = cues.word_set("and y et und e og och i en oraz și")
_LEADING_VALUE = cues.word_set("it it's is to : , -")


def _normal(sentence: str) -> str:
    text = unicodedata.normalize("NFKC", sentence).strip().replace("’", "'")
    text = re.sub(r"\b([dlDL])'(?=\w)", r"\1' ", text)  # "d'Ana" -> "d' Ana"
    return re.sub(r"[.!?;]+$", "", text).strip()


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _base(token: str) -> tuple[str, bool]:
    """("Maya's" -> ("Maya", True)); a possessive ends a name."""
    m = re.match(r"^(.+?)(?:'s|')$", token)
    return (m.group(1), True) if m else (token, False)


def _name(token: str) -> bool:
    """A capitalised word that no lexicon knows: a person's, a place's or a company's name."""
    base, _ = _base(token)
    return base[:1].isupper() and base.casefold() not in _LEXICON and base not in {"I"}


_PERFECT = cues.word_set("has have 's ha han hat haben heeft hebben har")


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
_ARTICLE_AFTER_OPENER = cues.word_set(
    "the an her his their my our your its el los las le les il lo gli der das den dem het een "
    "un une uno una um uma ein eine"
)


def _not_a_fact(words: list[str]) -> bool:
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
                return _fold(" ".join(name)), [nouns], k
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
            return _fold(" ".join(name)), chain, j
    return _fold(" ".join(name)), [], j


def _strip_value(tokens: list[str]) -> str:
    words = [t for t in tokens if t.casefold() not in cues.UPDATE | cues.RESTATE]
    while words and words[0].casefold() in _LEADING_VALUE | cues.DETERMINERS:
        words.pop(0)
    return _value(" ".join(words))


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
    slot = _attr_slot(" ".join(w for w in attr if w not in cues.ATTRIBUTE_PAST))
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
    tokens = _tokens(_normal(sentence))
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
    if slot == "employer" and before in cues.LOCATION_PREPOSITIONS:
        slot = "workplace"
    # Past words count in the value's own clause: "left her old job and is now at Spotify"
    # states a current fact; "old" belongs to the job she left.
    start = max((k + 1 for k, w in enumerate(words[:at]) if w in _AND), default=0)
    past = bool(_PAST_MARK.search(sentence)) or any(
        w in cues.PAST and not _perfect(words, start + k) for k, w in enumerate(words[start:])
    )
    subject = ">".join([owner, *(word for seg in chain for word in seg)])
    value = _value(value)
    if not value:
        return None
    # "quit her job at Nokia" ends the fact; "left Lisbon and moved to Porto" states a new one
    ended = [k for k, w in enumerate(words[:at]) if w in cues.ENDED]
    negated = bool(_NEG.search(sentence)) or bool(
        ended and not any(w in _AND for w in words[ended[-1] : at])
    )
    return Claim(subject, slot, value, negated, past)


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
    if re.search(rf"\b{re.escape(older.subject)}['’]", _fold(sentence)):
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
