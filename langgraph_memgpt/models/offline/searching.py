"""Paging memory in for a question: which search to make next, and when to stop.

Decides the driver's page faults the way MemGPT's heartbeat loop does: a search whose results
do not answer the question is followed by another, within the turn's step limit, instead of
settling for the first weak hit. The order:

1. ``archival_memory_search`` with the question (the facts saved on purpose);
2. ``conversation_search`` with its keywords (every message ever said, evicted or not);
3. while still unanswered, at most :data:`MAX_FOLLOW_UPS` more: a second query made of the
   question's names, dates and the words no hit has matched yet (recall first, then
   archival), then the next page of the tier whose best hit came closest.

A question that wants several facts (a list, a count, "both") never stops at one good hit, so
it always gets both tiers and the follow-ups. A failed search is reported, not paged, and a
question none of whose words matched anything gets no follow-up: another query of the same
words would not match either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from langgraph_memgpt.models.offline.calls import (
    SEARCH_ARCHIVAL,
    SEARCH_RECALL,
    Call,
    CallRecord,
    Hit,
)
from langgraph_memgpt.models.offline.dates import date_phrases
from langgraph_memgpt.models.offline.relevance import (
    Relevance,
    Scored,
    prefer_newer,
    rank,
    wants_several,
)
from langgraph_memgpt.models.offline.text import content_words, key_words, names
from langgraph_memgpt.models.offline.turn import Turn

TIERS = {SEARCH_ARCHIVAL: "archival memory", SEARCH_RECALL: "recall memory"}

#: Searches after the first page of each tier, at most: the step limit is shared with the
#: fact stores of the same turn, and each search costs one more model call.
MAX_FOLLOW_UPS = 2


class Search:
    """The searches made for one question so far, and the next one to make."""

    def __init__(self, turn: Turn, question: str, usable: Callable[[Hit], bool]) -> None:
        self.turn = turn
        self.question = question
        self.usable = usable
        self.several = wants_several(question)
        self.keywords = " ".join(key_words(question)) or question
        self.done: list[tuple[Call, CallRecord]] = []
        self.errors: list[str] = []

    def add(self, call: Call, record: CallRecord) -> None:
        """Take in a search's result (or its error)."""
        if record.ok and record.result is not None:
            self.done.append((call, record))
        else:
            self.errors.append(f"{call[0]}: {record.error}")

    def scored(self) -> tuple[list[Scored], Relevance]:
        """Every usable hit paged in so far, scored against the question, best first."""
        found: list[Scored] = []
        seen: set[tuple[str, str]] = set()
        for (name, _), record in self.done:
            for hit in record.hits:
                key = (hit.citation, " ".join(hit.text.split()))
                if key not in seen and self.usable(hit):
                    seen.add(key)
                    # Ties go to the searches' own order, the first search's first: it ran
                    # with the whole question, the follow-ups with fewer words.
                    found.append(Scored(hit, TIERS.get(name, "memory"), len(found)))
        relevance = Relevance(self.question, [s.hit for s in found])
        return prefer_newer(rank([relevance.score(s) for s in found])), relevance

    def answered(self) -> bool:
        """The best hit answers (names and most words), and one passage is enough."""
        ranked, relevance = self.scored()
        if not relevance.words:
            return bool(ranked)  # nothing to weigh: the first usable hit is the answer
        return not self.several and bool(ranked) and relevance.answers(ranked[0])

    def plan(self) -> Iterator[Call]:
        """The searches in order. Lazy: follow-ups are worked out from what came back."""
        for call in (
            self.turn.call(SEARCH_ARCHIVAL, query=self.question),
            self.turn.call(SEARCH_RECALL, query=self.keywords),
        ):
            if call is not None:
                yield call
        if not self.done:
            return
        for count, call in enumerate(self._follow_ups()):
            if count >= MAX_FOLLOW_UPS:
                return
            yield call

    def _follow_ups(self) -> Iterator[Call]:
        ranked, _ = self.scored()
        if not any(s.relevance > 0 for s in ranked):
            return  # no word of the question matched: another query of them would not either
        focused = self._focused_query(ranked)
        if focused and focused != self.keywords:
            for name in (SEARCH_RECALL, SEARCH_ARCHIVAL):
                call = self.turn.call(name, query=focused)
                if call is not None:
                    yield call
        for tier in dict.fromkeys(s.tier for s in ranked):
            name = next(n for n, t in TIERS.items() if t == tier)
            query = self.question if name == SEARCH_ARCHIVAL else self.keywords
            if self._full_first_page(name, query):
                call = self.turn.call(name, query=query, page=1)
                if call is not None:
                    yield call

    def _focused_query(self, ranked: list[Scored]) -> str:
        """The question's names and dates, and its words no hit has matched; empty when the
        hits already hold every word (then only another page can help)."""
        found = set().union(*(s.words for s in ranked))
        people = [n.lower() for n in names(self.question)]
        missing = [
            w for w in key_words(self.question) if w not in people and not content_words(w) <= found
        ]
        if not missing:
            return ""
        return " ".join(dict.fromkeys([*people, *date_phrases(self.question), *missing]))

    def _full_first_page(self, name: str, query: str) -> bool:
        """The first page of this search came back as long as any page: there may be more."""
        longest = max((len(r.hits) for _, r in self.done), default=0)
        for (n, args), record in self.done:
            if n == name and args.get("query") == query and not args.get("page"):
                return len(record.hits) >= max(longest, 2)
        return False


def run(turn: Turn, question: str, usable: Callable[[Hit], bool]) -> tuple[Call | None, Search]:
    """The next search to make (``None``: stop and answer) and the searches made so far."""
    search = Search(turn, question, usable)
    for call in search.plan():
        record = turn.record(*call)
        if record is None:
            return call, search
        search.add(call, record)
        if search.answered():
            break
    return None, search
