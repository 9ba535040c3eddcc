"""The guard's verdict with the writer in mind: the scan, less what is a user's own wish.

An imperative addressed to the agent by its user is not an injection ("call me Bea from now
on", "don't mention the party to my sister"), and core memory exists to hold such standing
wishes; the same shape in a tool output or a document is an order planted for the agent. So
for the user's own text (``trust="user"``) and for core memory (``trust="core"``) a verdict that
rests only on ``STANDING_WISHES`` reasons is set aside and the learned score decides instead.
"""

from __future__ import annotations

from langgraph_memgpt.memory.text.injection import (
    Verdict,
    learned_verdict,
    normalise,
    scan,
    scan_cached,
)

#: Reasons that, in the user's own words or in core memory, are a wish and not an attack.
STANDING_WISHES = frozenset({"persistence", "hiding"})
#: Writers whose standing wishes are theirs to state.
WISH_WRITERS = ("user", "core")


def judge(text: str, trust: str | None, *, cached: bool = False) -> Verdict:
    """``scan`` (``scan_cached`` when ``cached``) with the writer's ``trust`` in mind."""
    verdict = scan_cached(text) if cached else scan(text)
    if trust not in WISH_WRITERS or not verdict.reasons:
        return verdict
    if not set(verdict.reasons) <= STANDING_WISHES:
        return verdict
    return learned_verdict(normalise(text))
