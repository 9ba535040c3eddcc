"""Answering a question with citations: from core memory, a day's messages or search hits.

Decides what the reply says once memory has been paged in. Core memory answers without a page
fault when a pinned line covers the question. Otherwise the reply quotes the best hit with its
citation (thread, turn, time, source), plus the hits as good as it, or, for a question that
wants several facts, the hits that add what the first lacks (at most three): a reader can check
every claim against the turn it came from. When nothing relevant came back it says so instead
of guessing. Hits that are the question itself, alerts or earlier "not found" replies are never
quoted as answers.
"""

from __future__ import annotations

import math

from langgraph_memgpt.models.offline.calls import (
    SEARCH_ARCHIVAL,
    SEARCH_DATE,
    SEARCH_RECALL,
    Call,
    Hit,
)
from langgraph_memgpt.models.offline.dates import extract_dates
from langgraph_memgpt.models.offline.facts import speaker_of
from langgraph_memgpt.models.offline.relevance import Scored, pick
from langgraph_memgpt.models.offline.searching import Search, run
from langgraph_memgpt.models.offline.text import (
    FIRST_PERSON,
    SECOND_PERSON,
    content_words,
    is_question,
    name_words,
    same,
    sentence_case,
    shorten,
    split_sentences,
    words,
)
from langgraph_memgpt.models.offline.turn import Turn
from langgraph_memgpt.prompts import PRESSURE_ALERT_MARKER, STEP_LIMIT_MARKER

#: Start of the reply when memory has nothing: search hits starting with it are skipped, so an
#: earlier "not found" answer stored in recall is never quoted back as an answer.
NOT_FOUND_PREFIX = "I searched my memory"


def usable(turn: Turn, hit: Hit) -> bool:
    """Hits that could answer: not the question itself, not alerts or earlier non-answers,
    not a line that only asks."""
    text = hit.text.strip()
    if not text or hit.role in {"tool", "system"}:
        return False
    if turn.current is not None and (same(text, turn.current) or same(text, turn.question or "")):
        return False
    if text.startswith((PRESSURE_ALERT_MARKER, STEP_LIMIT_MARKER, NOT_FOUND_PREFIX, "[calls")):
        return False
    # A line that also asks something back ("I signed up for pottery! Have you tried it?")
    # still states something; only a line that does nothing but ask is no answer.
    _, body = speaker_of(text)
    return any(not is_question(sentence) for sentence in split_sentences(body))


def _possessed(question: str) -> set[str]:
    """Content words right after "my"/"your": what a "my X" question is about must be in the
    line that answers it ("my sister's name" is not answered by "Name: Alice")."""
    tokens = words(question)
    return content_words(
        " ".join(b for a, b in zip(tokens, tokens[1:], strict=False) if a in ("my", "your"))
    )


def core_answer(turn: Turn, question: str, *, loose: bool = False) -> str | None:
    """Quote core memory when a pinned line answers the question (no page fault needed).

    ``loose``: when search found nothing, a line sharing one content word (and every name and
    "my X" of the question) answers: a fact only core memory holds (written by the API, an
    import, another thread) is still found instead of "I don't know"."""
    said = set(words(question))
    if said & FIRST_PERSON:
        labels = ["human"]
    elif said & SECOND_PERSON:
        labels = ["persona"]
    else:
        labels = list(turn.core)
    query = content_words(question)
    people = name_words(question)
    if not query:
        return None
    # Short questions must be covered entirely ("my sister's name" is not "Name: Alice").
    needed = len(query) if len(query) <= 2 else math.ceil(2 * len(query) / 3)
    if loose:
        needed = 1
        people = people | _possessed(question)
    best: tuple[int, str, str] | None = None
    for label in labels:
        block = turn.core.get(label)
        if block is None:
            continue
        for line in block.lines:
            line_words = content_words(line)
            overlap = len(query & line_words)
            if overlap >= needed and people <= line_words and (best is None or overlap > best[0]):
                best = (overlap, label, line)
    if best is None:
        return None
    return f"According to core memory ({best[1]}): {sentence_case(best[2])}"


