"""The lexical top k (``backends/lexical_topk.py``) is the exhaustive ranking: same records,
same order (ties by id), same scores, on stores built to be hard for early termination (words
in every record, equal lengths, many frequency classes), with filters, a pending tail and
deletions, on both backends; and it reads less than the whole lists when words are common."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from langgraph_memgpt.memory import Memory, MemoryStoreError
from langgraph_memgpt.memory.backends import lexical_block_keys
from langgraph_memgpt.memory.backends.lexical import LexicalIndex, Tier
from langgraph_memgpt.memory.backends.lexical_blocks import (
    POSTINGS_COUNT_SQL,
    all_postings,
    block_size,
    decode,
)
from langgraph_memgpt.memory.backends.lexical_scoring import (
    TF_SCALE,
    class_tf,
    impact_rank,
    rank_length,
    split_blob,
    term_id,
    tf_component,
)
from langgraph_memgpt.memory.text.analysis import query_terms

WORDS = [f"w{i}" for i in range(40)]


def _zipf_text(rng: random.Random, i: int) -> str:
    """Words from a skewed vocabulary (w0 in most records, often several times), "shared" in
    nine records of ten, and the record's own number."""
    n = rng.randint(1, 10)
    picked = [WORDS[min(int(rng.paretovariate(0.8)) - 1, len(WORDS) - 1)] for _ in range(n)]
    return " ".join(picked) + (" shared" if rng.random() < 0.9 else "") + f" n{i}"


def _tied_text(rng: random.Random, i: int) -> str:
    """Every record the same length and every word once: nearly all scores tie."""
    return f"user friends home {rng.choice(WORDS[:8])} {rng.choice(WORDS[8:16])} n{i}"


def _ns(mem: Memory, user: str = "u") -> int:
    ns = mem._db.namespace("default", user, create=False)
    assert ns is not None
    return ns


