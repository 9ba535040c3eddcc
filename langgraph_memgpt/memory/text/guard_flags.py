"""Reading the guard column of a stored record: its flag, whether search may show it, and the
guard keys a hit carries (with a rescan, so rules added later reach old rows).

Pure functions of a text and its stored flag (JSON), so the tiers can use them without
importing the guard's policy; ``guard.policy`` decides what gets flagged and re-exports these.
"""

from __future__ import annotations

import json
from typing import Any

from langgraph_memgpt.memory.text.judge import judge
from langgraph_memgpt.memory.types import OPERATOR

#: Reason a rescan finds that a reviewer's "pass" stored on the record overrides.
_LEARNED = "learned"
#: The guard column of a recall message whose verdict is not computed yet: a verdict is a pure
#: function of the text and its writer, so it is settled off the turn (``guard.policy``:
#: ``deferring_guard``, ``settle_pending``) or by the first reader, as the write would have.
PENDING = '{"pending":true}'


def _stored(guard: str | None) -> dict[str, Any] | None:
    if not guard:
        return None
    try:
        value = json.loads(guard)
    except ValueError:
        return {"reasons": ["unreadable guard record"], "quarantined": False, "approved": False}
    return value if isinstance(value, dict) else None


def stored_flag(guard: str | None) -> dict[str, Any] | None:
    """The stored flag of a record (None: clean); an unreadable one reads as flagged. A record
    a reviewer passed stores no reasons: clean."""
    if guard == PENDING:  # readers settle it first (recall_base._guard_of); unsettled: no flag
        return None
    value = _stored(guard)
    if value is None or ("reviewed" in value and not value.get("reasons")):
        return None
    return value


def reviewed_pass(guard: str | None) -> bool:
    """Whether a reviewer (a chat model, ``guard/review.py``) read the record and passed it:
    the learned score's doubt is then settled."""
    value = _stored(guard)
    return value is not None and value.get("reviewed") == "pass"


def searchable(guard: str | None) -> bool:
    """False for a quarantined text that no operator approved yet."""
    flag = stored_flag(guard)
    return flag is None or not flag.get("quarantined") or bool(flag.get("approved"))


def hit_metadata(text: str, trust: str | None, guard: str | None, default: str) -> dict[str, Any]:
    """Guard keys of a hit: its ``trust`` and, when the stored flag or a rescan says so,
    ``untrusted``, ``guard_reasons`` (and ``quarantined``/``approved`` when stored)."""
    level = trust or default
    metadata: dict[str, Any] = {"trust": level}
    if level == OPERATOR:
        return metadata
    flag = stored_flag(guard)
    reasons = list(flag.get("reasons", [])) if flag else []
    # Rescanned on retrieval (new rules reach old rows), with the writer in mind.
    passed = reviewed_pass(guard)
    for reason in judge(text, level, cached=True).reasons:
        if passed and reason == _LEARNED:
            continue
        if reason not in reasons:
            reasons.append(reason)
    if reasons:
        metadata["untrusted"] = True
        metadata["guard_reasons"] = reasons
    if flag:
        metadata["quarantined"] = bool(flag.get("quarantined"))
        metadata["approved"] = bool(flag.get("approved"))
    return metadata
