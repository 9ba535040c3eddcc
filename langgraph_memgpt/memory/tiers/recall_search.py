"""Searching recall: BM25 over each message with its context, fused with dense similarity,
and search by date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from langgraph_memgpt.memory._validate import (
    check_id,
    check_k_page,
    check_text,
    page_past_end,
    parse_when,
    pool_size,
)
from langgraph_memgpt.memory.backends.lexical import LexicalIndex, Tier
from langgraph_memgpt.memory.search.fusion import (
    boost_speaker,
    relevance_floor,
    speaker_of,
)
from langgraph_memgpt.memory.text.analysis import query_terms
from langgraph_memgpt.memory.text.guard_flags import searchable
from langgraph_memgpt.memory.tiers.recall_backlog import RecallBacklog
from langgraph_memgpt.memory.tiers.recall_base import (
    _COLUMNS,
    MAX_QUERY_CHARS,
    SEARCH_EMBED_CAP,
)
from langgraph_memgpt.memory.types import (
    DEFAULT_AGENT_ID,
    MemoryStoreError,
    SearchHit,
)


class RecallSearch(RecallBacklog):
    """The messages best matching a query or a date range, each with its citation."""

    def search(
        self,
        query: str,
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        k: int = 10,
        page: int = 0,
        thread_id: str | None = None,
        mode: str = "hybrid",
        include_tools: bool = False,
        exclude_turn: tuple[str, int] | None = None,
    ) -> list[SearchHit]:
        """The messages best matching ``query``, best first, each with its citation.

        What people said is ranked: tool results and assistant messages with no text (tool
        calls only) are left out unless ``include_tools`` (a past search result quoting earlier
        search results would otherwise top every search). ``exclude_turn`` is the
        ``(thread_id, turn)`` being answered: its own question is never a hit.

        ``hybrid`` fuses BM25 over each message's words (with its date and the message before
        it) and cosine similarity of its embedding; ``lexical`` is BM25 alone. Messages not
        embedded yet are embedded first (at most ``SEARCH_EMBED_CAP``; the rest are found by
        their words until the background embedder catches up).
        """
        query = check_text(query, "query", MAX_QUERY_CHARS)
        k, page = check_k_page(k, page)
        if mode not in ("hybrid", "lexical"):
            raise MemoryStoreError(f"mode must be 'hybrid' or 'lexical'; got {mode!r}.")
        terms = query_terms(query)
        dense = mode == "hybrid" and self.hybrid
        if not terms and not dense:
            raise MemoryStoreError(
                f"query {query!r} has no words to search for (common words such as 'the' or "
                "'what' are not indexed); use names, objects or topics."
            )
        if thread_id is not None:
            check_id(thread_id, "thread_id")
        ns = self._read_ns(user_id, agent_id)
        ranking: list[tuple[int, float]] = []
        if ns is not None:
            pool = pool_size(k, page)
            restrict = None
            if thread_id is not None:
                restrict = ("SELECT id FROM recall WHERE ns=? AND thread_id=?", (ns, thread_id))
            self._index_waiting(ns)  # what appends left for later, first
            with self._db.read() as conn:
                lexical = LexicalIndex.search(conn, ns, Tier.RECALL, terms, pool, restrict=restrict)
            rankings = [lexical] if lexical else []
            if dense:
                similar = self._dense(ns, query, pool, thread_id)
                if similar:
                    rankings.append(similar)
            if len(rankings) > 1:
                ranking = self.fusion(rankings)
                ranking = boost_speaker(ranking, self._speakers(ns, ranking), query)
            elif rankings:
                ranking = list(rankings[0])
            if dense:
                ranking = relevance_floor(ranking, lexical, similar)
            if ranking and (not include_tools or exclude_turn is not None):
                ranking = self._said(ns, ranking, include_tools, exclude_turn)
        window = ranking[page * k : (page + 1) * k]
        if not window:
            if page > 0:
                raise page_past_end(len(ranking), k, page)
            return []
        rows = self._fetch(ns, [rid for rid, _ in window]) if ns is not None else {}
        return [
            self._hit(rows[rid], score, user_id, agent_id)
            for rid, score in window
            if rid in rows and searchable(self._guard_of(rows[rid]))
        ]

    def _dense(
        self, ns: int, query: str, limit: int, thread_id: str | None
    ) -> list[tuple[int, float]]:
        assert self._vectors is not None and self._embed_query is not None
        self._embed_backlog(ns, cap=SEARCH_EMBED_CAP, batch=128)
        vector = self._embed_query(query)
        restrict = None
        if thread_id is not None:
            restrict = (
                "SELECT id FROM recall WHERE ns=? AND thread_id=? AND vector IS NOT NULL",
                (ns, thread_id),
            )
        return self._vectors.search(ns, vector, limit, restrict)

    def _said(
        self,
        ns: int,
        ranking: list[tuple[int, float]],
        include_tools: bool,
        exclude_turn: tuple[str, int] | None,
    ) -> list[tuple[int, float]]:
        """``ranking`` without tool traffic (unless ``include_tools``) and the excluded turn."""
        marks = ",".join("?" * len(ranking))
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT id, role, length(trim(content)) = 0, thread_id, turn FROM recall "
                f"WHERE ns=? AND id IN ({marks})",
                (ns, *(rid for rid, _ in ranking)),
            ).fetchall()
        dropped = set()
        for rid, role, empty, thread, turn in rows:
            tool = role == "tool" or (role == "assistant" and bool(empty))
            if (tool and not include_tools) or (
                exclude_turn is not None and (thread, turn) == exclude_turn
            ):
                dropped.add(int(rid))
        return [(rid, score) for rid, score in ranking if rid not in dropped]

    def _speakers(self, ns: int, ranking: Sequence[tuple[int, float]]) -> dict[int, str | None]:
        marks = ",".join("?" * len(ranking))
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT id, substr(content, 1, 64), name FROM recall WHERE ns=? AND id IN ({marks})",
                (ns, *(rid for rid, _ in ranking)),
            ).fetchall()
        return {int(rid): speaker_of(head, name) for rid, head, name in rows}

    def search_by_date(
        self,
        start: str | datetime,
        end: str | datetime,
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        k: int = 10,
        page: int = 0,
    ) -> list[SearchHit]:
        """Messages with ``start <= created_at <= end`` (a bare end date includes that whole
        day), oldest first."""
        lo = parse_when(start, "start date")
        hi = parse_when(end, "end date", end_of_day=True)
        if lo > hi:
            raise MemoryStoreError(f"start {start!r} is after end {end!r}; swap them.")
        k, page = check_k_page(k, page)
        ns = self._read_ns(user_id, agent_id)
        if ns is None:
            if page > 0:
                raise page_past_end(0, k, page)
            return []
        base = "FROM recall r WHERE r.ns=? AND r.created_at >= ? AND r.created_at <= ?"
        rows = self._page(
            f"SELECT {_COLUMNS} {base} ORDER BY r.created_at, r.id",
            f"SELECT count(*) {base}",
            (ns, lo, hi),
            k,
            page,
        )
        return [
            self._hit(row, 1.0, user_id, agent_id)
            for row in rows
            if searchable(self._guard_of(row))
        ]
