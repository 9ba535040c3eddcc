"""Regex alternations that try only the alternatives whose literal words are in the text.

The guard's families are unions of a few dozen patterns, and their trigger words (``you``,
``your``, ``what``) are in nearly every chat message, so each message paid for whole
alternations tried at every position. Most patterns cannot match without some literal text
(``ignore``, ``you are now``...): read from the pattern's own syntax tree, each pattern gets
sets of literals of which every match contains one of each (``send|post ... password|token``:
two sets), and a search tries only the patterns whose sets all
have a literal in the text (each compiled on its own), plus those that have none.

Only whether a match exists is kept (the guard asks nothing more), and that answer is the same
as the whole alternation's: a pattern left out could not have matched, since the text lacks
every literal of one of its sets. Matching is case-sensitive here (the patterns are lower
case and read lower-cased text), so a plain substring test is exact.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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


#: Sets of literals a match must contain one of each (a conjunction; empty: nothing known).
Needs = tuple[frozenset[str], ...]


def _best(needs: Needs) -> frozenset[str] | None:
    """The most selective single set: longest shortest literal, then fewest literals."""
    if not needs:
        return None
    return max(needs, key=lambda s: (min(map(len, s)), -len(s)))


def _sequence(items: Sequence[tuple[Any, Any]]) -> Needs:
    needs: list[frozenset[str]] = []
    run: list[str] = []
    for op, arg in items:
        if op is _LITERAL:
            run.append(chr(arg))
            continue
        if run:
            needs.append(frozenset(["".join(run)]))
            run = []
        needs.extend(_item(op, arg))
    if run:
        needs.append(frozenset(["".join(run)]))
    return tuple(dict.fromkeys(needs))


def _item(op: Any, arg: Any) -> Needs:
    """Sets of literals of which every match of this node contains one of each."""
    if op is _BRANCH:
        union: set[str] = set()
        for alternative in arg[1]:
            best = _best(_sequence(alternative))
            if best is None:
                return ()
            union |= best
        return (frozenset(union),)
    if op is _SUBPATTERN:
        _group, add_flags, _del_flags, body = arg
        return () if add_flags & _CASELESS else _sequence(body)
    if op in _REPEATS:
        low, _high, body = arg
        return _sequence(body) if low >= 1 else ()
    if _ATOMIC is not None and op is _ATOMIC:
        return _sequence(arg)
    return ()  # classes, anchors, lookarounds, any character...


def required_literals(pattern: str, flags: int = 0) -> Needs | None:
    """Sets of literals of which every match of ``pattern`` contains one of each (the most
    selective first), or None when nothing is known."""
    if flags & _CASELESS:
        return None
    parsed = sre_parse.parse(pattern, flags)
    if parsed.state.flags & _CASELESS:  # an inline (?i)
        return None
    needs = tuple(s for s in _sequence(list(parsed)) if s and all(s))
    order = sorted(needs, key=lambda s: (min(map(len, s)), -len(s)), reverse=True)
    return tuple(order) or None


class GatedAlternation:
    """``re.compile("|".join(patterns))`` for the question "does it match anywhere?"."""

    def __init__(self, patterns: Sequence[str], flags: int) -> None:
        self.patterns = tuple(patterns)
        self.gates = tuple(required_literals(p, flags) for p in self.patterns)
        self.always = tuple(i for i, gate in enumerate(self.gates) if gate is None)
        self.gated = tuple((i, gate) for i, gate in enumerate(self.gates) if gate is not None)
        #: The patterns that need no literal, as one alternation (tried on every text).
        self._always = (
            re.compile("|".join(f"(?:{self.patterns[i]})" for i in self.always), flags)
            if self.always
            else None
        )
        self._compiled = {i: re.compile(self.patterns[i], flags) for i, _ in self.gated}

    def search(self, text: str) -> bool:
        """Whether any of the patterns matches somewhere in ``text``."""
        if self._always is not None and self._always.search(text) is not None:
            return True
        contains = text.__contains__  # plain loops: this runs for every stored message
        for i, needs in self.gated:
            for need in needs:
                if not any(map(contains, need)):
                    break
            else:
                if self._compiled[i].search(text) is not None:
                    return True
        return False
