"""Text analysis for lexical search and rank fusion: pure functions."""

from __future__ import annotations

from langgraph_memgpt.memory.search.fusion import convex, rrf
from langgraph_memgpt.memory.text.analysis import query_terms, term_frequencies, words


def test_terms_drop_stopwords_and_syntax_and_stem() -> None:
    assert query_terms('What colour does "Alice" like? AND NEAR(x*) -- ^ likes') == [
        "colour",
        "alic",
        "like",
        "near",
        "x",
    ]
    assert query_terms("who is he?") == []
    assert query_terms("?!* ()") == []


def test_index_and_query_fold_the_same_way() -> None:
    # Inflections, case, diacritics and full-width letters meet in one term.
    assert words("She LIKED the Café") == words("she likes the cafe")
    assert query_terms("ＡＢＣ") == query_terms("abc")
    # A huge token keeps a searchable prefix: cut, not dropped, and cut alike in a query.
    assert words("x" * 500) == ["x" * 64] == query_terms("x" * 500)


def test_term_frequencies_weigh_fields() -> None:
    tf = term_frequencies([("teal teal sofa", 1.0), ("sofa chair", 0.5)])
    assert tf == {"teal": 2.0, "sofa": 1.5, "chair": 0.5}
    assert term_frequencies([("", 1.0), ("the a", 1.0)]) == {}


def test_rrf_and_convex() -> None:
    lexical = [(1, 9.0), (2, 5.0)]
    dense = [(2, 0.9), (3, 0.8)]
    fused = rrf([lexical, dense])
    assert fused[0][0] == 2 and {rid for rid, _ in fused} == {1, 2, 3}
    assert rrf([lexical, dense], weights=[1.0, 0.0])[0][0] == 1
    fused = convex([[(1, 9.0), (2, 8.0), (4, 0.0)], [(2, 0.9), (3, 0.8), (5, 0.0)]])
    assert fused[0][0] == 2  # near the top of both lists beats the top of one


def test_speaker_of_and_boost() -> None:
    from langgraph_memgpt.memory.search.fusion import boost_speaker, speaker_of

    assert speaker_of("Caroline: I went to a support group") == "Caroline"
    assert speaker_of("Dr. Ann Lee: hello") == "Dr. Ann Lee"
    assert speaker_of("note: buy milk at the shop on the corner today: ok") == "note"
    assert speaker_of("Please remember this for me: the code is 1234") is None
    assert speaker_of("12:30 meeting") is None
    assert speaker_of("anything", name="bob") == "bob"
    fused = [(1, 0.9), (2, 0.85), (3, 0.1)]
    speakers = {1: "Melanie", 2: "Caroline", 3: "Caroline"}
    boosted = boost_speaker(fused, speakers, "What did Caroline research?")
    assert [rid for rid, _ in boosted] == [2, 1, 3]
    # No named speaker, or both named: the fused order stands.
    assert boost_speaker(fused, speakers, "what was researched?") == fused
    assert boost_speaker(fused, speakers, "Did Caroline and Melanie meet?") == fused
