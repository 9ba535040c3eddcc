"""Identity facts: the sentences about the user or the assistant that belong in core memory.

Decides whether a sentence states who the user is ("My name is Alice", "I live in Lisbon",
"I'm allergic to peanuts") or who the assistant should be ("Your name is Sam"), and writes it
as the normalised line core memory keeps ("Name: Alice", "User lives in Lisbon") with the key of
its slot ("Name:"), so a changed value replaces the line instead of adding a second one. Core
memory is small and always in the prompt: only these few patterns go there, the rest of what
the user says goes to archival memory (:mod:`.facts`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from langgraph_memgpt.memory.text.claims import parse_claim
from langgraph_memgpt.models.offline.text import content_words, stem, words

#: (label, core_text, key): where an identity fact goes and the slot it fills.
Identity = tuple[str, str, str | None]

_PRONOUNS = [
    (r"\bmy\b", "their"),
    (r"\bmine\b", "theirs"),
    (r"\bmyself\b", "themselves"),
    (r"\bme\b", "them"),
    (r"\bI'm\b", "they're"),
    (r"\bI\b", "they"),
]


def third_person(text: str) -> str:
    for pattern, repl in _PRONOUNS:
        text = re.sub(pattern, repl, text, flags=re.IGNORECASE)
    return text


_TRAILING_RE = re.compile(
    r"[,\s]+(?:by the way|btw|now|though|too|as well|thanks|thank you)$", re.IGNORECASE
)


def _value(text: str) -> str:
    return _TRAILING_RE.sub("", text.strip()).strip(" ,.;:!\"'")


_VERB_3RD = {
    "like": "likes",
    "love": "loves",
    "hate": "hates",
    "enjoy": "enjoys",
    "prefer": "prefers",
    "dislike": "dislikes",
    "adore": "adores",
    "speak": "speaks",
    "study": "studies",
    "drive": "drives",
    "play": "plays",
    "own": "owns",
    "have": "has",
    "teach": "teaches",
    "collect": "collects",
    "support": "supports",
}
_ADJECTIVES = (
    "vegetarian|vegan|pescatarian|married|single|divorced|engaged|widowed|retired|"
    "left-handed|right-handed|colou?r-?blind|diabetic|pregnant|a student|an only child"
)

# (pattern, builder): builder gets the match and returns (label, core_text, key) or None.
_Builder = Callable[[re.Match[str]], Identity | None]


#: Core-memory line starts that both a pattern below and the claim reader's slots
#: (``_CLAIM_LINES``) write, so a line written either way is replaced by the other.
LIVES_IN = "User lives in"
WORKS_AT = "User works at"


def _human(text: str, key: str | None = None) -> Identity:
    return ("human", text, key)


def _name_value(m: re.Match[str]) -> str | None:
    value = _value(m.group("v"))
    words = value.split()
    return value if 0 < len(words) <= 4 else None


def _build_name(label: str) -> _Builder:
    def build(m: re.Match[str]) -> Identity | None:
        value = _name_value(m)
        return (label, f"Name: {value}", "Name:") if value else None

    return build


_IDENTITY_PATTERNS: list[tuple[re.Pattern[str], _Builder]] = [
    (re.compile(r"(?i)^my name is (?P<v>.+)$"), _build_name("human")),
    (
        re.compile(r"(?i)^(?:i am|i'm|im) called (?P<v>.+)$|^(?:please )?call me (?P<w>.+)$"),
        lambda m: (
            ("human", f"Name: {v}", "Name:")
            if (v := _value(m.group("v") or m.group("w"))) and len(v.split()) <= 4
            else None
        ),
    ),
    (
        re.compile(r"^(?:[Ii] am|I'm|Im) (?P<v>[A-Z][\w'-]+(?: [A-Z][\w'-]+)?)$"),
        _build_name("human"),
    ),
    (
        re.compile(r"(?i)^(?:i am|i'm|im) (?P<v>\d{1,3})(?: years old| years| yo| y/o)?$"),
        lambda m: _human(f"Age: {m.group('v')}", "Age:"),
    ),
    (
        re.compile(r"(?i)^my age is (?P<v>\d{1,3})"),
        lambda m: _human(f"Age: {m.group('v')}", "Age:"),
    ),
    (
        re.compile(r"(?i)^i (?:currently )?(?:live|reside) in (?P<v>.+)$"),
        lambda m: _human(f"{LIVES_IN} {_value(m.group('v'))}", LIVES_IN),
    ),
    (
        re.compile(r"(?i)^(?:i am|i'm|im) (?:currently )?living in (?P<v>.+)$"),
        lambda m: _human(f"{LIVES_IN} {_value(m.group('v'))}", LIVES_IN),
    ),
    (
        re.compile(r"(?i)^(?:i am|i'm|im|i come) from (?P<v>.+)$"),
        lambda m: _human(f"User is from {_value(m.group('v'))}", "User is from"),
    ),
    (
        re.compile(r"(?i)^i work (?P<p>as|at|for|in|on) (?P<v>.+)$"),
        lambda m: _human(
            f"User works {m.group('p').lower()} {third_person(_value(m.group('v')))}",
            f"User works {m.group('p').lower()}",
        ),
    ),
    (
        re.compile(r"(?i)^(?:i am|i'm|im) (?:severely |very )?allergic to (?P<v>.+)$"),
        lambda m: _human(f"User is allergic to {_value(m.group('v'))}"),
    ),
    (
        re.compile(r"(?i)^i was born (?P<p>in|on) (?P<v>.+)$"),
        lambda m: _human(f"User was born {m.group('p').lower()} {_value(m.group('v'))}"),
    ),
    (
        re.compile(r"(?i)^my (?:favourite|favorite) (?P<k>[\w -]+?) (?:is|are) (?P<v>.+)$"),
        lambda m: _human(
            f"Favourite {m.group('k').lower()}: {_value(m.group('v'))}",
            f"Favourite {m.group('k').lower()}:",
        ),
    ),
    (
        re.compile(
            r"(?i)^i (?:really |absolutely |also |do )?(?P<verb>" + "|".join(_VERB_3RD) + r") "
            r"(?P<v>.+)$"
        ),
        lambda m: _human(
            f"User {_VERB_3RD[m.group('verb').lower()]} {third_person(_value(m.group('v')))}"
        ),
    ),
    (
        re.compile(r"(?i)^i(?:'ve| have) got (?P<v>.+)$"),
        lambda m: _human(f"User has {third_person(_value(m.group('v')))}"),
    ),
    (
        re.compile(r"(?i)^(?:i am|i'm|im) (?P<v>" + _ADJECTIVES + r")$"),
        lambda m: _human(f"User is {m.group('v').lower()}"),
    ),
    (
        re.compile(r"(?i)^(?:i am|i'm|im) (?P<a>a|an) (?P<v>[\w -]+)$"),
        lambda m: _human(f"User is {m.group('a').lower()} {third_person(_value(m.group('v')))}"),
    ),
    # Facts about the assistant belong to the persona block.
    (re.compile(r"(?i)^your name (?:is|will be|shall be) (?P<v>.+)$"), _build_name("persona")),
    (
        re.compile(
            r"(?i)^(?:(?:please )?call yourself|i(?:'ll| will) call you|you(?:'re| are) called)"
            r" (?P<v>.+)$"
        ),
        _build_name("persona"),
    ),
    (
        re.compile(r"(?i)^your (?P<k>role|job|personality|style|tone) (?:is|will be) (?P<v>.+)$"),
        lambda m: (
            "persona",
            f"{m.group('k').capitalize()}: {_value(m.group('v'))}",
            f"{m.group('k').capitalize()}:",
        ),
    ),
    (
        re.compile(r"(?i)^from now on,? (?:you are|you're|be) (?P<v>.+)$"),
        lambda m: ("persona", f"Persona: {_value(m.group('v'))}", "Persona:"),
    ),
]

# "My X is Y" about the user, except phrases that are not facts about them.
_MY_X_RE = re.compile(r"(?i)^my (?P<k>[\w' -]{2,40}?) (?P<verb>is|are|was|were) (?P<v>.+)$")
_NOT_ABOUT_USER = frozenset(
    """
    question point guess problem issue bad pleasure turn concern idea answer request day week
    weekend morning afternoon evening night mood moment minute second feeling doubt
    """.split()  # noqa: SIM905 (a word list reads best as text)
)


def _substantive(core_text: str) -> bool:
    """ "User likes it" or "User has a question" is not worth a line of core memory."""
    value = core_text.split(":", 1)[1] if ":" in core_text else core_text
    words = content_words(value) - {"user"}
    return bool(words) and not words <= {stem(w) for w in _NOT_ABOUT_USER}


def identity(sentence: str) -> Identity | None:
    """The core-memory line a sentence states, or ``None`` when it is not an identity fact."""
    for pattern, build in _IDENTITY_PATTERNS:
        match = pattern.match(sentence)
        if match:
            built = build(match)
            if built is not None and _substantive(built[1]):
                return built
    match = _MY_X_RE.match(sentence)
    if match and not set(words(match.group("k"))) & _NOT_ABOUT_USER:
        key = third_person(match.group("k").strip())
        verb = match.group("verb").lower()
        return _human(f"User's {key} {verb} {_value(match.group('v'))}", f"User's {key} {verb}")
    return _claimed(sentence)


#: A plan or a move under way is not where the user lives yet: core keeps the current value,
#: and the sentence goes to archival memory as before.
_NOT_YET_RE = re.compile(
    r"(?i)\b(?:will|shall|gonna|going to|next|soon|plan\w*|hop(?:e|ing)|want\w*|would|might"
    r"|thinking|(?:am|are|is|'m|'re|'s) \w+ing)\b|'ll\b"
)

#: Slots the claim reader recognises that core memory keeps as a line: (line start, key).
_CLAIM_LINES = {"residence": LIVES_IN, "employer": WORKS_AT}


def _claimed(sentence: str) -> Identity | None:
    """A move or a new job said in words the patterns above do not list ("I moved to Quito",
    "Just started at Shell", "Me mudé a Quito"): the shared claim reader, which the update
    reader uses on stored records too, names the user's slot and its new value, so the core
    line of that slot is replaced rather than a stale one kept beside an archival note."""
    if _NOT_YET_RE.search(sentence):
        return None
    claim = parse_claim(sentence)
    if claim is None or claim.subject != "user" or claim.negated or claim.past:
        return None
    start = _CLAIM_LINES.get(claim.slot)
    if start is None:
        return None
    # The reader folds case; core memory keeps the value as the user wrote it.
    found = re.search(rf"(?i)\b{re.escape(claim.value)}\b", sentence)
    if found is None:
        return None
    return _human(f"{start} {found.group(0)}", start)