def _brute_force(
    mem: Memory, ns: int, tier: Tier, terms: list[str], docs: set[int] | None = None
) -> dict[int, float]:
    """BM25 of every record from its stored term vector, independently of the postings."""
    with mem._db.read() as conn:
        stats = conn.execute(
            "SELECT docs, length FROM lex_stats WHERE ns=? AND tier=?", (ns, int(tier))
        ).fetchone()
        rows = conn.execute("SELECT key, terms FROM lex_docs WHERE ns=?", (ns,)).fetchall()
    n_docs, avgdl = int(stats[0]), int(stats[1]) / int(stats[0])
    wanted = {term_id(t) for t in terms}
    vectors: dict[int, dict[int, int]] = {}
    for key, blob in rows:
        if int(key) % 2 != int(tier):
            continue
        ids, tf_q = split_blob(bytes(blob))
        vectors[int(key) // 2] = dict(zip(ids.tolist(), tf_q.tolist(), strict=True))
    df = Counter(t for v in vectors.values() for t in v if t in wanted)
    scores: dict[int, float] = {}
    for doc, vector in vectors.items():
        if docs is not None and doc not in docs:
            continue
        length = round(sum(vector.values()) / TF_SCALE)
        score = 0.0
        for t in sorted(wanted & vector.keys()):
            idf = math.log1p((n_docs - df[t] + 0.5) / (df[t] + 0.5))
            tf = vector[t] / TF_SCALE
            score += idf * float(tf_component(np.array([tf]), np.array([length]), avgdl)[0])
        if score > 0:
            scores[doc] = score
    return scores


def _check(
    mem: Memory,
    terms: list[str],
    limit: int,
    *,
    tier: Tier = Tier.ARCHIVAL,
    restrict: tuple[str, tuple[Any, ...]] | None = None,
    docs: set[int] | None = None,
) -> Any:
    ns = _ns(mem)
    with mem._db.read() as conn:
        got = LexicalIndex.search_detailed(conn, ns, tier, terms, limit, restrict=restrict)
        full = LexicalIndex.search(conn, ns, tier, terms, limit, restrict=restrict, exhaustive=True)
    assert got.exact
    assert got.hits == full  # same records, same order, scores equal to the bit
    brute = _brute_force(mem, ns, tier, terms, docs)
    expected = sorted(brute.items(), key=lambda item: (-round(item[1], 9), item[0]))[:limit]
    assert [(d, round(s, 9)) for d, s in got.hits] == [(d, round(s, 9)) for d, s in expected]
    return got


@pytest.mark.parametrize("make", [_zipf_text, _tied_text], ids=["skewed", "tied"])
def test_top_k_is_the_brute_force_ranking(
    new_store: Callable[[str], Any], make: Callable[[random.Random, int], str]
) -> None:
    rng = random.Random(3)
    with Memory.open(new_store("m"), embeddings=None) as mem:
        # 1,000 records merged into postings and a tail of pending ones, read differently.
        mem.archival.insert_many([make(rng, i) for i in range(1100)], user_id="u", dedupe=False)
        queries = [
            "shared",
            "user friends home",
            "w0 shared",
            "w0 w1 w2 shared",
            "w3 w9 home",
            "w17 w30 shared user",
            "n5 shared",
        ] + [" ".join(rng.sample(WORDS[:20], rng.randint(1, 4))) + " shared" for _ in range(8)]
        for query in queries:
            for limit in (1, 10, 100):
                _check(mem, query_terms(query), limit)


def test_top_k_with_a_filter_and_after_deletes(new_store: Callable[[str], Any]) -> None:
    rng = random.Random(5)
    with Memory.open(new_store("m"), embeddings=None) as mem:
        texts = [_tied_text(rng, i) for i in range(700)]
        ids = mem.archival.insert_many(texts[:350], user_id="u", dedupe=False)
        mem.archival.insert_many(texts[350:], user_id="u", dedupe=False, tags=["kept"])
        for rid in ids[:300:7]:  # holes in the postings, the tail, the first blocks
            mem.archival.delete(rid, user_id="u")
        ns = _ns(mem)
        restrict = ("SELECT record FROM archival_tags WHERE ns=? AND tag=?", (ns, "kept"))
        with mem._db.read() as conn:
            kept = {int(r[0]) for r in conn.execute(restrict[0], restrict[1]).fetchall()}
        for query in ("user friends home", "w1 w9 friends", "w2"):
            _check(mem, query_terms(query), 50)
            _check(mem, query_terms(query), 50, restrict=restrict, docs=kept)


def test_recall_tier_top_k(new_store: Callable[[str], Any]) -> None:
    from langchain_core.messages import HumanMessage

    rng = random.Random(9)
    with Memory.open(new_store("m"), embeddings=None) as mem:
        messages = [HumanMessage(_zipf_text(rng, i), id=f"m{i}") for i in range(600)]
        mem.recall.append_messages(messages, user_id="u", thread_id="t")
        mem.recall.index_waiting(user_id="u")  # recall is indexed off the append
        for query in ("shared", "w0 w4 shared", "w2 w3"):
            _check(mem, query_terms(query), 20, tier=Tier.RECALL)


def test_common_words_read_only_the_best_postings(store: Any) -> None:
    rng = random.Random(11)
    with Memory.open(store, embeddings=None) as mem:
        mem.archival.insert_many([_tied_text(rng, i) for i in range(3000)], user_id="u")
        got = _check(mem, query_terms("what do the user and friends do at home?"), 100)
        # Three words in every record: 9,000 postings, of which each list's first block is
        # enough to prove the top 100 (they tie, and come first in id order).
        assert got.postings <= 3 * 100 and got.lookups == 0
        got = _check(mem, query_terms("the user likes w3 at home"), 100)
        assert got.postings < 3000


def test_class_order_bounds_every_later_posting() -> None:
    """Within a frequency class the stored key orders postings by their BM25 component at
    *any* average length, and the key's bound is never below a later posting's component."""
    rng = random.Random(1)
    postings = [(rng.randint(1, 40), rng.randint(0, 300)) for _ in range(3000)]
    postings.sort(key=lambda p: impact_rank(*p))
    for avgdl in (3.0, 30.0, 300.0):
        for i in range(0, len(postings) - 1, 7):
            rank = impact_rank(*postings[i])
            bound = tf_component(np.array([class_tf(rank)]), np.array([rank_length(rank)]), avgdl)
            for tf_q, dl in postings[i : i + 50]:
                if impact_rank(tf_q, dl) // 65_536 != rank // 65_536:
                    break
                value = tf_component(np.array([tf_q / TF_SCALE]), np.array([dl]), avgdl)
                assert value[0] <= bound[0]


_OLD_POSTINGS = (
    "CREATE TABLE lex_postings (ns BIGINT NOT NULL, tier SMALLINT NOT NULL, term BIGINT NOT NULL,"
    " rank INTEGER NOT NULL, doc BIGINT NOT NULL, tf INTEGER NOT NULL, dl INTEGER NOT NULL,"
    " PRIMARY KEY (ns, tier, term, rank, doc))"
)


def _back_to_a_row_per_posting(mem: Memory, version: int) -> int:
    """Turn the store into what the previous schema wrote: a ``lex_postings`` row per posting
    (in the rank order before class order), no blocks. Returns the postings' count."""
    with mem._db.transaction() as conn:
        postings = all_postings(conn, "WHERE tier=?", (int(Tier.ARCHIVAL),))
        conn.execute(_OLD_POSTINGS)
        rows = [
            (_ns(mem), 0, t, -tf * 1000 - dl, d, tf, dl)
            for t, d, tf, dl in zip(
                *(a.tolist() for a in (postings.terms, postings.docs, postings.tf, postings.dl)),
                strict=True,
            )
        ]
        conn.executemany("INSERT INTO lex_postings VALUES (?,?,?,?,?,?,?)", rows)
        conn.execute("DELETE FROM lex_blocks")
        conn.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(version),))
    return len(rows)


