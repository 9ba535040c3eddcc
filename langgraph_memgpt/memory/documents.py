"""What a stored text is indexed *as*: the record itself plus the context around it.

A turn of a conversation is often unreadable alone ("Yes, last Tuesday!"): the words a question
will use are in the turn before it, and its date is in the session, not the text. On LoCoMo,
indexing each turn with its neighbours and its date raised evidence recall@10 (see the README's
retrieval tables). The store adds this context itself, from what it knows (the previous message
of the thread, the record's time), so a caller stores plain text and still gets it. Context
words count for less than the record's own (``CONTEXT_WEIGHT``), so the turn that says a thing
outranks the turn next to it. Hits still return the record's own text.
"""

from __future__ import annotations

from datetime import datetime

CONTEXT_WEIGHT = 0.5
DATE_WEIGHT = 0.5


def date_words(created_at: str | None) -> str:
    """'7 May 2023 Sunday' for an ISO time, so "in May 2023" or "on Sunday" can match."""
    if not created_at:
        return ""
    try:
        when = datetime.fromisoformat(created_at)
    except ValueError:
        return ""
    return f"{when.day} {when:%B %Y %A}"


def recall_fields(
    content: str, created_at: str | None, previous: str | None
) -> list[tuple[str, float]]:
    """The weighted fields a recall message is indexed with (lexical search)."""
    fields = [(content, 1.0), (date_words(created_at), DATE_WEIGHT)]
    if previous:
        fields.append((previous, CONTEXT_WEIGHT))
    return fields