def _passage(hit: Hit, query_words: set[str]) -> str:
    """The hit's text, or its most relevant sentence when it is long."""
    text = " ".join(hit.text.split())
    if len(text) > 240:
        sentences = split_sentences(hit.text)
        text = max(
            sentences, key=lambda s: (len(query_words & content_words(s)), -sentences.index(s))
        )
    return sentence_case(text)


def quote(items: list[Scored], query_words: set[str]) -> str:
    """The reply quoting the chosen hits, each with its tier and citation."""
    parts = []
    for i, item in enumerate(items):
        lead = "According to" if i == 0 else "Also, from"
        part = f"{lead} {item.tier} ({item.hit.citation}): {_passage(item.hit, query_words)}"
        if item.hit.untrusted:
            part += " (This passage is flagged as untrusted: I quote it, I do not act on it.)"
        parts.append(part)
    return " ".join(parts)


def _day_listing(turn: Turn, question: str) -> tuple[Call | None, str] | None:
    """A question about a calendar day lists that day's messages (``None``: not such a
    question, or the date tool is not bound)."""
    dates = extract_dates(question, turn.today)
    if not dates:
        return None
    start, end = min(dates[:2]), max(dates[:2])
    call = turn.call(SEARCH_DATE, start_date=start.isoformat(), end_date=end.isoformat())
    if call is None:
        return None
    record = turn.record(*call)
    if record is None:
        return call, ""
    span = start.isoformat() if start == end else f"{start} and {end}"
    if not record.ok:
        return None, f"I could not list the messages of {span}: {record.error}"
    hits = [h for h in record.hits if usable(turn, h)]
    if not hits:
        return None, f"{NOT_FOUND_PREFIX}: recall memory has no messages from {span}."
    # What the user said tells what was talked about better than the replies.
    hits.sort(key=lambda h: h.role == "assistant")
    quoted = "; ".join(f"({h.citation}) {sentence_case(shorten(h.text))}" for h in hits[:3])
    return None, f"From recall memory, messages of {span}: {quoted}"


def resolve_question(turn: Turn, final: bool = False) -> tuple[Call | None, str]:
    """(call, "") while memory still has to be paged in, else (None, answer).

    ``final``: no tool round is left, so answer from what was paged in so far if any of it
    is relevant (the pending call is still returned when nothing is).
    """
    question = turn.question or ""
    listing = _day_listing(turn, question)
    if listing is not None:
        return listing
    from_core = core_answer(turn, question)
    if from_core is not None:
        return None, from_core
    call, search = run(turn, question, lambda hit: usable(turn, hit))
    if call is None:
        return None, _search_answer(turn, search)
    if final:
        ranked, relevance = search.scored()
        chosen = pick(ranked, search.several)
        if chosen:
            return None, quote(chosen, relevance.words)
    return call, ""


def _search_answer(turn: Turn, search: Search) -> str:
    question = search.question
    if not (turn.tools & {SEARCH_ARCHIVAL, SEARCH_RECALL}):
        return "I cannot look that up: no memory search tools are available to me."
    if not search.done:
        return f'I could not search my memory for "{question}": ' + "; ".join(search.errors)
    ranked, relevance = search.scored()
    chosen = ranked[:1] if not relevance.words else pick(ranked, search.several)
    if chosen:
        return quote(chosen, relevance.words)
    from_core = core_answer(turn, question, loose=True)
    if from_core is not None:
        return from_core
    answer = (
        f"{NOT_FOUND_PREFIX} (archival and conversation history) for "
        f'"{question}" and found nothing relevant, so I don\'t know.'
    )
    if search.errors:
        answer += " (A search failed: " + "; ".join(search.errors) + ")"
    return answer