def _block_postings(mem: Memory) -> int:
    with mem._db.read() as conn:
        return int(conn.execute(POSTINGS_COUNT_SQL).fetchone()[0])


def test_a_store_with_a_row_per_posting_is_rewritten_into_blocks(tmp_path: Any) -> None:
    rng = random.Random(2)
    with Memory.open(tmp_path / "m", embeddings=None) as mem:
        mem.archival.insert_many([_zipf_text(rng, i) for i in range(600)], user_id="u")
        before = _scores_of(mem, "w0 w1 shared")
        count = _back_to_a_row_per_posting(mem, 3)
    # A read-only open cannot rewrite them (another schema version): refused.
    with pytest.raises(MemoryStoreError, match="open it once where it is writable"):
        Memory.open(tmp_path / "m", embeddings=None, read_only=True)
    with Memory.open(tmp_path / "m", embeddings=None) as mem:
        assert _block_postings(mem) == count > 0
        assert _scores_of(mem, "w0 w1 shared") == before
        _check(mem, query_terms("w0 w1 shared"), 30)
        with mem._db.read() as conn:
            gone = "SELECT count(*) FROM sqlite_master WHERE name='lex_postings'"
            assert conn.execute(gone).fetchone()[0] == 0
    with Memory.open(tmp_path / "m", embeddings=None, read_only=True) as mem:
        _check(mem, query_terms("w0 w1 shared"), 30)


def test_postgres_store_with_a_row_per_posting_refuses_a_reading_open_then_is_rewritten(
    pg_store: Callable[[str], str],
) -> None:
    url = pg_store("blocks")
    rng = random.Random(2)
    with Memory.open(url, embeddings=None) as mem:
        mem.archival.insert_many([_zipf_text(rng, i) for i in range(600)], user_id="u")
        before = _scores_of(mem, "w0 w1 shared")
        count = _back_to_a_row_per_posting(mem, 2)
    # An open that may not write cannot rewrite them: refused.
    with pytest.raises(MemoryStoreError, match="open it once with a writing command"):
        Memory.open(url, embeddings=None, create=False)
    with Memory.open(url, embeddings=None) as mem:  # a writable open rewrites them
        assert _block_postings(mem) == count > 0
        assert _scores_of(mem, "w0 w1 shared") == before
        with mem._db.read() as conn:
            found = conn.execute("SELECT to_regclass(current_schema() || '.lex_postings')")
            assert found.fetchone()[0] is None
    with Memory.open(url, embeddings=None, create=False) as mem:
        _check(mem, query_terms("w0 w1 shared"), 30)


def _scores_of(mem: Memory, query: str) -> list[tuple[int, float]]:
    with mem._db.read() as conn:
        return LexicalIndex.search(conn, _ns(mem), Tier.ARCHIVAL, query_terms(query), 50)


