"""Text normalisation: words, sentences and questions, as the driver's rules see them.

Decides which words of a sentence carry meaning (for every overlap test of the policy), where
a message splits into sentences, and whether a sentence asks something. Stemming is not done
here: content words go through the same tokenizer, stopword list and Snowball stemmer
(PyStemmer) as lexical search (:mod:`langgraph_memgpt.memory.text.analysis`), so the driver judges
"relevant" with the words the index matched on. On top of that sit the driver's own few
conversational stopwords ("remember", "tell") and synonyms ("favorite" / "favourite").
"""

from __future__ import annotations

import re

from langchain_core.messages import BaseMessage

from langgraph_memgpt.memory.text import analysis

# Words a request is phrased with rather than what it is about: "tell me", "do you remember".
STOPWORDS = frozenset(
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

# The driver's stopwords as stems, to filter the analyser's output.
_STOP_STEMS = frozenset(s for word in STOPWORDS for s in analysis.words(word))

# Stems that mean the same for a question and a stored fact ("How old" / "Age: 34").
_SYNONYMS = {
    "color": "colour",
    "favorit": "favourit",
    "fav": "favourit",
    "old": "age",
    "call": "name",
    "resid": "live",
    "job": "work",
    "occup": "work",
    "profess": "work",
    "born": "birth",
    "birthday": "birth",
}

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

WORD_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
FIRST_PERSON = frozenset({"i", "me", "my", "mine", "myself"})
SECOND_PERSON = frozenset({"you", "your", "yours", "yourself"})


def norm_text(text: str) -> str:
    """Typographic quotes to ASCII, so patterns see one apostrophe."""
    return (
        text.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
    )


def words(text: str) -> list[str]:
    """Lower-cased word tokens, possessives and contractions folded ("Alice's" -> "alice")."""
    out = []
    for token in WORD_RE.findall(norm_text(text)):
        lower = token.lower()
        if "'" in lower:
            lower = lower.split("'", 1)[0]
        out.append(lower)
    return out


def stem(word: str) -> str:
    """One word's search stem with the driver's synonyms ("lives" -> "live", "old" -> "age")."""
    stems = analysis.words(word)
    return _SYNONYMS.get(stems[0], stems[0]) if stems else word.lower()


def content_words(text: str) -> set[str]:
    """Stemmed words that carry meaning; the unit of every overlap test of the policy."""
    return {_SYNONYMS.get(s, s) for s in analysis.words(norm_text(text)) if s not in _STOP_STEMS}


def key_words(text: str) -> list[str]:
    """Content words in order, unstemmed: a keyword query for full-text recall search."""
    seen: list[str] = []
    for word in words(text):
        if word not in STOPWORDS and word not in seen:
            seen.append(word)
    return seen


def names(text: str) -> list[str]:
    """Capitalised words after the first one, as written: names and places ("Bob", "Lisbon")."""
    out: list[str] = []
    for token in WORD_RE.findall(norm_text(text))[1:]:
        bare = token.split("'", 1)[0]
        if bare[:1].isupper() and bare != "I" and bare.lower() not in STOPWORDS:
            out.append(bare)
    return list(dict.fromkeys(out))


def name_words(text: str) -> set[str]:
    """Stems of :func:`names`: a question about "Bob" must not be answered by a line about
    someone else."""
    return {stem(name) for name in names(text)}


# Lines and "; " clauses are split first (a message typed as lines says one thing a line); a
# real sentence segmenter (``sentencex``, rule-based, offline) splits each: "Dr. Hansen",
# "J. R. R. Tolkien", "3.5 percent", "10 a.m." and URLs end no sentence.
_BREAK_RE = re.compile(r"\n+|;\s+")
_CLAUSE_RE = re.compile(r",?\s+and\s+(?=(?:I|I'm|I've|my|My)\b)")


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (lines and "; " clauses apart), stripped, none empty."""
    from sentencex import segment

    out: list[str] = []
    for piece in _BREAK_RE.split(norm_text(text)):
        if piece.strip():
            out.extend(s.strip() for s in segment("en", piece) if s.strip())
    return out


def split_sentences(text: str) -> list[str]:
    """Sentences, and "X and I Y" clauses when both halves talk about the speaker.

    "My name is Alice and I live in Lisbon" holds two facts; "Bob and I met" holds one.
    """
    out: list[str] = []
    for raw in sentences(text):
        sentence = raw.strip()
        if not sentence:
            continue
        parts = _CLAUSE_RE.split(sentence)
        if len(parts) > 1 and re.match(r"(?i)(?:i|i'm|my)\b", strip_filler(parts[0])):
            out.extend(p.strip() for p in parts if p.strip())
        else:
            out.append(sentence)
    return out


_FILLER_RE = re.compile(
    r"^(?:(?:hi|hello|hey|well|ok|okay|so|also|oh|btw|by the way|actually|and|but|yes|no|"
    r"sure|anyway|fyi)\b[,!.:]?\s+)+",
    re.IGNORECASE,
)


def strip_filler(sentence: str) -> str:
    """Drop leading filler ("Hi, well, ...") so patterns see the sentence proper."""
    return _FILLER_RE.sub("", sentence.strip())


_ASIDE_RE = re.compile(r"^\([^)]*\)\s*")


def bare(sentence: str) -> str:
    """Sentence without a leading "(aside)", filler words and trailing punctuation."""
    return strip_filler(_ASIDE_RE.sub("", sentence.strip())).rstrip(" .!?,;:")


def is_question(sentence: str) -> bool:
    """A question or a request to look something up ("Tell me ...", "Remind me ...")."""
    text = strip_filler(norm_text(sentence)).strip()
    if not text:
        return False
    if text.endswith("?"):
        return True
    lower = text.lower()
    first = words(lower)[:1]
    return bool(first and first[0] in _QUESTION_STARTERS) or lower.startswith(_REQUEST_STARTERS)


_GREETINGS = ("hi", "hello", "hey", "good morning", "good afternoon", "good evening", "howdy")


def is_greeting(text: str) -> bool:
    """A short hello: small talk, neither a fact nor a question."""
    lower = text.lower().strip(" !.,")
    return lower.startswith(_GREETINGS) and len(lower.split()) <= 4


def sentence_case(text: str) -> str:
    """Capitalised, with final punctuation: how a quoted line reads in a reply."""
    text = text.strip()
    if text and not text.endswith((".", "!", "?")):
        text += "."
    return text[:1].upper() + text[1:]


def same(a: str, b: str) -> bool:
    """Equality that ignores case, spacing and final punctuation."""

    def key(s: str) -> str:
        return " ".join(norm_text(s).lower().split()).rstrip(" .!?")

    return key(a) == key(b)


def contains(haystack: str, needle: str) -> bool:
    """Whole-phrase, case-insensitive containment: "Age: 3" is not in "Age: 34"."""
    needle = needle.strip().rstrip(".")
    pattern = r"(?<!\w)" + re.escape(needle) + r"(?!\w)"
    return bool(needle) and re.search(pattern, haystack, re.IGNORECASE) is not None


def shorten(text: str, limit: int = 160) -> str:
    """One line, cut at a word boundary: listings stay readable."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + " ..."


def message_text(message: BaseMessage) -> str:
    """A message's text, whether its content is a string or a list of blocks."""
    content = message.content
    if isinstance(content, str):
        return content
    return message.text
