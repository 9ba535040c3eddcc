"""Everything a render of the system prompt reads, in one statement on either engine.

The graph renders the system message several times a turn (``context.render_system_message``:
before each model call and at each step of a compaction), and each render showed the core
blocks and the memory statistics: recall and archival counts, the superseded count, the recall
messages still waiting to be indexed. Read apart, that was five statements a render, each a
round trip on Postgres. Here they are scalar subqueries of one ``SELECT`` whose rows are the
blocks (a ``LEFT JOIN`` from a one-row table, so a namespace without blocks still gets its
counts). Nothing is cached: every render reads what the store holds now, whoever wrote it.
"""

from __future__ import annotations

from typing import Any

from langgraph_memgpt.memory.backends.lexical_scoring import Tier
from langgraph_memgpt.memory.types import Block, PromptView

#: The counts come from the same places as the tiers' own ``count`` methods: the lexical
#: statistics row of each tier (``LexicalIndex.count``), recall's messages at or past the
#: namespace's first unindexed id (``RecallIndexing._waiting_count``; no mark, no waiting) and
#: the validity rows marked superseded (``Validity.count_superseded``).
_SQL = """
SELECT
  COALESCE((SELECT docs FROM lex_stats WHERE ns=? AND tier=?), 0),
  COALESCE((SELECT docs FROM lex_stats WHERE ns=? AND tier=?), 0),
  (SELECT count(*) FROM recall
    WHERE ns=? AND id >= (SELECT CAST(value AS BIGINT) FROM meta WHERE key=?)),
  (SELECT count(*) FROM archival_validity WHERE ns=? AND superseded_at IS NOT NULL),
  b.label, b.value, b.char_limit, b.description
FROM (SELECT 1 AS one) AS s LEFT JOIN core_blocks AS b ON b.ns=?
ORDER BY b.position, b.label
"""


def read_prompt_view(conn: Any, ns: int, waiting_key: str) -> PromptView:
    """The namespace's blocks and counts in one statement. ``waiting_key`` is the meta key of
    the namespace's first recall message not indexed yet (``recall_base.UNINDEXED_KEY``)."""
    rows = conn.execute(
        _SQL,
        (ns, int(Tier.RECALL), ns, int(Tier.ARCHIVAL), ns, waiting_key, ns, ns),
    ).fetchall()
    first = rows[0]  # the one-row table makes at least one row
    blocks = {
        row[4]: Block(row[4], row[5], int(row[6]), row[7]) for row in rows if row[4] is not None
    }
    return PromptView(
        blocks=blocks,
        recall=int(first[0]) + int(first[2]),
        archival=int(first[1]),
        superseded=int(first[3]),
    )