def test_recall_thread_filter_applies_to_decoded_blocks(new_store: Callable[[str], Any]) -> None:
    """A thread filter (an SQL restrict) is applied to the postings of each block read: the
    top k of one thread is the brute-force ranking of that thread's messages."""
    from langchain_core.messages import HumanMessage

    rng = random.Random(13)
    with Memory.open(new_store("m"), embeddings=None) as mem:
        for thread in ("a", "b"):
            messages = [HumanMessage(_zipf_text(rng, i), id=f"{thread}{i}") for i in range(400)]
            mem.recall.append_messages(messages, user_id="u", thread_id=thread)
        mem.recall.index_waiting(user_id="u")
        ns = _ns(mem)
        restrict = ("SELECT id FROM recall WHERE ns=? AND thread_id=?", (ns, "b"))
        with mem._db.read() as conn:
            thread_b = {int(r[0]) for r in conn.execute(restrict[0], restrict[1]).fetchall()}
        for query in ("shared", "w0 w4 shared", "w2 w3"):
            _check(mem, query_terms(query), 20, tier=Tier.RECALL, restrict=restrict, docs=thread_b)


def test_both_engines_rank_filtered_searches_alike(
    tmp_path: Any, pg_store: Callable[[str], str]
) -> None:
    """The same records on SQLite and Postgres: the same hits and scores, with a tag filter
    and a thread filter (both applied after decoding blocks) and without."""
    from langchain_core.messages import HumanMessage

    results = []
    for where in (tmp_path / "lite", pg_store("alike")):
        rng = random.Random(17)
        with Memory.open(where, embeddings=None) as mem:
            texts = [_zipf_text(rng, i) for i in range(700)]
            mem.archival.insert_many(texts[:300], user_id="u", dedupe=False)
            mem.archival.insert_many(texts[300:], user_id="u", dedupe=False, tags=["kept"])
            for thread in ("a", "b"):
                msgs = [HumanMessage(_zipf_text(rng, i), id=f"{thread}{i}") for i in range(300)]
                mem.recall.append_messages(msgs, user_id="u", thread_id=thread)
            got = []
            for query in ("w0 w1 shared", "w5 n7", "shared"):
                for tags in (None, ["kept"]):
                    hits = mem.archival.search(query, user_id="u", k=20, mode="lexical", tags=tags)
                    got.append([(h.text, round(h.score, 9)) for h in hits])
                for thread_id in (None, "b"):
                    found = mem.recall.search(
                        query, user_id="u", k=20, thread_id=thread_id, mode="lexical"
                    )
                    got.append([(h.id, round(h.score, 9)) for h in found])
            results.append(got)
    assert results[0] == results[1] and any(results[0])


