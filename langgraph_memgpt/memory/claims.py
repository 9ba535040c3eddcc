"""What a one-line fact claims: (subject, slot, value), read by patterns, for the offline decider.

"Maya moved to Porto" and "Maya vive en Lisboa" both claim ``(maya, residence, ...)``, so the
newer one supersedes the older; "Maya's brother lives in Porto" claims ``(maya>brother,
residence, porto)``, another subject, and "Maya works in Porto" another slot, so neither touches
"Maya lives in Lisbon". A sentence the patterns do not read gives ``None`` and the decider then
changes nothing: the safe failure of a rule-based reader is a stale fact left visible, never a
current fact hidden. Past-tense claims ("used to live", "lived in ... as a child") are marked
``past``: they stay true and never supersede anything.

Slots are language-independent names, so an English update supersedes a Spanish fact. The
patterns cover English plus simple Spanish, French, German, Portuguese and Italian forms.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Claim", "parse_claim", "same_value"]


@dataclass(frozen=True)
class Claim:
    subject: str  # "maya", "maya>brother", "user"
    slot: str  # "residence", "employer", "attr:favourite colour", ...
    value: str  # normalised value ("porto")
    negated: bool = False  # "no longer lives in Lisbon"
    past: bool = False  # "used to live in Lisbon": stays true, supersedes nothing


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
    r"en fait|eigentlich|aliás|na verdade)\s*[:,\-–—!]?\s*)+",
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
    ("likes", False, r"(?:likes|loves|enjoys|like|love|enjoy)"),
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
_ATTR_SYNONYMS = {
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
    return _fold(re.sub(r"[.,;:!?]+$", "", value))


def _attr_slot(attr: str) -> str:
    attr = _fold(attr).replace("favorite", "favourite").replace("color", "colour")
    attr = re.sub(r"^(?:current|new|present)\s+", "", attr)
    return _ATTR_SYNONYMS.get(attr, f"attr:{attr}")


def parse_claim(sentence: str) -> Claim | None:
    """The claim of a one-sentence fact, or None when no pattern reads it."""
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
    for matcher in (_CHANGE_RE, _OF_RE):
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
            if not subject or not value:
                return None
            return Claim(subject, slot, value, negated, past or verb_past)
    m = _ATTR_RE.match(text)
    if m:
        owner = _subject(m.group("owner") + m.group("chain"))
        value = _value(m.group("value"))
        if owner and value:
            return Claim(owner, _attr_slot(m.group("attr")), value, negated, past)
    return None


def same_value(a: str, b: str) -> bool:
    """One value restates the other ("porto" and "porto portugal"; "42" and "42")."""
    if a == b:
        return True
    ta, tb = set(re.findall(r"\w+", a)), set(re.findall(r"\w+", b))
    return bool(ta) and bool(tb) and (ta <= tb or tb <= ta)


#: Slots that hold several values at once: a new value adds, only a negation of the same
#: value ("no longer likes coffee") retires one.
MULTI_VALUED = {"likes", "visited", "studies"}
