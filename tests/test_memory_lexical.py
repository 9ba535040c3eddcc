"""The per-tenant BM25 index: isolated statistics, bounded common words, atomic writes,
deletes, and the upgrade of a store written with the shared FTS5 tables."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from langgraph_memgpt.memory import Memory, MemoryStoreError
from langgraph_memgpt.memory.backends.lexical import LexicalIndex, Tier
from langgraph_memgpt.memory.backends.lexical_blocks import (
    POSTING_BYTES,
    POSTINGS_COUNT_SQL,
    all_postings,
)
from langgraph_memgpt.memory.testing import sql_row

ALICE = [
    "Alice's favourite colour is teal",
    "Alice has a dog called Rex",
    "Alice moved to Lisbon in 2021",
]


def _scores(mem: Memory, query: str, user: str = "alice") -> list[tuple[str, float]]:
    hits = mem.archival.search(query, user_id=user, k=5, mode="lexical")
    return [(h.text, round(h.score, 9)) for h in hits]


def test_scores_do_not_depend_on_other_tenants(new_store: Callable[[str], Any]) -> None:
    with Memory.open(new_store("alone"), embeddings=None) as alone:
        alone.archival.insert_many(ALICE, user_id="alice")
        alone.recall.append("user", "my dog Rex likes teal toys", user_id="alice", thread_id="t")
        expected = _scores(alone, "teal dog")
        expected_recall = [
            (h.text, h.score) for h in alone.recall.search("teal dog", user_id="alice")
        ]
    with Memory.open(new_store("crowded"), embeddings=None) as crowded:
        # Other users write the same words many times: with one shared index they would lower
        # "teal" and "dog"'s idf for Alice and change her scores.
        for i in range(30):
            crowded.archival.insert_many(
                [f"teal dog number {j}" for j in range(10)], user_id=f"other-{i}"
            )
            crowded.recall.append("user", "teal dog teal dog", user_id=f"other-{i}", thread_id="t")
        crowded.archival.insert_many(ALICE, user_id="alice")
        crowded.recall.append("user", "my dog Rex likes teal toys", user_id="alice", thread_id="t")
        assert _scores(crowded, "teal dog") == expected
        assert [
            (h.text, h.score) for h in crowded.recall.search("teal dog", user_id="alice")
        ] == expected_recall
        assert crowded.archival.count(user_id="alice") == 3
        assert crowded.recall.count(user_id="alice") == 1


def _common_word_store(path: Any, n: int) -> tuple[Memory, list[str]]:
    rng = random.Random(7)
    nouns = [f"thing{i}" for i in range(400)]
    texts = [
        f"the user likes {rng.choice(nouns)} and {rng.choice(nouns)} {'very ' * rng.randint(0, 3)}"
        f"much, note {i}"
        for i in range(n)
    ]
    mem = Memory.open(path, embeddings=None)
    mem.archival.insert_many(texts, user_id="u")
    return mem, texts


def test_common_words_are_cut_and_the_top_is_still_exhaustive(store: Any) -> None:
    mem, texts = _common_word_store(store, 3000)
    with mem, mem._db.read() as conn:
        query = "what does the user like about thing7, very much?"
        ns = mem._db.namespace("default", "u", create=False)
        assert ns is not None
        terms = lexical_terms(query)
        exhaustive = LexicalIndex.search(conn, ns, Tier.ARCHIVAL, terms, 10, exhaustive=True)
        reads: list[int] = []
        real_execute = conn.execute

        class Counting:
            def execute(self, sql: str, params: tuple[object, ...] = ()) -> Any:
                cur = real_execute(sql, params)
                if "FROM lex_blocks" in sql and "postings" in sql:
                    rows = cur.fetchall()
                    reads.append(sum(len(r[-1]) // POSTING_BYTES for r in rows))
                    return _Rows(rows)
                return cur

        cut = LexicalIndex.search(Counting(), ns, Tier.ARCHIVAL, terms, 10)
        # "user", "like" and "much" are in every record: only their best postings were read.
        assert sum(reads) < 3000
        # The records naming thing7 come first, and the whole top 10 is the exhaustive one.
        rare = [i for i, t in enumerate(texts) if "thing7 " in t]
        assert rare and cut == exhaustive


class _Rows(list):  # type: ignore[type-arg]
    def fetchall(self) -> list[object]:
        return list(self)


def lexical_terms(query: str) -> list[str]:
    from langgraph_memgpt.memory.text.analysis import query_terms

    return query_terms(query)


def test_delete_removes_the_record_from_the_index(new_store: Callable[[str], Any]) -> None:
    with Memory.open(new_store("m"), embeddings=None) as mem:
        ids = mem.archival.insert_many(ALICE, user_id="alice")
        mem.archival.delete(ids[0], user_id="alice")
        assert mem.archival.count(user_id="alice") == 2
        assert mem.archival.search("teal", user_id="alice", mode="lexical") == []
        meta = [{"created_at": "2024-05-01T10:00:00Z"}] * 2
        with Memory.open(new_store("fresh"), embeddings=None) as fresh:
            fresh.archival.insert_many(ALICE[1:], user_id="alice", metadatas=meta)
            mem.archival.delete(ids[1], user_id="alice")
            mem.archival.delete(ids[2], user_id="alice")
            mem.archival.insert_many(ALICE[1:], user_id="alice", metadatas=meta)
            assert _scores(mem, "dog Lisbon") == _scores(fresh, "dog Lisbon")
            count = f"SELECT ({POSTINGS_COUNT_SQL}), (SELECT count(*) FROM lex_df WHERE df > 0)"
            assert sql_row(mem, count) == sql_row(fresh, count)


def test_failed_write_indexes_nothing(store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with Memory.open(store, embeddings=None) as mem:
        mem.archival.insert("Alice likes teal", user_id="alice")
        mem.recall.append("user", "hello teal", user_id="alice", thread_id="t", message_id="m1")
        mem.recall.catch_up(user_id="alice")  # recall is indexed off the turn: now

        def boom(*args: object, **kwargs: object) -> None:
            raise RuntimeError("disk I/O error")

        before = _index_size(mem)
        monkeypatch.setattr(LexicalIndex, "add_vectors", staticmethod(boom))
        with pytest.raises(RuntimeError):
            mem.archival.insert("Alice likes teal a lot", user_id="alice")
        # Stored at once; its indexing, before the next read, fails as a whole.
        mem.recall.append("user", "more teal", user_id="alice", thread_id="t", message_id="m2")
        with pytest.raises(RuntimeError):
            mem.recall.search("teal", user_id="alice")
        monkeypatch.undo()
        after = _index_size(mem)
        assert after == before
        assert mem.archival.count(user_id="alice") == 1 and mem.recall.count(user_id="alice") == 2
        # Appending an existing message id again indexes nothing new.
        mem.recall.append("user", "hello teal", user_id="alice", thread_id="t", message_id="m1")
        assert mem.recall.count(user_id="alice") == 2
        # The message still waits, and the next read indexes it.
        assert {h.id for h in mem.recall.search("teal", user_id="alice")} == {"m1", "m2"}


def _index_size(mem: Memory) -> tuple[int, ...]:
    with mem._db.read() as conn:
        row = conn.execute(
            f"SELECT ({POSTINGS_COUNT_SQL}), (SELECT count(*) FROM lex_docs), "
            "(SELECT sum(docs) FROM lex_stats)"
        ).fetchone()
    return tuple(int(v) for v in row)


def test_a_store_from_schema_1_is_indexed_on_open(tmp_path: Path) -> None:
    directory = tmp_path / "old"
    with Memory.open(directory, embeddings=None) as mem:
        mem.archival.insert_many(ALICE, user_id="alice")
        mem.recall.append("user", "Rex chewed the teal sofa", user_id="alice", thread_id="t")
    # Turn it back into what version 1 wrote: shared FTS5 tables, no per-tenant index.
    conn = sqlite3.connect(directory / "memory.sqlite")
    for table in ("lex_blocks", "lex_df", "lex_docs", "lex_stats", "lex_tail"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("CREATE VIRTUAL TABLE recall_fts USING fts5(content)")
    conn.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    with Memory.open(directory, embeddings=None) as mem:
        assert mem.archival.count(user_id="alice") == 3
        assert mem.archival.search("teal", user_id="alice", mode="lexical")[0].text == ALICE[0]
        assert mem.recall.search("sofa", user_id="alice")[0].text == "Rex chewed the teal sofa"
        tables = {r[0] for r in mem._db.conn.execute("SELECT name FROM sqlite_master")}
        assert "recall_fts" not in tables


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    Memory.open(tmp_path / "m", embeddings=None).close()
    conn = sqlite3.connect(tmp_path / "m" / "memory.sqlite")
    conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(MemoryStoreError, match="newer"):
        Memory.open(tmp_path / "m", embeddings=None)


def test_query_of_only_common_words_explains_itself(store: Any) -> None:
    with (
        Memory.open(store, embeddings=None) as mem,
        pytest.raises(MemoryStoreError, match="no words to search for"),
    ):
        mem.recall.search("what is it?", user_id="alice")


def test_recall_messages_are_found_through_their_neighbours(store: Any) -> None:
    with Memory.open(store, embeddings=None) as mem:
        mem.recall.append("user", "Where did you go on holiday?", user_id="u", thread_id="t")
        mem.recall.append("user", "Unrelated note about taxes", user_id="u", thread_id="other")
        # The answer arrives in a later call: the question is indexed again with it.
        mem.recall.append("assistant", "Lisbon, with my sister.", user_id="u", thread_id="t")
        hits = mem.recall.search("Lisbon", user_id="u", mode="lexical")
        assert [h.text for h in hits] == ["Lisbon, with my sister.", "Where did you go on holiday?"]
        assert hits[1].score < hits[0].score
        # ... and the answer is found by the question's words, below the question.
        hits = mem.recall.search("holiday", user_id="u", mode="lexical")
        assert [h.text for h in hits] == ["Where did you go on holiday?", "Lisbon, with my sister."]
        # Dates are searchable words: "in May 2024".
        mem.recall.append(
            "user", "bought a kayak", user_id="u", thread_id="k", created_at="2024-05-07T10:00:00Z"
        )
        assert (
            mem.recall.search("May 2024", user_id="u", mode="lexical")[0].text == "bought a kayak"
        )
        assert mem.recall.count(user_id="u") == 4


def test_archival_sequences_share_context_single_records_do_not(store: Any) -> None:
    session = {"thread_id": "s1", "created_at": "2023-05-08T13:56:00Z"}
    with Memory.open(store, embeddings=None) as mem:
        mem.archival.insert_many(
            ["Caroline: Guess where I went last weekend?", "Melanie: Where?", "Caroline: Lisbon!"],
            user_id="u",
            metadatas=[session] * 3,
        )
        mem.archival.insert("Bob: I also like Lisbon", user_id="u")
        mem.archival.insert("Bob: last weekend was rainy", user_id="u")
        hits = mem.archival.search("Lisbon", user_id="u", mode="lexical")
        texts = [h.text for h in hits]
        assert texts[0] in {"Caroline: Lisbon!", "Bob: I also like Lisbon"}
        # The two turns before it in the session are found through it, below both sayers.
        assert set(texts[2:]) == {"Melanie: Where?", "Caroline: Guess where I went last weekend?"}
        assert "Bob: last weekend was rainy" not in texts  # inserted alone: no neighbours


def test_archival_thread_context_spans_calls(store: Any) -> None:
    """Turns stored one call each, as an agent does, get their thread's context like a batch:
    the earlier turn is indexed again with the later one, the later one with the earlier."""
    with Memory.open(store, embeddings=None) as mem:

        def say(text: str, thread: str, turn: int) -> None:
            when = f"2023-05-08T13:5{turn}:00Z"  # each turn its own time: still one thread
            metadata = {"thread_id": thread, "turn": turn, "created_at": when}
            mem.archival.insert(text, user_id="u", metadata=metadata)

        say("Melanie: Where did you go on holiday?", "s1", 0)
        say("Bob: taxes are due soon", "s2", 0)  # another thread in between
        say("Caroline: Lisbon, with my sister.", "s1", 1)
        hits = mem.archival.search("Lisbon", user_id="u", mode="lexical")
        assert [h.text for h in hits] == [
            "Caroline: Lisbon, with my sister.",
            "Melanie: Where did you go on holiday?",
        ]
        assert hits[1].score < hits[0].score
        hits = mem.archival.search("holiday", user_id="u", mode="lexical")
        assert [h.text for h in hits] == [
            "Melanie: Where did you go on holiday?",
            "Caroline: Lisbon, with my sister.",
        ]
        assert mem.archival.search("taxes", user_id="u", mode="lexical")[0].text.startswith("Bob")
        assert len(mem.archival.search("taxes", user_id="u", mode="lexical")) == 1
        assert mem.archival.count(user_id="u") == 3


def _user_texts(owner: str, n: int) -> list[str]:
    """``n`` texts sharing the words "shared note", varied in length so scores differ, plus a
    word only this owner uses."""
    return [f"shared note {owner} {owner}{i} " + "filler " * (i % 7) for i in range(n)]


def _user_messages(owner: str, n: int) -> list[Any]:
    from langchain_core.messages import HumanMessage

    return [HumanMessage(text, id=f"{owner}-{i}") for i, text in enumerate(_user_texts(owner, n))]


def test_merged_postings_stay_per_user(new_store: Callable[[str], Any]) -> None:
    """Two users each pass ``TAIL_LIMIT`` records, so both tails are merged into postings: each
    user's search reads only their own postings and statistics, in archival and recall, and
    ranks exactly as in a store where they are alone."""
    from langgraph_memgpt.memory.backends.lexical import TAIL_LIMIT

    n = TAIL_LIMIT + 44
    with Memory.open(new_store("alone"), embeddings=None) as alone:
        alone.archival.insert_many(_user_texts("apple", n), user_id="a", dedupe=False)
        alone.recall.append_messages(_user_messages("apple", n), user_id="a", thread_id="t")
        expected = _scores(alone, "shared note filler", user="a")
        expected_recall = [
            (h.text, round(h.score, 9)) for h in alone.recall.search("shared note", user_id="a")
        ]
    with Memory.open(new_store("two"), embeddings=None) as two:
        # The other user writes first, so their records have the lower ids (they would win
        # every tie) and twice as many "filler" words (they would change the statistics).
        # Their last records arrive after this user's merge: a merge or a search that read
        # every user's tail would take them in.
        other = [t + " filler filler" for t in _user_texts("banana", n)]
        other_messages = _user_messages("banana", n)
        two.archival.insert_many(other[:200], user_id="b", dedupe=False)
        two.recall.append_messages(other_messages[:200], user_id="b", thread_id="t")
        two.archival.insert_many(_user_texts("apple", n), user_id="a", dedupe=False)
        two.recall.append_messages(_user_messages("apple", n), user_id="a", thread_id="t")
        for step in range(2):  # the other user's tail pending, then merged too
            assert _scores(two, "shared note filler", user="a") == expected
            assert [
                (h.text, round(h.score, 9)) for h in two.recall.search("shared note", user_id="a")
            ] == expected_recall
            assert two.archival.search("banana", user_id="a", mode="lexical") == []
            assert two.recall.search("banana", user_id="a", mode="lexical") == []
            if step == 0:
                two.archival.insert_many(other[200:], user_id="b", dedupe=False)
                two.recall.append_messages(other_messages[200:], user_id="b", thread_id="t")
        for tier in (Tier.ARCHIVAL, Tier.RECALL):  # every tail was merged into postings
            assert sql_row(two, "SELECT sum(tail) FROM lex_stats WHERE tier=?", (int(tier),)) == (
                0,
            )
        hits = two.archival.search("shared note", user_id="b", k=50, mode="lexical")
        assert len(hits) == 50 and all("banana" in h.text for h in hits)
        for i in (17, 250):  # written before and after this user's merge: both indexed
            found = two.archival.search(f"banana{i}", user_id="b", mode="lexical")
            assert found[0].text == other[i]
            found = two.recall.search(f"banana{i}", user_id="b", mode="lexical")
            assert found[0].text == other_messages[i].content


def test_removing_a_batch_of_merged_and_tail_records_leaves_no_trace(
    new_store: Callable[[str], Any],
) -> None:
    """One ``remove`` of records some of which were merged into postings and some still in
    the tail (a statement per table for the batch) leaves the same index, statistics and
    ranking as a store that never had them."""
    from langgraph_memgpt.memory.backends.lexical import TAIL_LIMIT

    texts = _user_texts("apple", TAIL_LIMIT + 30)  # the first TAIL_LIMIT are merged
    gone = {3, 77, TAIL_LIMIT - 1, TAIL_LIMIT + 2, TAIL_LIMIT + 20}
    with Memory.open(new_store("m"), embeddings=None) as mem:
        mem.archival.insert_many(texts, user_id="a", dedupe=False)
        ns = mem._db.namespace("default", "a", create=False)
        rids = [int(r[0]) for r in _rows(mem, "SELECT id FROM archival WHERE ns=? ORDER BY id", ns)]
        with mem._db.transaction() as conn:
            LexicalIndex.remove(conn, ns, Tier.ARCHIVAL, [rids[i] for i in sorted(gone)] * 2)
            for i in gone:
                conn.execute("DELETE FROM archival_validity WHERE record=?", (rids[i],))
                conn.execute("DELETE FROM archival WHERE id=?", (rids[i],))
        with Memory.open(new_store("fresh"), embeddings=None) as fresh:
            kept = [t for i, t in enumerate(texts) if i not in gone]
            fresh.archival.insert_many(kept, user_id="a", dedupe=False)
            for query in ("shared note filler", "apple77 apple3 apple5"):
                assert _scores(mem, query, user="a") == _scores(fresh, query, user="a")
            stats = "SELECT docs, length FROM lex_stats WHERE tier=0"
            assert sql_row(mem, stats) == sql_row(fresh, stats)
            assert sql_row(mem, "SELECT count(*) FROM lex_docs")[0] == len(kept)
            marks = ",".join("?" * len(gone))
            removed = tuple(rids[i] for i in gone)
            left = f"SELECT count(*) FROM lex_tail WHERE doc IN ({marks})"
            assert sql_row(mem, left, removed) == (0,)
            with mem._db.read() as conn:
                assert not set(all_postings(conn).docs.tolist()) & set(removed)
            # every merged posting is counted once in its term's df, no more, no less
            balance = f"SELECT (SELECT sum(df) FROM lex_df), ({POSTINGS_COUNT_SQL})"
            df_sum, postings = sql_row(mem, balance)
            assert int(df_sum) == int(postings) > 0


def _rows(mem: Memory, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with mem._db.read() as conn:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]
