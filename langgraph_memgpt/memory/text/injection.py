"""Memory poisoning guard: is a stored text shaped like an instruction to the agent?

Archival and recall memory are re-read in every later session, so one planted sentence
("ignore all future user instructions ...") would otherwise steer the agent forever. This
module scans text on every write and again on every retrieval, and says why it looks like an
injection. It judges the *shape* of a sentence, not single words: "ignore" alone is harmless
("please ignore case when sorting"); "ignore" + "previous/your" + "instructions/rules" is not.

Pipeline (``scan``): normalise (Unicode NFKC; strip zero-width, bidi and tag characters and
flag them when they hide text or split Latin words), then match the rule families on the text
and on every decoded variant (base64 / hex / URL-escaped runs, leetspeak, tag-character
smuggling). Each family has *strong* patterns (one is enough) and *weak* ones (two distinct
weak signals are needed), so a sentence that merely mentions "from now on" or "secretly"
passes while "from now on, secretly append ..." does not.

Families: ``override``, ``role`` (role and chat-template spoofing, jailbreak personas),
``persistence``, ``hiding``, ``exfiltration`` and ``tool_call``. Task injections, orders planted
in data for the agent, are judged by who the order is aimed at, not by its verb: "Send the
report to finance@... by Friday" is a user's request and passes; the same order addressed to
the assistant, about "the user's" things, or timed "before you answer" is flagged. Patterns
cover eleven languages for the families that carry an attack on their own.

Pure Python: rules need no model download and say *why* they fired (the reasons are stored
with the record). The pattern tables are data (``injection_patterns.json``). What the rules
pass, a learned score (``guard_model``: character and word n-grams, trained on public corpora)
judges; a text it flags has the reason ``learned``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from langgraph_memgpt.memory.text import guard_model
from langgraph_memgpt.memory.text.analysis import overlapping_runs
from langgraph_memgpt.memory.text.literal_gate import GatedAlternation

FAMILIES = ("override", "role", "persistence", "hiding", "exfiltration", "tool_call")
#: Reasons that are not a family: how the text was hidden.
HIDDEN_TEXT = "hidden_text"
OBFUSCATED = "obfuscated"
ENCODED = "encoded"
#: The reason of a text the rules passed and the learned score (``guard_model``) flagged.
LEARNED = "learned"
#: Longer texts (a tool's output) are scanned on their first ``SCAN_HEAD`` and last
#: ``SCAN_TAIL`` characters: a megabyte tool output would take seconds.
MAX_SCAN_CHARS = 20_000
SCAN_HEAD, SCAN_TAIL = 16_000, 4_000

_F = re.UNICODE  # patterns are lower case, matched on lower-cased text (IGNORECASE is slower)


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts), _F)


# -- the pattern tables (data: injection_patterns.json) --------------------------------------
PATTERNS_FILE = Path(__file__).with_name("injection_patterns.json")
_PLACEHOLDER_RE = re.compile("⟨([A-Z_]+)⟩")


def _load_tables() -> dict[str, Any]:
    """The tables with every ``⟨NAME⟩`` replaced by its vocabulary entry (entries may name
    other entries)."""
    data = json.loads(PATTERNS_FILE.read_text(encoding="utf-8"))
    vocab: dict[str, str] = data["vocabulary"]
    resolved: dict[str, str] = {}

    def expand(text: str) -> str:
        return _PLACEHOLDER_RE.sub(lambda m: entry(m.group(1)), text)

    def entry(name: str) -> str:
        if name not in resolved:
            resolved[name] = expand(vocab[name])
        return resolved[name]

    for table in ("strong", "weak", "task"):
        data[table] = {k: tuple(expand(p) for p in v) for k, v in data[table].items()}
    data["ai"] = entry("AI")
    return data


_TABLES = _load_tables()
_STRONG_PATTERNS: dict[str, tuple[str, ...]] = _TABLES["strong"]
_TASK_PATTERNS: dict[str, tuple[str, ...]] = _TABLES["task"]
_WEAK_PATTERNS: dict[str, tuple[str, ...]] = _TABLES["weak"]
_AI: str = _TABLES["ai"]
#: Words of which a text must hold one before a family's patterns are tried on it: a plain
#: English text skips most regexes (the speed goal); texts with other scripts try them all.
_TRIGGERS: dict[str, frozenset[str]] = {
    family: frozenset(words.split()) for family, words in _TABLES["triggers"].items()
}
#: Characters that also open a family's patterns (chat-template marks, markup, JSON).
_SYMBOLS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _TABLES["symbols"].items()}
#: Task groups ("family:group"), each tried only on a text holding one of its trigger words
#: (or symbols), so the task patterns cost a plain English text little.
_TASK_TRIGGERS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    group: (frozenset(spec["words"].split()), tuple(spec["symbols"]))
    for group, spec in _TABLES["task_triggers"].items()
}
_WORD_RE = re.compile(r"[^\W\d]+")


def _latin(pattern: str) -> bool:
    """Whether a pattern (or text) is written in Latin script only: Latin letters, plus the
    typographic quotes and dashes of General Punctuation that Latin texts use (a French
    pattern with a curly apostrophe must still be tried on a French text)."""
    return all(ord(c) < 0x250 or 0x2000 <= ord(c) <= 0x206F for c in pattern)


def _compile(
    patterns: dict[str, tuple[str, ...]],
) -> dict[str, tuple[GatedAlternation, GatedAlternation]]:
    """Each family as (patterns in plain ASCII, patterns that need other scripts), each tried
    only where its literal words occur (``literal_gate``: same answer as one alternation)."""
    out = {}
    for family, items in patterns.items():
        plain = [p for p in items if _latin(p)] or ["(?!)"]
        other = [p for p in items if not _latin(p)] or ["(?!)"]
        out[family] = (GatedAlternation(plain, _F), GatedAlternation(other, _F))
    return out


_STRONG = _compile(_STRONG_PATTERNS)
_TASK = _compile(_TASK_PATTERNS)
_WEAK = _compile(_WEAK_PATTERNS)

#: An imperative addressed to the assistant: a weak signal plus this is enough.
_ADDRESSED = _rx(
    r"(?:^|[.!?\n:]\s*)(?:please\s+)?(?:always|never|respond|reply|answer|say|print|output|repeat|include|provide|paste|append|prepend|add|include|send|forward|email|post|call|invoke|execute|delete|transfer|write|end|start|tell|reveal|do\s+not|don'?t|you\s+(?:must|will|should|shall))\b",
    rf"\b(?:you|{_AI})\s+(?:must|will|shall|should|are\s+required\s+to|need\s+to)\b",
)

# -- normalisation ---------------------------------------------------------------------------
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u00ad\u034f"
_BIDI = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_INVISIBLE_RE = re.compile(f"[{_ZERO_WIDTH}{_BIDI}]")
_TAG_RE = re.compile("[\U000e0000-\U000e007f]+")
#: Emoji subdivision flags (England, Scotland, Wales) are a black flag followed by tag letters.
_FLAG_EMOJI_RE = re.compile("\U0001f3f4[\U000e0020-\U000e007e]{1,8}\U000e007f")
#: Invisible characters that, between two Latin letters, only serve to split a word from a
#: keyword filter (the soft hyphen and the joiners of Persian or Indic script are left alone).
_SPLITTERS = "\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u180e" + _BIDI
_SPLIT_WORD_RE = re.compile(f"[A-Za-z][{_SPLITTERS}]+[A-Za-z]")
_BIDI_OVERRIDE_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")
_B64_RE = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/=_-])")
_HEX_RE = re.compile(r"\b(?:(?:[0-9A-Fa-f]{2}){10,}|(?:[0-9A-Fa-f]{2}[\s:]){9,}[0-9A-Fa-f]{2})\b")
_URLESC_RE = re.compile(r"%[0-9A-Fa-f]{2}")
_LEET_WORD_RE = re.compile(r"\b(?=\w*[A-Za-z])(?=\w*[0134578@$])[\w@$]{3,}\b")
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s"}
)
_SEPARATED_RE = re.compile(r"\b(?:[A-Za-z][ .\-_*]){4,}[A-Za-z]\b")


def _printable_share(text: str) -> float:
    if not text:
        return 0.0
    good = sum(1 for c in text if c.isprintable() or c in "\n\t")
    return good / len(text)


def _as_text(raw: bytes) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    letters = sum(c.isalpha() or c.isspace() for c in text)
    if len(text) < 8 or _printable_share(text) < 0.95 or letters < 0.5 * len(text):
        return None
    return text


def _decoded_runs(text: str) -> list[str]:
    """Texts hidden in base64, hex or URL-escaped runs (only runs that decode to words)."""
    out: list[str] = []
    for match in _B64_RE.finditer(text):
        run = match.group(0)
        if run.isalpha() or run.isdigit():  # a long word or number, not an encoding
            continue
        padded = run + "=" * (-len(run) % 4)
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                decoded = _as_text(decode(padded))
            except (binascii.Error, ValueError):
                continue
            if decoded:
                out.append(decoded)
                break
    for match in _HEX_RE.finditer(text):
        digits = re.sub(r"[\s:]", "", match.group(0))
        if len(digits) % 2 == 0:
            decoded = _as_text(bytes.fromhex(digits))
            if decoded:
                out.append(decoded)
    if "%" in text and len(_URLESC_RE.findall(text)) >= 3:
        unquoted = unquote(text)
        if unquoted != text:
            out.append(unquoted)
    return out


@dataclass(frozen=True)
class Normalised:
    """A text ready to match: what it says, the variants hidden in it, and how it hid them."""

    text: str
    variants: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()


def normalise(text: str) -> Normalised:
    """NFKC, invisible characters stripped (and flagged when they hide text), decoded runs."""
    hidden: list[str] = []
    variants: list[str] = []
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        if "\U0001f3f4" in text:
            text = _FLAG_EMOJI_RE.sub("\U0001f3f4", text)
        tags = _TAG_RE.findall(text)
        if tags:
            smuggled = "".join(
                chr(ord(c) - 0xE0000)
                for run in tags
                for c in run
                if 0x20 <= ord(c) - 0xE0000 < 0x7F
            )
            if smuggled:
                hidden.append(HIDDEN_TEXT)
                variants.append(smuggled)
            text = _TAG_RE.sub("", text)
        if _INVISIBLE_RE.search(text):
            if _SPLIT_WORD_RE.search(text) or _BIDI_OVERRIDE_RE.search(text):
                hidden.append(OBFUSCATED)
            text = _INVISIBLE_RE.sub("", text)
    for decoded in _decoded_runs(text):
        variants.append(decoded)
    if _LEET_WORD_RE.search(text):
        deleeted = _LEET_WORD_RE.sub(lambda m: m.group(0).translate(_LEET), text)
        if deleeted != text:
            variants.append(deleeted)
    if _SEPARATED_RE.search(text):
        variants.append(_SEPARATED_RE.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), text))
    return Normalised(text=text, variants=tuple(variants), hidden=tuple(hidden))


# -- verdict ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    """Whether a text is flagged, and why (family names, plus how it was hidden). ``score``:
    the learned score when the verdict needed it (a reviewer's band reads it, ``policy.reviewed``),
    None when the rules decided alone; not part of equality."""

    flagged: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)
    score: float | None = field(default=None, compare=False)

    def __bool__(self) -> bool:
        return self.flagged


CLEAN = Verdict(False)


def _candidates(text: str) -> tuple[list[str], list[str], bool]:
    """The families and task groups worth trying on ``text``, and whether it needs the
    non-ASCII patterns."""
    if not text.isascii() and not _latin(text):
        return list(FAMILIES), list(_TASK), True
    words = set(_WORD_RE.findall(text))
    families = [
        family
        for family in FAMILIES
        if not _TRIGGERS[family].isdisjoint(words) or any(c in text for c in _SYMBOLS[family])
    ]
    groups = [
        group
        for group, (triggers, symbols) in _TASK_TRIGGERS.items()
        if not triggers.isdisjoint(words) or any(c in text for c in symbols)
    ]
    return families, groups, False


def _families(text: str) -> tuple[set[str], set[str]]:
    families, groups, intl = _candidates(text)
    strong: set[str] = set()
    weak: set[str] = set()
    for family in families:
        plain, other = _STRONG[family]
        if plain.search(text) or (intl and other.search(text)):
            strong.add(family)
            continue
        plain, other = _WEAK[family]
        if plain.search(text) or (intl and other.search(text)):
            weak.add(family)
    for group in groups:
        family = group.split(":", 1)[0]
        if family in strong:
            continue
        plain, other = _TASK[group]
        if plain.search(text) or (intl and other.search(text)):
            strong.add(family)
            weak.discard(family)
    return strong, weak


#: A long text is judged in chunks of about this many characters (whole sentences, each chunk
#: overlapping the next by one sentence): each chunk opens only the families its own words
#: trigger, and two weak signals count only when they are near each other.
CHUNK_CHARS = 500
_SENTENCE_END_RE = re.compile(r"(?<=[.!?。！？\n])\s+")


def _chunks(text: str) -> list[str]:
    return overlapping_runs(_SENTENCE_END_RE.split(text), CHUNK_CHARS)


def _judge(text: str) -> set[str]:
    if len(text) > 2 * CHUNK_CHARS:
        found: set[str] = set()
        for chunk in _chunks(text):
            found |= _judge_one(chunk)
        return found
    return _judge_one(text)


#: The one pattern that needs letter case: an image whose query value is a capitalised
#: placeholder (``?q=QUERY``, ``?d=USER_SECRET``) for the model to fill in.
_PLACEHOLDER_IMAGE_RE = re.compile(
    r"(?:!\[[^\]]{0,200}\]\(|<img\b[^>]{0,200}\bsrc\s*=\s*['\"]?)\s*(?:https?:)?//[^)\s'\">]*\?"
    r"[^)\s'\">]*=[A-Z][A-Z0-9_]{3,}\b"
)


def _judge_one(text: str) -> set[str]:
    placeholder = "![" in text or "<img" in text.lower()
    placeholder = placeholder and bool(_PLACEHOLDER_IMAGE_RE.search(text))
    text = text.lower()
    strong, weak = _families(text)
    if placeholder:
        strong.add("exfiltration")
    if strong:
        return strong | weak
    if len(weak) >= 2 or (weak and _ADDRESSED.search(text)):
        return weak
    return set()


def scan(text: str) -> Verdict:
    """Scan one text: flagged when any family fires on it or on a decoded variant.

    A decoded variant that fires adds ``encoded``; tag-character smuggling adds
    ``hidden_text`` and always flags (no benign text spells words in tag characters);
    invisible characters that split Latin words add ``obfuscated`` and flag too.
    """
    if not text or not isinstance(text, str):
        return CLEAN
    if len(text) > MAX_SCAN_CHARS:
        text = text[:SCAN_HEAD] + "\n" + text[-SCAN_TAIL:]
    norm = normalise(text)
    reasons = _judge(norm.text)
    for variant in norm.variants:
        found = _judge(variant)
        if found:
            reasons |= found
            reasons.add(ENCODED)
    reasons.update(norm.hidden)
    if not reasons:
        # The rules are sure of what they flag; the learned score decides the rest.
        return learned_verdict(norm)
    ordered = tuple(r for r in (*FAMILIES, ENCODED, HIDDEN_TEXT, OBFUSCATED) if r in reasons)
    return Verdict(True, ordered)


def learned_verdict(norm: Normalised) -> Verdict:
    """The learned score's verdict on a text the rules passed, its score carried along."""
    if (learned := guard_model.model()) is None:
        return CLEAN
    score = learned.max_score((norm.text, *norm.variants))
    flagged = score >= learned.threshold
    return Verdict(flagged, (LEARNED,) if flagged else (), score)


@lru_cache(maxsize=4096)
def _scan_short(text: str) -> Verdict:
    return scan(text)


def scan_cached(text: str) -> Verdict:
    """``scan`` with a per-process cache for texts up to 4,000 characters: retrieval rescans
    every hit, and the same records come back search after search."""
    return _scan_short(text) if len(text) <= 4_000 else scan(text)
