"""Regex alternations that try only the alternatives whose literal words are in the text.

The guard's families are unions of a few dozen patterns, and their trigger words (``you``,
``your``, ``what``) are in nearly every chat message, so each message paid for whole
alternations tried at every position. Most patterns cannot match without some literal text
(``ignore``, ``you are now``...): read from the pattern's own syntax tree, each pattern gets
the literals of which a match must contain one, and a search compiles (once, cached) the union
of only the patterns whose literals occur in the text, plus those that have none.

Only whether a match exists is kept (the guard asks nothing more), and that answer is the same
as the whole alternation's: a pattern left out could not have matched, since the text lacks
every literal its matches contain. Matching is case-sensitive here (the patterns are lower
case and read lower-cased text), so a plain substring test is exact.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

_LITERAL = sre_constants.LITERAL
_BRANCH = sre_constants.BRANCH
_SUBPATTERN = sre_constants.SUBPATTERN
_REPEATS = tuple(
    getattr(sre_constants, name)
    for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
    if hasattr(sre_constants, name)
)
_ATOMIC = getattr(sre_constants, "ATOMIC_GROUP", None)
_CASELESS = re.IGNORECASE | re.LOCALE


def _best(options: list[frozenset[str]]) -> frozenset[str] | None:
    """The most selective requirement: longest shortest literal, then fewest literals."""
    if not options:
        return None
    return max(options, key=lambda s: (min(map(len, s)), -len(s)))


def _sequence(items: Sequence[tuple[Any, Any]]) -> frozenset[str] | None:
    options: list[frozenset[str]] = []
    run: list[str] = []
    for op, arg in items:
        if op is _LITERAL:
            run.append(chr(arg))
            continue
        if run:
            options.append(frozenset(["".join(run)]))
            run = []
        need = _item(op, arg)
        if need is not None:
            options.append(need)
    if run:
        options.append(frozenset(["".join(run)]))
    return _best(options)


def _item(op: Any, arg: Any) -> frozenset[str] | None:
    """Literals one of which every match of this node contains (None: no such set known)."""
    if op is _BRANCH:
        union: set[str] = set()
        for alternative in arg[1]:
            need = _sequence(alternative)
            if need is None:
                return None
            union |= need
        return frozenset(union)
    if op is _SUBPATTERN:
        _group, add_flags, _del_flags, body = arg
        return None if add_flags & _CASELESS else _sequence(body)
    if op in _REPEATS:
        low, _high, body = arg
        return _sequence(body) if low >= 1 else None
    if _ATOMIC is not None and op is _ATOMIC:
        return _sequence(arg)
    return None  # classes, anchors, lookarounds, any character...


def required_literals(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Literals of which every match of ``pattern`` contains at least one, or None."""
    if flags & _CASELESS:
        return None
    parsed = sre_parse.parse(pattern, flags)
    if parsed.state.flags & _CASELESS:  # an inline (?i)
        return None
    need = _sequence(list(parsed))
    return need if need and all(need) else None


class GatedAlternation:
    """``re.compile("|".join(patterns))`` for the question "does it match anywhere?"."""

    def __init__(self, patterns: Sequence[str], flags: int) -> None:
        self.patterns = tuple(patterns)
        self.flags = flags
        self.gates = tuple(required_literals(p, flags) for p in self.patterns)
        self.always = tuple(i for i, gate in enumerate(self.gates) if gate is None)
        self.gated = tuple((i, gate) for i, gate in enumerate(self.gates) if gate is not None)
        self._compiled = lru_cache(maxsize=256)(self._compile)

    def _compile(self, chosen: tuple[int, ...]) -> re.Pattern[str] | None:
        if not chosen:
            return None
        return re.compile("|".join(f"(?:{self.patterns[i]})" for i in chosen), self.flags)

    def search(self, text: str) -> bool:
        """Whether any of the patterns matches somewhere in ``text``."""
        open_ = [i for i, gate in self.gated if any(lit in text for lit in gate)]
        chosen = tuple(sorted((*self.always, *open_))) if open_ else self.always
        compiled = self._compiled(chosen)
        return compiled is not None and compiled.search(text) is not None