def _check_blocks(mem: Memory) -> int:
    """Every block: sorted by (rank, doc), one frequency class, at most the engine's size,
    keyed by its first posting; a term's blocks of one class do not overlap. Returns how many
    postings they hold."""
    with mem._db.read() as conn:
        size = block_size(conn)
        rows = conn.execute(
            "SELECT ns, tier, term, rank, doc, postings FROM lex_blocks "
            "ORDER BY ns, tier, term, rank, doc"
        ).fetchall()
    last: dict[tuple[int, int, int], tuple[int, int]] = {}
    total = 0
    for ns, tier, term, rank, doc, blob in rows:
        docs, tf, dl = decode(blob)
        ranks = [impact_rank(t, d) for t, d in zip(tf.tolist(), dl.tolist(), strict=True)]
        keys = list(zip(ranks, docs.tolist(), strict=True))
        assert 0 < len(keys) <= size and keys == sorted(keys) and keys[0] == (rank, doc)
        assert len({r // 65_536 for r in ranks}) == 1
        owner = (int(ns), int(tier), int(term))
        assert owner not in last or last[owner] < keys[0]
        last[owner] = keys[-1]
        total += len(keys)
    return total


def test_blocks_stay_ordered_through_merges_and_deletes(new_store: Callable[[str], Any]) -> None:
    rng = random.Random(19)
    with Memory.open(new_store("m"), embeddings=None) as mem:
        ids: list[str] = []
        for batch in range(6):  # merges into blocks already written, splitting full ones
            texts = [_zipf_text(rng, batch * 300 + i) for i in range(300)]
            ids += mem.archival.insert_many(texts, user_id="u", dedupe=False)
        for rid in ids[: len(ids) // 2 : 3]:
            mem.archival.delete(rid, user_id="u")
        with mem._db.read() as conn:
            (in_df,) = conn.execute("SELECT sum(df) FROM lex_df").fetchone()
        assert _check_blocks(mem) == int(in_df) > 0
        for query in ("shared", "w0 w1 shared", "w7 n77"):
            _check(mem, query_terms(query), 30)


@pytest.mark.parametrize("scan_df", [lexical_block_keys.SCAN_DF, 0], ids=["scan", "probe"])
def test_reindexed_records_land_inside_existing_blocks(
    new_store: Callable[[str], Any], scan_df: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records indexed again (a thread's last records get the new ones as context) keep their
    old ids, so their postings fall inside blocks written since, not after them: the merge
    must find those blocks too, whether it reads a small term's classes whole ("scan") or
    probes a big one's (the block before and within each group, "probe")."""
    monkeypatch.setattr(lexical_block_keys, "SCAN_DF", scan_df)
    rng = random.Random(23)
    with Memory.open(new_store("r"), embeddings=None) as mem:
        ids: list[str] = []
        for batch in range(4):
            texts = [_zipf_text(rng, batch * 300 + i) for i in range(300)]
            ids += mem.archival.insert_many(texts, user_id="u", dedupe=False)
        ns = _ns(mem)
        with mem._db.read() as conn:
            docs = [int(r[0]) for r in conn.execute("SELECT id FROM archival ORDER BY id")]
        again = docs[:600:2]
        fresh = [{f"w{rng.randrange(40)}": 1.0, "share": 2.0, "redo": 1.5} for _ in again]
        for start in range(0, len(again), 100):  # a merge of old ids each
            chunk = slice(start, start + 100)
            with mem._db.transaction() as conn:
                LexicalIndex.remove(conn, ns, Tier.ARCHIVAL, again[chunk])
                LexicalIndex.add(
                    conn, ns, Tier.ARCHIVAL, list(zip(again[chunk], fresh[chunk], strict=True))
                )
                LexicalIndex.merge(conn, ns, int(Tier.ARCHIVAL))
        with mem._db.read() as conn:
            (in_df,) = conn.execute("SELECT sum(df) FROM lex_df").fetchone()
        assert _check_blocks(mem) == int(in_df) > 0
        for query in ("shared", "redo w3", "w0 w1 shared", "w7 n77"):
            _check(mem, query_terms(query), 30)


def test_candidates_merge_new_records_in_id_order_keeping_their_state() -> None:
    """Records first seen in a later read are merged among the others (rows stay sorted by
    id); what was known of the others (contributions, exact, pruned) stays with them."""
    from langgraph_memgpt.memory.backends.lexical_candidates import Candidates

    cands = Candidates(2)
    cands.add(np.array([30, 10, 50]), 0, np.array([3.0, 1.0, 5.0]), np.array([7, 7, 7]))
    cands.set_exact(np.array([0]), np.array([[1.0, 0.0]]))  # record 10
    cands.pruned[2] = True  # record 50
    cands.add(np.array([40, 10, 20]), 1, np.array([0.4, 0.1, 0.2]), np.array([8, 7, 9]))
    assert cands.docs.tolist() == [10, 20, 30, 40, 50]
    assert cands.exact.tolist() == [True, False, False, False, False]
    assert cands.pruned.tolist() == [False, False, False, False, True]
    assert np.array_equal(cands.parts[:, 0], [1.0, np.nan, 3.0, np.nan, 5.0], equal_nan=True)
    assert np.array_equal(cands.parts[:, 1], [0.1, 0.2, np.nan, 0.4, np.nan], equal_nan=True)
    assert cands.lengths.tolist() == [7, 9, 7, 8, 7]
    assert cands.partial.tolist() == [1.1, 0.2, 3.0, 0.4, 5.0]


def test_best_rows_breaks_ties_by_id() -> None:
    """The chunk scored next: the largest bounds, and among equal ones the smallest ids (the
    ranking's tie-break), so the k-th score rises as fast as it can."""
    from langgraph_memgpt.memory.backends.lexical_candidates import best_rows

    values = np.array([2.0, 5.0, 2.0, 2.0, 7.0, 2.0])
    assert best_rows(np.arange(6), values, 4).tolist() == [0, 1, 2, 4]
    assert best_rows(np.array([2, 3, 5]), values, 2).tolist() == [2, 3]
    assert best_rows(np.array([1, 4]), values, 5).tolist() == [1, 4]
