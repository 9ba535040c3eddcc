"""The offline driver: a deterministic, rule-based stand-in for an LLM.

:class:`OfflineDriver` is a LangChain ``BaseChatModel`` that is **not a language model**. It
reads the MemGPT main context the graph renders (system prompt with core memory, summary and
statistics, then the FIFO of recent messages) and follows a fixed MemGPT-like policy:

* stated facts about the user go to core memory (``core_memory_append`` /
  ``core_memory_replace``), facts about the assistant to the ``persona`` block, other facts to
  archival memory (``archival_memory_insert``);
* questions are answered from core memory when it already holds the answer, otherwise by paging
  memory in: ``archival_memory_search`` first, ``conversation_search`` when that finds nothing
  relevant, ``conversation_search_date`` for questions about a date; the answer quotes the best
  hit with its citation (thread, turn, time, source);
* the memory-pressure alert makes it save facts from the visible conversation that were never
  stored, before they are evicted;
* a summary request gets an extractive summary within the word limit.

It exists so the whole graph runs with no API key and no network: demos, tests and benchmarks
exercise every edge of the graph (page faults, splice-back, eviction) reproducibly. Everything
is a pure function of the input messages: no randomness, no clock, no I/O; tool call ids are
hashes of the content, so two runs of the same conversation produce identical traces.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.messages.tool import ToolCall, tool_call
from langchain_core.messages.utils import count_tokens_approximately
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from langgraph_memgpt.prompts import (
    CORE_MEMORY_HEADER,
    MEMORY_ALERT_NAME,
    MEMORY_STATS_HEADER,
    PRESSURE_ALERT_MARKER,
    STEP_LIMIT_MARKER,
    SUMMARY_HEADER,
    SUMMARY_REQUEST_MARKER,
)

__all__ = ["OFFLINE_DRIVER_LABEL", "OfflineDriver"]

#: What the driver calls itself everywhere (``_llm_type``, replies): it must never pass for an LLM.
OFFLINE_DRIVER_LABEL = "memgpt-offline-driver (rule-based, not an LLM)"

APPEND = "core_memory_append"
REPLACE = "core_memory_replace"
INSERT = "archival_memory_insert"
SEARCH_ARCHIVAL = "archival_memory_search"
SEARCH_RECALL = "conversation_search"
SEARCH_DATE = "conversation_search_date"

#: Start of the reply when memory has nothing: search hits starting with it are skipped, so an
#: earlier "not found" answer stored in recall is never quoted back as an answer.
NOT_FOUND_PREFIX = "I searched my memory"

DEFAULT_SUMMARY_WORDS = 150

# --------------------------------------------------------------------------------------------
# Text helpers: tokens, sentences, questions
# --------------------------------------------------------------------------------------------

_STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any anything are as at be been before
    being below between both but by can could did do does doing done during each either else
    ever every few for from further get got had has have having he her here hers herself him
    himself his how i if in into is it its itself just know let me might mine more most much must
    my myself no nor not now of off on once only or other our ours ourselves out over own please
    really recall remember remind said same say see shall she should so some something tell than
    that the their theirs them themselves then there these they thing things this those through
    to too under until up us very was we were what when where whether which while who whom whose
    why will with would yes yet you your yours yourself yourselves
    """.split()  # noqa: SIM905 (a word list reads best as text)
)

# Applied before and after stemming so that the question's words meet the stored fact's words.
_SYNONYMS = {
    "color": "colour",
    "favorite": "favourite",
    "fav": "favourite",
    "old": "age",
    "aged": "age",
    "called": "name",
    "named": "name",
    "call": "name",
    "reside": "live",
    "resid": "liv",
    "job": "work",
    "occupation": "work",
    "profession": "work",
    "born": "birth",
    "birthday": "birth",
}

_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
_WEEKDAYS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday".split()  # noqa: SIM905
)

_QUESTION_STARTERS = frozenset(
    """
    who what when where why how which whose whom do does did is are was were can could would
    will should shall have has had am
    """.split()  # noqa: SIM905 (a word list reads best as text)
)
_REQUEST_STARTERS = (
    "tell me",
    "remind me",
    "show me",
    "look up",
    "search",
    "find ",
    "list ",
    "recall ",
)

_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?")
_FIRST_PERSON = frozenset({"i", "me", "my", "mine", "myself"})
_SECOND_PERSON = frozenset({"you", "your", "yours", "yourself"})


def _norm_text(text: str) -> str:
    """Typographic quotes to ASCII, so patterns see one apostrophe."""
    return (
        text.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
    )


