"""Query building for FTS5 and rank fusion: pure functions."""

from __future__ import annotations

import sqlite3

from langgraph_memgpt.memory.fts import match_query, query_terms
from langgraph_memgpt.memory.fusion import convex, rrf


def test_terms_drop_stopwords_and_syntax() -> None:
    assert query_terms('What colour does "Alice" like? AND NEAR(x*) -- ^') == [
        "colour",
        "alice",
        "like",
        "near",
        "x",
    ]
    assert query_terms("who is he?") == ["who", "is", "he"]  # all stopwords: keep them
    assert match_query("?!* ()") is None


def test_every_query_is_valid_fts5() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    conn.execute("INSERT INTO t VALUES ('alice likes teal')")
    for query in ['"', "AND", "NOT OR", "a:b", "col:teal", "x^y", "(((", "teal*", "NEAR(a b)"]:
        expr = match_query(query)
        if expr is not None:
            conn.execute("SELECT * FROM t WHERE t MATCH ?", (expr,)).fetchall()
    assert conn.execute("SELECT * FROM t WHERE t MATCH ?", (match_query("teal?"),)).fetchall()


def test_rrf_and_convex() -> None:
    lexical = [(1, 9.0), (2, 5.0)]
    dense = [(2, 0.9), (3, 0.8)]
    fused = rrf([lexical, dense])
    assert fused[0][0] == 2 and {rid for rid, _ in fused} == {1, 2, 3}
    assert rrf([lexical, dense], weights=[1.0, 0.0])[0][0] == 1
    fused = convex([[(1, 9.0), (2, 8.0), (4, 0.0)], [(2, 0.9), (3, 0.8), (5, 0.0)]])
    assert fused[0][0] == 2  # near the top of both lists beats the top of one
