"""Relevance: how well a search hit answers the question, and when the search can stop.

Decides which of the hits a search paged in is the answer, and whether the best of them is
good enough to stop paging (MemGPT's heartbeat: a model that did not find the answer asks for
the next page or tries another query). A hit's relevance is the share of the question's
content words it contains, each word weighted by how rare it is among the hits paged in so far
(an inverse document frequency over that pool): the speaker's name that every line of a chat
carries tells hits apart less than "adoption" does. Names in the question must appear in the
hit for it to answer: "When did Bob move?" is not answered by a line about Alice. The search
tool's own ranking (lexical and embedding) breaks ties.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from langgraph_memgpt.memory.text.claims import disagree, parse_claim
from langgraph_memgpt.models.offline.calls import Hit
from langgraph_memgpt.models.offline.text import content_words, name_words, words

#: A hit covering at least this weighted share of the question's words answers it: the
#: search stops there. Below it the driver pages on (next page, then other queries).
ANSWERS = 0.6

#: Other hits quoted beside the best one must be at least this close to it (a share of its
#: relevance): when the rules cannot tell two passages apart, the answer cites both.
CLOSE = 0.85

#: For a question that wants several facts, hits at least this share of the best one's
#: relevance are quoted too: each may be another item of the list.
LIST_SHARE = 0.5

_LIST_WORDS = frozenset(
    """
    activities ways things kinds types sorts places books events hobbies items times both all
    ever many much often anything everything together
    """.split()  # noqa: SIM905 (a word list reads best as text)
)
_HOW_MANY_RE = re.compile(
    r"(?i)\bhow (?:many|often|much)\b"
    r"|\b(?:what|which) (?:\w+ )?\w+[^s\W]s (?:do|does|did|has|have|had|are|were|is|was|can)\b"
    # "Where has Melanie camped?": the perfect asks for every occasion, not the last one.
    r"|^(?:what|where|which|who|whom)\b(?: \w+)? (?:has|have) \w+(?: \w+)? \w+(?:ed|en|ne|wn)\b"
)


def wants_several(question: str) -> bool:
    """A question whose answer is a list, a count or spans several facts (multi-hop):
    "What activities does Melanie do?", "How many times...", "Which cities have both visited?",
    "Where has Melanie camped?".
    One passage rarely answers it, so the search goes on after a first good hit."""
    if _HOW_MANY_RE.search(question):
        return True
    return bool(set(words(question)) & _LIST_WORDS)


@dataclass
class Scored:
    """A hit with where it came from: its tier, and its place in the order the searches
    returned their hits (the first search's first hit is 0)."""

    hit: Hit
    tier: str
    rank: int
    relevance: float = 0.0
    names_ok: bool = True
    words: set[str] = field(default_factory=set)


class Relevance:
    """The question's words, weighted over a pool of hits."""

    def __init__(self, question: str, pool: Sequence[Hit]) -> None:
        self.words = content_words(question)
        self.names = name_words(question) & self.words
        texts = [content_words(h.text) for h in pool]
        df = Counter(w for t in texts for w in t & self.words)
        n = max(len(texts), 1)
        # Words absent from the pool weigh the most: finding them is what paging is for.
        self.weight = {w: 1.0 + math.log((n + 1) / (df[w] + 1)) for w in self.words}
        self.total = sum(self.weight.values())

    def score(self, item: Scored) -> Scored:
        """Fill in ``item``'s relevance and whether it names who the question is about."""
        item.words = content_words(item.hit.text)
        matched = self.words & item.words
        item.relevance = sum(self.weight[w] for w in matched) / self.total if self.total else 0.0
        item.names_ok = self.names <= item.words
        return item

    def answers(self, item: Scored) -> bool:
        """Good enough to stop searching: the names, and most of the rest of the question."""
        return item.names_ok and item.relevance >= ANSWERS


def rank(items: Sequence[Scored]) -> list[Scored]:
    """Best first: anything relevant; what the user said over the assistant's earlier reply
    quoting it (which would nest citations); the question's names present; relevance; then
    the order the searches returned them in."""
    return sorted(
        items,
        key=lambda s: (
            s.relevance <= 0,
            s.hit.role == "assistant",
            not s.names_ok,
            -round(s.relevance, 6),
            s.rank,
            s.tier != "archival memory",
        ),
    )


_WHEN = re.compile(r"\b(\d{4}-\d{2}-\d{2}[T ][\d:.]+(?:[+-]\d{2}:?\d{2}|Z)?)")


def prefer_newer(ranked: list[Scored]) -> list[Scored]:
    """Put first, of the hits that state different values of the best hit's fact ("Maya lives
    in Lisbon", later "Maya ist nach Hamburg gezogen"), the newest by its citation's time, and
    drop the older ones: a fact and its correction both come back until consolidation hides
    the older one, and the correction is the answer. Hits the claim reader does not read
    change nothing."""
    if len(ranked) < 2 or ranked[0].relevance <= 0:
        return ranked
    rival = [item for item in ranked if item.names_ok and _disagree(ranked[0], item)]
    if not rival:
        return ranked
    group = [ranked[0], *rival]
    newest = max(group, key=_when)
    # It answers what the fact it corrects answered, in other words or another language.
    newest.relevance = max(item.relevance for item in group)
    return [newest, *(item for item in ranked if item not in group)]


def _disagree(a: Scored, b: Scored) -> bool:
    if a is b or b.relevance <= 0:
        return False
    first, second = parse_claim(a.hit.text), parse_claim(b.hit.text)
    return first is not None and second is not None and disagree(first, second)


def _when(item: Scored) -> str:
    match = _WHEN.search(item.hit.citation)
    return match.group(1).replace(" ", "T") if match else ""


def pick(items: Sequence[Scored], several: bool, limit: int = 3) -> list[Scored]:
    """The hits the answer quotes: the best one, and the others about the same people that
    are nearly as relevant (:data:`CLOSE`), or, for a question that wants several facts, at
    least half as relevant (each may be another item of the list)."""
    ranked = [s for s in prefer_newer(rank(items)) if s.relevance > 0]
    if not ranked:
        return []
    best = ranked[0]
    floor = (LIST_SHARE if several else CLOSE) * best.relevance
    chosen = [best]
    for item in ranked[1:]:
        if len(chosen) >= limit:
            break
        if not item.names_ok or item.relevance < floor:
            continue
        if item.hit.role == "assistant" and best.hit.role != "assistant":
            continue  # an earlier reply restates what was said: quoting both nests citations
        if any(item.hit.citation == c.hit.citation for c in chosen):
            continue
        chosen.append(item)
    return chosen