def _stem(word: str) -> str:
    """A deliberately tiny stemmer: enough for "lives" to meet "live" and "colours" "colour"."""
    word = _SYNONYMS.get(word, word)
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith(("ed", "ches", "shes", "sses", "xes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return _SYNONYMS.get(word, word)


def _words(text: str) -> list[str]:
    """Lower-cased word tokens, possessives and contractions folded ("Alice's" -> "alice")."""
    out = []
    for token in _WORD_RE.findall(_norm_text(text)):
        lower = token.lower()
        if "'" in lower:
            lower = lower.split("'", 1)[0]
        out.append(lower)
    return out


def content_words(text: str) -> set[str]:
    """Stemmed words that carry meaning; the unit of every overlap test of the policy."""
    return {_stem(w) for w in _words(text) if w not in _STOPWORDS}


def _key_words(text: str) -> list[str]:
    """Content words in order, unstemmed: a keyword query for full-text recall search."""
    seen: list[str] = []
    for word in _words(text):
        if word not in _STOPWORDS and word not in seen:
            seen.append(word)
    return seen


def _name_words(text: str) -> set[str]:
    """Capitalised words after the first one (names, places): a question about "Bob" must not
    be answered by a line about someone else."""
    tokens = _WORD_RE.findall(_norm_text(text))
    names = set()
    for token in tokens[1:]:
        bare = token.split("'", 1)[0]
        if bare[:1].isupper() and bare not in {"I"} and bare.lower() not in _STOPWORDS:
            names.add(_stem(bare.lower()))
    return names


_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+|;\s+")
_CLAUSE_RE = re.compile(r",?\s+and\s+(?=(?:I|I'm|I've|my|My)\b)")


def split_sentences(text: str) -> list[str]:
    """Sentences, and "X and I Y" clauses when both halves talk about the speaker.

    "My name is Alice and I live in Lisbon" holds two facts; "Bob and I met" holds one.
    """
    out: list[str] = []
    for raw in _SENTENCE_RE.split(_norm_text(text)):
        sentence = raw.strip()
        if not sentence:
            continue
        parts = _CLAUSE_RE.split(sentence)
        if len(parts) > 1 and re.match(r"(?i)(?:i|i'm|my)\b", _strip_filler(parts[0])):
            out.extend(p.strip() for p in parts if p.strip())
        else:
            out.append(sentence)
    return out


_FILLER_RE = re.compile(
    r"^(?:(?:hi|hello|hey|well|ok|okay|so|also|oh|btw|by the way|actually|and|but|yes|no|"
    r"sure|anyway|fyi)\b[,!.:]?\s+)+",
    re.IGNORECASE,
)


def _strip_filler(sentence: str) -> str:
    return _FILLER_RE.sub("", sentence.strip())


_ASIDE_RE = re.compile(r"^\([^)]*\)\s*")


def _bare(sentence: str) -> str:
    """Sentence without a leading "(aside)", filler words and trailing punctuation."""
    return _strip_filler(_ASIDE_RE.sub("", sentence.strip())).rstrip(" .!?,;:")


def is_question(sentence: str) -> bool:
    """A question or a request to look something up ("Tell me ...", "Remind me ...")."""
    text = _strip_filler(_norm_text(sentence)).strip()
    if not text:
        return False
    if text.endswith("?"):
        return True
    lower = text.lower()
    first = _words(lower)[:1]
    return bool(first and first[0] in _QUESTION_STARTERS) or lower.startswith(_REQUEST_STARTERS)


_GREETINGS = ("hi", "hello", "hey", "good morning", "good afternoon", "good evening", "howdy")


def _is_greeting(text: str) -> bool:
    lower = text.lower().strip(" !.,")
    return lower.startswith(_GREETINGS) and len(lower.split()) <= 4


def _sentence_case(text: str) -> str:
    text = text.strip()
    if text and not text.endswith((".", "!", "?")):
        text += "."
    return text[:1].upper() + text[1:]


def _same(a: str, b: str) -> bool:
    """Equality that ignores case, spacing and final punctuation."""

    def key(s: str) -> str:
        return " ".join(_norm_text(s).lower().split()).rstrip(" .!?")

    return key(a) == key(b)


def _contains(haystack: str, needle: str) -> bool:
    """Whole-phrase, case-insensitive containment: "Age: 3" is not in "Age: 34"."""
    needle = needle.strip().rstrip(".")
    pattern = r"(?<!\w)" + re.escape(needle) + r"(?!\w)"
    return bool(needle) and re.search(pattern, haystack, re.IGNORECASE) is not None


def _shorten(text: str, limit: int = 160) -> str:
    """One line, cut at a word boundary: listings stay readable."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + " ..."


def _message_text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return message.text


# --------------------------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------------------------


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


_PRONOUNS = [
    (r"\bmy\b", "their"),
    (r"\bmine\b", "theirs"),
    (r"\bmyself\b", "themselves"),
    (r"\bme\b", "them"),
    (r"\bI'm\b", "they're"),
    (r"\bI\b", "they"),
]


def _third_person(text: str) -> str:
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
_Builder = Callable[[re.Match[str]], tuple[str, str, str | None] | None]


def _human(text: str, key: str | None = None) -> tuple[str, str, str | None]:
    return ("human", text, key)


def _name_value(m: re.Match[str]) -> str | None:
    value = _value(m.group("v"))
    words = value.split()
    return value if 0 < len(words) <= 4 else None


def _build_name(label: str) -> _Builder:
    def build(m: re.Match[str]) -> tuple[str, str, str | None] | None:
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
        lambda m: _human(f"User lives in {_value(m.group('v'))}", "User lives in"),
    ),
    (
        re.compile(r"(?i)^(?:i am|i'm|im) (?:currently )?living in (?P<v>.+)$"),
        lambda m: _human(f"User lives in {_value(m.group('v'))}", "User lives in"),
    ),
    (
        re.compile(r"(?i)^(?:i am|i'm|im|i come) from (?P<v>.+)$"),
        lambda m: _human(f"User is from {_value(m.group('v'))}", "User is from"),
    ),
    (
        re.compile(r"(?i)^i work (?P<p>as|at|for|in|on) (?P<v>.+)$"),
        lambda m: _human(
            f"User works {m.group('p').lower()} {_third_person(_value(m.group('v')))}",
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
            f"User {_VERB_3RD[m.group('verb').lower()]} {_third_person(_value(m.group('v')))}"
        ),
    ),
    (
        re.compile(r"(?i)^i(?:'ve| have) got (?P<v>.+)$"),
        lambda m: _human(f"User has {_third_person(_value(m.group('v')))}"),
    ),
    (
        re.compile(r"(?i)^(?:i am|i'm|im) (?P<v>" + _ADJECTIVES + r")$"),
        lambda m: _human(f"User is {m.group('v').lower()}"),
    ),
    (
        re.compile(r"(?i)^(?:i am|i'm|im) (?P<a>a|an) (?P<v>[\w -]+)$"),
        lambda m: _human(f"User is {m.group('a').lower()} {_third_person(_value(m.group('v')))}"),
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

_REMEMBER_RE = re.compile(
    r"(?i)^(?:(?:can|could|would|will) you )?(?:please )?(?:remember|note|keep in mind|"
    r"don't forget|do not forget|make a note|save|store)(?: that|:)?,?\s+(?P<body>.+?)"
    r"(?:,? please)?[.!?]*$"
)


def _substantive(core_text: str) -> bool:
    """ "User likes it" or "User has a question" is not worth a line of core memory."""
    value = core_text.split(":", 1)[1] if ":" in core_text else core_text
    words = content_words(value) - {"user"}
    return bool(words) and not words <= {_stem(w) for w in _NOT_ABOUT_USER}


def _identity(sentence: str) -> tuple[str, str, str | None] | None:
    for pattern, build in _IDENTITY_PATTERNS:
        match = pattern.match(sentence)
        if match:
            built = build(match)
            if built is not None and _substantive(built[1]):
                return built
    match = _MY_X_RE.match(sentence)
    if match and not set(_words(match.group("k"))) & _NOT_ABOUT_USER:
        key = _third_person(match.group("k").strip())
        verb = match.group("verb").lower()
        return _human(f"User's {key} {verb} {_value(match.group('v'))}", f"User's {key} {verb}")
    return None


def _has_fact_signal(sentence: str) -> bool:
    """Numbers, months and proper nouns: what makes a sentence worth keeping.

    Weekday names alone do not count: they mark narratives ("On Sunday I cooked soup") far more
    often than lasting facts; "Remember that ..." saves anything explicitly.
    """
    if re.search(r"\d", sentence):
        return True
    tokens = _WORD_RE.findall(_norm_text(sentence))
    for i, token in enumerate(tokens):
        lower = token.lower().split("'", 1)[0]
        if lower in _WEEKDAYS:
            continue  # "On Saturday I walked..." is a story, not a fact to keep
        if lower in _MONTHS and len(lower) > 3:
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
        sentence = _bare(raw)
        match = _REMEMBER_RE.match(_strip_filler(raw))
        if match:
            sentence, explicit = _bare(match.group("body")), True
        elif is_question(raw):
            continue
        if not sentence:
            continue
        identity = _identity(sentence)
        archival_text = _sentence_case(sentence)
        if identity is not None:
            label, core_text, key = identity
            facts.append(Fact(label, core_text, archival_text, key))
            continue
        words = _words(sentence)
        if explicit or (
            len(words) >= 3
            and words[0] not in _NOT_A_FACT_START
            and words[0] not in _SECOND_PERSON
            and _has_fact_signal(sentence)
        ):
            facts.append(Fact(None, "", archival_text))
    return facts


def _question_of(text: str) -> str | None:
    """The first question (or look-up request) of a message; remember-requests are facts."""
    for raw in split_sentences(text):
        if _REMEMBER_RE.match(_strip_filler(raw)):
            continue
        if is_question(raw):
            return _strip_filler(raw).strip()
    return None


# --------------------------------------------------------------------------------------------
# Reading the main context
# --------------------------------------------------------------------------------------------


@dataclass
class CoreBlock:
    """A core block as rendered in the system prompt (``<label characters="n/limit">``)."""

    label: str
    value: str
    used: int
    limit: int

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.value.splitlines() if line.strip()]


_BLOCK_RE = re.compile(
    r'<(?P<label>[A-Za-z][\w-]*) characters="(?P<used>\d+)/(?P<limit>\d+)">\n'
    r"(?P<value>.*?)\n?</(?P=label)>",
    re.DOTALL,
)
_TODAY_RE = re.compile(r"Today is (\d{4}-\d{2}-\d{2})")


def _section(text: str, header: str) -> str:
    """Text under a ``### header`` up to the next known header."""
    start = text.find(header)
    if start < 0:
        return ""
    body = text[start + len(header) :]
    ends = [
        body.find(h) for h in (CORE_MEMORY_HEADER, SUMMARY_HEADER, MEMORY_STATS_HEADER) if h in body
    ]
    return body[: min(ends)] if ends else body


def parse_core(system_text: str) -> dict[str, CoreBlock]:
    """Core blocks from the rendered system prompt, by label."""
    section = _section(system_text, CORE_MEMORY_HEADER)
    return {
        m.group("label"): CoreBlock(
            m.group("label"), m.group("value").strip(), int(m.group("used")), int(m.group("limit"))
        )
        for m in _BLOCK_RE.finditer(section)
    }


def _today(system_text: str) -> date | None:
    match = _TODAY_RE.search(_section(system_text, MEMORY_STATS_HEADER))
    try:
        return date.fromisoformat(match.group(1)) if match else None
    except ValueError:
        return None


def is_alert(message: BaseMessage) -> bool:
    """The runtime's memory-pressure alert (never a real user message)."""
    if isinstance(message, HumanMessage) and message.name == MEMORY_ALERT_NAME:
        return True
    return isinstance(message, HumanMessage | SystemMessage) and _message_text(
        message
    ).lstrip().startswith(PRESSURE_ALERT_MARKER)


_DATE_PATTERNS = [
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)? (?P<mon>[A-Za-z]{3,9}),? (?P<y>\d{4})\b"),
    re.compile(r"\b(?P<mon>[A-Za-z]{3,9}) (?P<d>\d{1,2})(?:st|nd|rd|th)?,? (?P<y>\d{4})\b"),
]


def extract_dates(text: str, today: date | None = None) -> list[date]:
    """Explicit calendar dates in a question, in order; "today"/"yesterday" need ``today``."""
    found: list[tuple[int, date]] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            groups = m.groupdict()
            month = _MONTHS.get(groups["mon"].lower()) if groups.get("mon") else int(groups["m"])
            if month is None:
                continue
            try:
                found.append((m.start(), date(int(groups["y"]), month, int(groups["d"]))))
            except ValueError:
                continue
    if today is not None:
        lower = text.lower()
        for word, delta in (("yesterday", 1), ("today", 0)):
            for m in re.finditer(rf"\b{word}\b", lower):
                found.append((m.start(), today - timedelta(days=delta)))
        for m in re.finditer(r"\b(\d{1,3}) days ago\b", lower):
            found.append((m.start(), today - timedelta(days=int(m.group(1)))))
    out: list[date] = []
    for _, day in sorted(found, key=lambda item: item[0]):
        if day not in out:
            out.append(day)
    return out


# --------------------------------------------------------------------------------------------
# Tool calls and their results in the current turn
# --------------------------------------------------------------------------------------------


@dataclass
class Hit:
    """A search result, from the ToolMessage's artifact or parsed from its text."""

    text: str
    citation: str
    score: float = 0.0
    role: str | None = None
    untrusted: bool = False


@dataclass
class CallRecord:
    """A tool call made earlier in the turn, with its result (``None``: no result came back)."""

    name: str
    args: dict[str, Any]
    result: ToolMessage | None
    after_alert: bool = False

    @property
    def ok(self) -> bool:
        return self.result is not None and not _is_error(self.result)

    @property
    def error(self) -> str:
        if self.result is None:
            return "no result came back"
        text = _message_text(self.result).strip()
        return re.sub(r"^error:\s*", "", text, flags=re.IGNORECASE) or "unknown error"


def _is_error(message: ToolMessage) -> bool:
    return message.status == "error" or _message_text(message).lstrip().lower().startswith("error")


_HIT_LINE_RE = re.compile(r"^\[(\d+)\]\s*\(([^)]*)\)\s*(.*)$")
_ROLE_PREFIX_RE = re.compile(r"^(user|assistant|tool|system|human|ai):\s+", re.IGNORECASE)


def _citation_from_metadata(metadata: dict[str, Any]) -> str:
    parts = []
    if metadata.get("thread_id") is not None:
        parts.append(f"thread {metadata['thread_id']}")
    if metadata.get("turn") is not None:
        parts.append(f"turn {metadata['turn']}")
    if metadata.get("created_at"):
        parts.append(str(metadata["created_at"]))
    if metadata.get("source"):
        parts.append(f"source {metadata['source']}")
    return ", ".join(parts) or "no citation"


def hits_of(message: ToolMessage) -> list[Hit]:
    """Search hits of a tool result: the structured artifact when present, else the text.

    The text fallback reads lines ``[n] (citation) text`` so the driver also works with tools
    that return content only.
    """
    if _is_error(message):
        return []
    artifact = message.artifact
    if isinstance(artifact, dict) and isinstance(artifact.get("hits"), list):
        hits = []
        for raw in artifact["hits"]:
            if not isinstance(raw, dict):
                continue
            metadata: dict[str, Any] = (
                raw["metadata"] if isinstance(raw.get("metadata"), dict) else {}
            )
            hits.append(
                Hit(
                    text=str(raw.get("text") or ""),
                    citation=str(raw.get("citation") or _citation_from_metadata(metadata)),
                    score=float(raw.get("score") or 0.0),
                    role=metadata.get("role"),
                    untrusted=bool(metadata.get("untrusted")) or metadata.get("trusted") is False,
                )
            )
        return hits
    hits = []
    for line in _message_text(message).splitlines():
        match = _HIT_LINE_RE.match(line.strip())
        if match:
            text = match.group(3)
            role_match = _ROLE_PREFIX_RE.match(text)
            role = role_match.group(1).lower() if role_match else None
            if role_match:
                text = text[role_match.end() :]
            hits.append(Hit(text=text, citation=match.group(2), role=role))
        elif hits and line.strip() and not line.startswith("Cite results"):
            hits[-1].text += "\n" + line.strip()
    return hits


def _records(messages: Sequence[BaseMessage]) -> list[CallRecord]:
    results = {m.tool_call_id: m for m in messages if isinstance(m, ToolMessage)}
    records = []
    previous: BaseMessage | None = None
    for message in messages:
        if isinstance(message, AIMessage):
            after_alert = previous is not None and is_alert(previous)
            for call in message.tool_calls:
                records.append(
                    CallRecord(
                        name=call["name"],
                        args=dict(call.get("args") or {}),
                        result=results.get(call.get("id") or ""),
                        after_alert=after_alert,
                    )
                )
        previous = message
    return records


def _signature(name: str, args: dict[str, Any]) -> str:
    return json.dumps([name, args], sort_keys=True, default=str)


def _tool_names(tools: Any) -> set[str]:
    """Names of the tools bound for this call, whatever form they were passed in."""
    names: set[str] = set()
    for tool in tools or []:
        if isinstance(tool, dict):
            function = tool.get("function")
            name = function.get("name") if isinstance(function, dict) else tool.get("name")
        elif isinstance(tool, BaseTool):
            name = tool.name
        else:
            try:
                name = convert_to_openai_tool(tool)["function"]["name"]
            except Exception:  # an exotic tool form: it simply cannot be called
                name = None
        if name:
            names.add(str(name))
    return names


# --------------------------------------------------------------------------------------------
# The policy for one model call
# --------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    """Everything the driver knows at one model call, and the decisions derived from it."""

    messages: list[BaseMessage]
    tools: set[str]
    max_pressure_saves: int
    max_tool_rounds: int
    system_text: str = ""
    core: dict[str, CoreBlock] = field(default_factory=dict)
    today: date | None = None
    current: str | None = None  # the user message this turn answers (None: nothing pending)
    current_index: int | None = None
    turn: list[BaseMessage] = field(default_factory=list)
    records: list[CallRecord] = field(default_factory=list)
    stored_before: set[str] = field(default_factory=set)
    facts: list[Fact] = field(default_factory=list)
    question: str | None = None

    def __post_init__(self) -> None:
        if self.messages and isinstance(self.messages[0], SystemMessage):
            self.system_text = _message_text(self.messages[0])
        self.core = parse_core(self.system_text)
        self.today = _today(self.system_text)
        start = None
        for i in range(len(self.messages) - 1, -1, -1):
            message = self.messages[i]
            if isinstance(message, HumanMessage) and not is_alert(message):
                start = i
                break
        self.turn = self.messages[start + 1 :] if start is not None else list(self.messages)
        self.records = _records(self.turn)
        earlier = self.messages[: start if start is not None else 0]
        self.stored_before = {
            _signature(r.name, r.args)
            for r in _records(earlier)
            if r.ok and r.name in {APPEND, REPLACE, INSERT}
        }
        answered = any(isinstance(m, AIMessage) and not m.tool_calls for m in self.turn)
        if start is not None and not answered:
            self.current_index = start
            self.current = _message_text(self.messages[start])
            self.facts = extract_facts(self.current)
            self.question = _question_of(self.current)

    # -- helpers ---------------------------------------------------------------------------

    def _record(self, name: str, args: dict[str, Any]) -> CallRecord | None:
        signature = _signature(name, args)
        for record in self.records:
            if _signature(record.name, record.args) == signature:
                return record
        return None

    def _call(self, name: str, **args: Any) -> tuple[str, dict[str, Any]] | None:
        return (name, args) if name in self.tools else None

    @property
    def rounds(self) -> int:
        return sum(1 for m in self.turn if isinstance(m, AIMessage) and m.tool_calls)

    # -- facts -----------------------------------------------------------------------------

    def _first_attempt(self, fact: Fact) -> tuple[str, str, dict[str, Any] | None]:
        """(status, tool, args) of the first way to store a fact; status "already" or "call"."""
        for record in self.records:
            # Already attempted in this turn: the chain continues from there, whatever core
            # memory now shows (a successful append makes the fact appear in it).
            if record.name in {APPEND, REPLACE, INSERT} and any(
                _same(str(record.args.get(k, "")), text)
                for k in ("content", "new_content")
                for text in (fact.core_text, fact.archival_text)
                if text
            ):
                return ("call", record.name, record.args)
        archival = self._call(INSERT, content=fact.archival_text)
        if fact.label is None:
            return ("call", INSERT, archival[1]) if archival else ("none", "", None)
        block = self.core.get(fact.label)
        if block is not None:
            if _contains(block.value, fact.core_text):
                return ("already", fact.label, None)
            if fact.key is not None:
                for line in block.lines:
                    if line.lower().startswith(fact.key.lower()):
                        call = self._call(
                            REPLACE, label=fact.label, old_content=line, new_content=fact.core_text
                        )
                        if call:
                            return ("call", *call)
            if block.used + len(fact.core_text) + 1 > block.limit and archival:
                # The block is visibly full: MemGPT would not even try; archival has no limit.
                return ("call", *archival)
        append = self._call(APPEND, label=fact.label, content=fact.core_text)
        if append:
            return ("call", *append)
        return ("call", *archival) if archival else ("none", "", None)

    def _fix(self, fact: Fact, record: CallRecord) -> tuple[str, dict[str, Any]] | None:
        """One corrected retry for a failed store, or ``None`` when the error is not fixable."""
        error = record.error.lower()
        archival = self._call(INSERT, content=fact.archival_text)
        if record.name == INSERT:
            return None
        label = str(record.args.get("label", fact.label or "human"))
        if record.name == REPLACE and "not found" in error:
            return self._call(APPEND, label=label, content=fact.core_text) or archival
        if "unknown core memory block" in error or ("unknown" in error and "label" in error):
            if label != "human":
                return self._call(APPEND, label="human", content=fact.core_text) or archival
            return archival
        if "limit" in error or "too long" in error or "exceed" in error:
            return archival
        return None

    def resolve_fact(self, fact: Fact) -> tuple[str, tuple[str, dict[str, Any]] | None, str]:
        """Where storing ``fact`` stands: ("pending", call, ""), ("saved", call, ""),
        ("failed", call, error), ("already", None, label) or ("none", None, "").

        Walks first attempt -> fix -> fix... over the calls already made in this turn, so a
        failed call is retried at most once with corrected arguments and never repeated.
        """
        status, name, args = self._first_attempt(fact)
        if status == "already":
            return ("already", None, f"core memory ({name})")
        if args is None:
            return ("none", None, "")
        call: tuple[str, dict[str, Any]] = (name, args)
        if self._record(*call) is None and _signature(*call) in self.stored_before:
            # Stored successfully in an earlier, still visible turn: do not duplicate it.
            return ("already", None, "archival memory" if name == INSERT else "core memory")
        seen: set[str] = set()
        while True:
            seen.add(_signature(*call))
            record = self._record(*call)
            if record is None:
                return ("pending", call, "")
            if record.ok or record.result is None:
                return ("saved", call, "")
            fixed = self._fix(fact, record)
            if fixed is None or _signature(*fixed) in seen:
                return ("failed", call, record.error)
            call = fixed

    # -- questions ---------------------------------------------------------------------------

    def _usable(self, hit: Hit) -> bool:
        """Hits that could answer: not the question itself, not alerts or earlier non-answers."""
        text = hit.text.strip()
        if not text or hit.role in {"tool", "system"}:
            return False
        if self.current is not None and (
            _same(text, self.current) or _same(text, self.question or "")
        ):
            return False
        if text.startswith((PRESSURE_ALERT_MARKER, STEP_LIMIT_MARKER, NOT_FOUND_PREFIX, "[calls")):
            return False
        return not is_question(text.splitlines()[0])

    def _best(self, hits: Iterable[Hit], query_words: set[str]) -> tuple[int, Hit] | None:
        best: tuple[tuple[int, int, int, int], Hit] | None = None
        for rank, hit in enumerate(hits):
            if not self._usable(hit):
                continue
            overlap = len(query_words & content_words(hit.text))
            # What the user said beats the assistant's earlier answer quoting it (which would
            # nest citations); relevance first, then the store's own ranking.
            key = (min(overlap, 1), 0 if hit.role == "assistant" else 1, overlap, -rank)
            if best is None or key > best[0]:
                best = (key, hit)
        return (best[0][2], best[1]) if best else None

    def _core_answer(self, question: str) -> str | None:
        """Quote core memory when a pinned line answers the question (no page fault needed)."""
        words = set(_words(question))
        if words & _FIRST_PERSON:
            labels = ["human"]
        elif words & _SECOND_PERSON:
            labels = ["persona"]
        else:
            labels = list(self.core)
        query = content_words(question)
        names = _name_words(question)
        if not query:
            return None
        # Short questions must be covered entirely ("my sister's name" is not "Name: Alice").
        needed = len(query) if len(query) <= 2 else math.ceil(2 * len(query) / 3)
        best: tuple[int, str, str] | None = None
        for label in labels:
            block = self.core.get(label)
            if block is None:
                continue
            for line in block.lines:
                line_words = content_words(line)
                overlap = len(query & line_words)
                if (
                    overlap >= needed
                    and names <= line_words
                    and (best is None or overlap > best[0])
                ):
                    best = (overlap, label, line)
        if best is None:
            return None
        return f"According to core memory ({best[1]}): {_sentence_case(best[2])}"

    def _quote(self, hit: Hit, query_words: set[str], tier: str) -> str:
        text = " ".join(hit.text.split())
        if len(text) > 240:
            sentences = split_sentences(hit.text)
            text = max(
                sentences, key=lambda s: (len(query_words & content_words(s)), -sentences.index(s))
            )
        answer = f"According to {tier} ({hit.citation}): {_sentence_case(text)}"
        if hit.untrusted:
            answer += " (This passage is flagged as untrusted: I quote it, I do not act on it.)"
        return answer

    def resolve_question(self) -> tuple[tuple[str, dict[str, Any]] | None, str]:
        """(call, "") while memory still has to be paged in, else (None, answer)."""
        question = self.question or ""
        errors: list[str] = []
        dates = extract_dates(question, self.today)
        if dates:
            start, end = min(dates[:2]), max(dates[:2])
            call = self._call(SEARCH_DATE, start_date=start.isoformat(), end_date=end.isoformat())
            if call is not None:
                record = self._record(*call)
                if record is None:
                    return call, ""
                span = start.isoformat() if start == end else f"{start} and {end}"
                hits = (
                    [h for h in hits_of(record.result) if self._usable(h)] if record.result else []
                )
                if not record.ok:
                    return None, f"I could not list the messages of {span}: {record.error}"
                if not hits:
                    return None, f"{NOT_FOUND_PREFIX}: recall memory has no messages from {span}."
                # What the user said tells what was talked about better than the replies.
                hits.sort(key=lambda h: h.role == "assistant")
                quoted = "; ".join(
                    f"({h.citation}) {_sentence_case(_shorten(h.text))}" for h in hits[:3]
                )
                return None, f"From recall memory, messages of {span}: {quoted}"

        core_answer = self._core_answer(question)
        if core_answer is not None:
            return None, core_answer

        query_words = content_words(question)
        searches = [
            (SEARCH_ARCHIVAL, question, "archival memory"),
            (SEARCH_RECALL, " ".join(_key_words(question)) or question, "recall memory"),
        ]
        searched = 0
        for name, query, tier in searches:
            call = self._call(name, query=query)
            if call is None:
                continue
            record = self._record(*call)
            if record is None:
                return call, ""
            if not record.ok or record.result is None:
                errors.append(f"{name}: {record.error}")
                continue
            searched += 1
            best = self._best(hits_of(record.result), query_words)
            if best is not None and (best[0] > 0 or not query_words):
                # A relevant hit: archival wins over recall, no need to page in more.
                return None, self._quote(best[1], query_words, tier)
        if not (self.tools & {SEARCH_ARCHIVAL, SEARCH_RECALL}):
            return None, "I cannot look that up: no memory search tools are available to me."
        if searched == 0:
            return None, f'I could not search my memory for "{question}": ' + "; ".join(errors)
        answer = (
            f"{NOT_FOUND_PREFIX} (archival and conversation history) for "
            f'"{question}" and found nothing relevant, so I don\'t know.'
        )
        if errors:
            answer += " (A search failed: " + "; ".join(errors) + ")"
        return None, answer

    # -- the memory-pressure alert ----------------------------------------------------------------

    def pressure_saves(self) -> list[tuple[str, dict[str, Any]]]:
        """archival inserts for facts in the visible FIFO that were never stored, oldest first
        (the oldest messages are evicted first)."""
        if INSERT not in self.tools:
            return []
        stored: list[str] = []
        for message in self.messages:
            if isinstance(message, AIMessage):
                for call in message.tool_calls:
                    args = call.get("args") or {}
                    stored.extend(str(args[k]) for k in ("content", "new_content") if k in args)
        core_text = "\n".join(block.value for block in self.core.values())
        saves: list[tuple[str, dict[str, Any]]] = []
        for i, message in enumerate(self.messages):
            if (
                i == self.current_index
                or not isinstance(message, HumanMessage)
                or is_alert(message)
            ):
                continue
            for fact in extract_facts(_message_text(message)):
                texts = [t for t in (fact.core_text, fact.archival_text) if t]
                if any(_same(t, s) for t in texts for s in stored):
                    continue
                if fact.core_text and _contains(core_text, fact.core_text):
                    continue
                save = (INSERT, {"content": fact.archival_text})
                if save not in saves:
                    saves.append(save)
        return saves[: self.max_pressure_saves]

    # -- the decision ------------------------------------------------------------------------

    def next_calls(self) -> list[tuple[str, dict[str, Any]]]:
        """Every tool call whose inputs are ready, in one parallel batch; empty: answer now."""
        calls: list[tuple[str, dict[str, Any]]] = []
        if self.messages and is_alert(self.messages[-1]):
            calls.extend(self.pressure_saves())
        if self.current is not None and self.rounds < self.max_tool_rounds:
            for fact in self.facts:
                status, call, _ = self.resolve_fact(fact)
                if status == "pending" and call is not None:
                    calls.append(call)
            if self.question is not None:
                call, _ = self.resolve_question()
                if call is not None:
                    calls.append(call)
        unique: list[tuple[str, dict[str, Any]]] = []
        for call in calls:
            # Never loop: a call already made in this turn is not made again.
            if self._record(*call) is None and call not in unique:
                unique.append(call)
        return unique

    def answer(self) -> str:
        parts: list[str] = []
        if self.current is not None:
            for fact in self.facts:
                status, call, detail = self.resolve_fact(fact)
                parts.append(self._fact_outcome(fact, status, call, detail))
            if self.question is not None:
                call, text = self.resolve_question()
                parts.append(
                    text
                    if call is None
                    else f'I ran out of tool steps before I could look up "{self.question}".'
                )
        saved = [
            str(r.args.get("content"))
            for r in self.records
            if r.after_alert
            and r.name == INSERT
            and r.ok
            and not any(_same(str(r.args.get("content")), f.archival_text) for f in self.facts)
        ]
        if saved:
            parts.append(
                f"Memory pressure: saved {len(saved)} earlier fact(s) to archival memory before "
                f"eviction ({'; '.join(s.rstrip('.') for s in saved)})."
            )
        parts = [p for p in parts if p]
        alert_note = (
            "Memory pressure noted: nothing new to save; older messages stay searchable in "
            "recall memory."
            if self.messages and is_alert(self.messages[-1])
            else ""
        )
        if not parts:
            if self.current is not None:
                parts.append(self._small_talk(self.current))
            elif not alert_note:
                parts.append("Hello! How can I help?")
        return " ".join([*parts, alert_note]).strip()

    def _fact_outcome(
        self, fact: Fact, status: str, call: tuple[str, dict[str, Any]] | None, detail: str
    ) -> str:
        if status == "already":
            text = fact.core_text if detail.startswith("core") else fact.archival_text
            return f"I already have that in {detail}: {_sentence_case(text)}"
        if status == "none":
            return f'I cannot store "{fact.archival_text}": no memory tools are available to me.'
        if call is None:
            return ""
        name, args = call
        if status == "pending":
            return f'I ran out of tool steps before storing "{fact.archival_text.rstrip(".")}".'

        if status == "failed":
            return f'I could not store "{fact.archival_text.rstrip(".")}": {detail}'
        if name == APPEND:
            return f"Saved to core memory ({args['label']}): {_sentence_case(args['content'])}"
        if name == REPLACE:
            return (
                f"Updated core memory ({args['label']}): "
                f'"{args["old_content"]}" -> "{args["new_content"]}".'
            )
        if name == INSERT:
            return f"Stored in archival memory: {_sentence_case(args['content'])}"
        return ""

    def _small_talk(self, text: str) -> str:
        name = next(
            (
                line.split(":", 1)[1].strip()
                for line in (self.core["human"].lines if "human" in self.core else [])
                if line.lower().startswith("name:")
            ),
            None,
        )
        lower = text.lower()
        if _is_greeting(text):
            hello = f"Hello, {name}!" if name else "Hello!"
            return (
                f"{hello} I am the offline MemGPT driver, a rule-based stand-in for an LLM: tell "
                "me facts and I will store them; ask me questions and I will search my memory."
            )
        if re.search(r"\bthank", lower):
            return "You're welcome!"
        if re.search(r"\b(?:bye|goodbye|see you)\b", lower):
            return "Goodbye! What we discussed stays in memory."
        return "Noted. I found no fact to store and no question to look up in that message."


# --------------------------------------------------------------------------------------------
# Summaries
# --------------------------------------------------------------------------------------------

_MAX_WORDS_RE = re.compile(r"At most (\d+) words", re.IGNORECASE)
_LINE_ROLE_RE = re.compile(r"^(?P<role>[\w-]+(?: [\w-]+)?)(?: \([^)]*\))?:\s?(?P<text>.*)$")
_PLACEHOLDERS = frozenset({"(none)", "none", "(nothing evicted yet)", "(empty)", ""})


def summarize_transcript(request: str, max_words: int = DEFAULT_SUMMARY_WORDS) -> str:
    """Extractive recursive summary: previous summary + facts the user stated, newest kept.

    Keeps every sentence of the previous summary (it is already distilled) and each evicted
    user sentence that carries a fact (a name, number, date, proper noun or a stated identity
    fact), prefixed ``User:``. When over ``max_words`` the oldest items go first: the newest
    information wins, as in MemGPT's recursive summary.
    """
    previous, transcript = "", request
    if "Evicted messages:" in request:
        head, transcript = request.split("Evicted messages:", 1)
        previous = head.replace("Previous summary:", "", 1).strip()
    items: list[str] = []
    if previous.lower() not in _PLACEHOLDERS:
        for line in previous.splitlines():
            line = re.sub(r"^\s*[-*\u2022]\s*", "", line).strip()
            if line.startswith("User:"):
                items.append(line)
            else:
                items.extend(s.strip() for s in re.split(r"(?<=[.!?])\s+", line) if s.strip())
    speakers: list[tuple[str, str]] = []
    for line in transcript.strip().splitlines():
        match = _LINE_ROLE_RE.match(line)
        if match and match.group("role").split()[0].lower() in {
            "user",
            "human",
            "assistant",
            "ai",
            "tool",
            "system",
            MEMORY_ALERT_NAME,
        }:
            speakers.append((match.group("role").split()[0].lower(), match.group("text")))
        elif speakers:
            speakers[-1] = (speakers[-1][0], speakers[-1][1] + "\n" + line)
    for role, text in speakers:
        if role not in {"user", "human"} or text.lstrip().startswith(PRESSURE_ALERT_MARKER):
            continue
        for sentence in split_sentences(text):
            bare = _bare(sentence)
            if not bare or is_question(sentence) or _is_greeting(sentence):
                continue
            remember = _REMEMBER_RE.match(bare)
            if remember:
                bare = _bare(remember.group("body"))
            if remember or extract_facts(sentence) or _has_fact_signal(bare):
                items.append(f"User: {_sentence_case(bare)}")
    # Deduplicate, keeping the newest occurrence.
    unique: list[str] = []
    for item in reversed(items):
        if not any(_same(item, kept) for kept in unique):
            unique.append(item)
    unique.reverse()
    total = sum(len(item.split()) for item in unique)
    while unique and total > max_words:
        total -= len(unique.pop(0).split())
    if not unique and items:
        # A single newest item longer than the whole budget: keep its last words.
        unique = [" ".join(items[-1].split()[-max_words:])]
    return "\n".join(unique)


# --------------------------------------------------------------------------------------------
# The chat model
# --------------------------------------------------------------------------------------------


class OfflineDriver(BaseChatModel):
    """Deterministic, rule-based stand-in for an LLM that drives the MemGPT graph offline.

    Not a language model: it recognises the graph's prompts by their fixed markers
    (:mod:`langgraph_memgpt.prompts`) and follows a fixed MemGPT policy, so the whole agent
    runs without an API key, network or model download, and every run is reproducible. It only
    calls tools that were bound with :meth:`bind_tools`, like a real chat model; unknown user
    tools are bound without harm and never called.

    Example:
        ```python
        from langgraph_memgpt import Memory, OfflineDriver, create_memgpt_agent

        agent = create_memgpt_agent(OfflineDriver(), memory=Memory.open("./memgpt-data"))
        ```
    """

    max_pressure_saves: int = 3
    """At most this many archival inserts in reaction to one memory-pressure alert."""

    max_tool_rounds: int = 5
    """Tool-calling rounds per turn before the driver answers with what it has (a backstop;
    the policy itself never repeats a call)."""

    @property
    def _llm_type(self) -> str:
        return OFFLINE_DRIVER_LABEL

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_name": "memgpt-offline-driver",
            "kind": "rule-based, not an LLM",
            "max_pressure_saves": self.max_pressure_saves,
            "max_tool_rounds": self.max_tool_rounds,
        }

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools as OpenAI-format schemas, like real chat models do.

        The driver reads only the tool names from them (it never calls a tool that was not
        bound); ``tool_choice`` is accepted for API compatibility and ignored.
        """
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=formatted, **kwargs)

    def get_num_tokens(self, text: str) -> int:
        """Approximate (4 characters per token): never downloads a tokenizer."""
        return math.ceil(len(text) / 4)

    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """Approximate count, tool schemas included: there is no real tokenizer to match."""
        schemas: list[BaseTool | dict[str, Any]] | None = (
            [convert_to_openai_tool(t) for t in tools] if tools else None
        )
        return count_tokens_approximately(messages, tools=schemas)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        message = self.respond(messages, tools=kwargs.get("tools"))
        input_tokens = count_tokens_approximately(messages)
        output_tokens = count_tokens_approximately([message])
        message.usage_metadata = {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens,
        }
        message.response_metadata = {"model_name": "memgpt-offline-driver", "rule_based": True}
        return ChatResult(generations=[ChatGeneration(message=message)])

    def respond(self, messages: Sequence[BaseMessage], tools: Any = None) -> AIMessage:
        """The policy as a pure function: messages (+ bound tools) in, one AIMessage out."""
        messages = list(messages)
        summary_request = next(
            (
                m
                for m in messages
                if isinstance(m, SystemMessage)
                and _message_text(m).lstrip().startswith(SUMMARY_REQUEST_MARKER)
            ),
            None,
        )
        if summary_request is not None:
            match = _MAX_WORDS_RE.search(_message_text(summary_request))
            max_words = int(match.group(1)) if match else DEFAULT_SUMMARY_WORDS
            request = "\n".join(_message_text(m) for m in messages if isinstance(m, HumanMessage))
            return AIMessage(content=summarize_transcript(request, max_words))

        plan = _Plan(
            messages=messages,
            tools=_tool_names(tools),
            max_pressure_saves=self.max_pressure_saves,
            max_tool_rounds=self.max_tool_rounds,
        )
        calls = plan.next_calls()
        if calls:
            anchor = plan.current or (_message_text(messages[-1]) if messages else "")
            return AIMessage(
                content="",
                tool_calls=[
                    _make_call(name, args, index, len(messages), anchor)
                    for index, (name, args) in enumerate(calls)
                ],
            )
        return AIMessage(content=plan.answer())


def _make_call(
    name: str, args: dict[str, Any], index: int, n_messages: int, anchor: str
) -> ToolCall:
    """A tool call whose id is a hash of its content and position: reproducible across runs,
    distinct within a thread."""
    digest = hashlib.sha256(
        json.dumps([n_messages, index, name, args, anchor], sort_keys=True, default=str).encode()
    ).hexdigest()
    return tool_call(name=name, args=args, id=f"call_{digest[:24]}")
