"""Writing archival records: validation, idempotent batches, dedupe of restated facts, and
indexing each record with the context its citation supplies (``search.indexing``)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from langgraph_memgpt.memory._validate import (
    check_id,
    check_storable,
    check_tags,
    check_text,
    check_turn,
    now_iso,
    parse_when,
    to_json,
)
from langgraph_memgpt.memory.backends.sql_archival import ArchivalRow
from langgraph_memgpt.memory.backends.validity import Validity, norm_key
from langgraph_memgpt.memory.search.indexing import (
    RECALL_AFTER,
    WINDOW,
    context_fields,
    embedding_text,
    neighbours,
    sequence_key,
    sequences,
)
from langgraph_memgpt.memory.tiers.archival_base import (
    MAX_BATCH,
    MAX_TEXT_CHARS,
    RESERVED_KEYS,
    ArchivalBase,
    Stored,
)
from langgraph_memgpt.memory.types import (
    DEFAULT_AGENT_ID,
    EXTERNAL,
    MemoryStoreError,
    check_trust,
)

#: Namespace of the record ids derived from an idempotency key (``insert_many(once_key=)``).
_ONCE_IDS = uuid.UUID("6f1c2a8e-5b7d-4e0f-9a31-2d4c8b6e7f10")


class ArchivalWrite(ArchivalBase):
    """Insert passages (one, many, with or without vectors) into one user's archive."""

    # -- writing -------------------------------------------------------------------------
    @staticmethod
    def _row(text: object, tags: list[str], metadata: Mapping[str, Any] | None) -> ArchivalRow:
        text = check_text(text, "text", MAX_TEXT_CHARS)
        if metadata is not None and not isinstance(metadata, Mapping):
            raise MemoryStoreError(f"metadata must be a dict, got {type(metadata).__name__}.")
        md = dict(metadata or {})
        bad = [key for key in RESERVED_KEYS if key in md]
        if bad:
            raise MemoryStoreError(
                f"metadata may not set {', '.join(bad)}; pass user_id/agent_id/tags as arguments."
            )
        thread_id = md.pop("thread_id", None)
        if thread_id is not None:
            thread_id = check_id(thread_id, "metadata thread_id")
        source = md.pop("source", None)
        if source is not None and not isinstance(source, str):
            raise MemoryStoreError(f"metadata source must be a string, got {source!r}.")
        if source is not None:
            check_storable(source, "metadata source")
        created = md.pop("created_at", None)
        created_at = now_iso() if created is None else parse_when(created, "metadata created_at")
        return ArchivalRow(
            uid=str(uuid.uuid4()),
            text=text,
            tags=tags,
            thread_id=thread_id,
            turn=check_turn(md.pop("turn", None)),
            created_at=created_at,
            source=source,
            extra=to_json(md, "metadata"),
        )

    def insert(
        self,
        text: str,
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        tags: Sequence[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
        dedupe: bool = True,
        trust: str = EXTERNAL,
    ) -> str:
        """Store one passage; returns its id. ``metadata`` may hold the citation keys
        (thread_id, turn, source, created_at) and any JSON-serializable extras. A text equal
        to a current record (case, whitespace and punctuation aside) returns that record's
        id instead, unless ``dedupe=False``; ``trust`` is its origin (``types.TRUST_LEVELS``)."""
        return self.insert_many(
            [text],
            user_id=user_id,
            agent_id=agent_id,
            tags=tags,
            metadatas=None if metadata is None else [metadata],
            dedupe=dedupe,
            trust=trust,
        )[0]

    def insert_many(
        self,
        texts: Sequence[str],
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        tags: Sequence[str] | None = None,
        metadatas: Sequence[Mapping[str, Any] | None] | None = None,
        vectors: Any = None,
        dedupe: bool = True,
        trust: str = EXTERNAL,
        once_key: str | None = None,
    ) -> list[str]:
        """Store passages in one transaction (all or nothing), embedding them in one batch.

        ``once_key`` makes the call idempotent: the records get ids derived from it, and a
        second call with the same key (a tool call re-run after a crash) returns them
        instead of storing the passages again.

        Passages that share a ``thread_id`` and ``created_at`` (an imported session, a
        document's chunks) form a sequence: each is indexed with its neighbours as context
        (``search/indexing.py``). ``vectors`` (shape (n, dims)) skips the embedder and is stored
        as given, e.g. for benchmarks with precomputed vectors. With ``dedupe`` a text equal
        to a current record after folding case, whitespace and punctuation is not stored
        again: its position gets the existing record's id. ``trust``: where the texts came
        from; every text but an operator's is scanned by the memory poisoning guard and stored
        with its flag (the ``on_write`` guard the facade wires).
        """
        return [
            stored.id
            for stored in self.insert_many_detailed(
                texts,
                user_id=user_id,
                agent_id=agent_id,
                tags=tags,
                metadatas=metadatas,
                vectors=vectors,
                dedupe=dedupe,
                trust=trust,
                once_key=once_key,
            )
        ]

    def insert_many_detailed(
        self,
        texts: Sequence[str],
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        tags: Sequence[str] | None = None,
        metadatas: Sequence[Mapping[str, Any] | None] | None = None,
        vectors: Any = None,
        dedupe: bool = True,
        trust: str = EXTERNAL,
        once_key: str | None = None,
    ) -> list[Stored]:
        """:meth:`insert_many`, saying for each text whether it was a duplicate."""
        trust = check_trust(trust)
        if isinstance(texts, str) or not isinstance(texts, Sequence):
            raise MemoryStoreError("texts must be a list of strings.")
        if not texts:
            return []
        if len(texts) > MAX_BATCH:
            raise MemoryStoreError(f"at most {MAX_BATCH} texts per call, got {len(texts)}.")
        if metadatas is not None and len(metadatas) != len(texts):
            raise MemoryStoreError(
                f"metadatas has {len(metadatas)} entries for {len(texts)} texts; pass one each."
            )
        tag_list = check_tags(tags)
        rows = [
            self._row(text, tag_list, None if metadatas is None else metadatas[i])
            for i, text in enumerate(texts)
        ]
        ns = self._db.write_namespace(agent_id, user_id)
        if once_key is not None:
            for i, row in enumerate(rows):
                row.uid = str(uuid.uuid5(_ONCE_IDS, f"{ns}:{once_key}:{i}"))
            if any(self._backend.by_uid(ns, row.uid) is not None for row in rows):
                # stored by an earlier run of this call (its duplicates dedupe the same way)
                return [Stored(row.uid) for row in rows]
        array: np.ndarray | None = None
        if vectors is not None:
            try:
                array = np.asarray(vectors, dtype=np.float32)
            except (TypeError, ValueError) as exc:
                raise MemoryStoreError(f"vectors must be numeric: {exc}.") from exc
            if array.ndim != 2 or array.shape[0] != len(texts):
                raise MemoryStoreError(
                    f"vectors must have shape ({len(texts)}, dims), got {array.shape}."
                )
            array = self._check_dim(array, "vectors")
        results: list[Stored | None] = [None] * len(rows)
        if dedupe:
            keep = self._dedupe(ns, rows, results)
            rows = [rows[i] for i in keep]
            if array is not None:
                array = array[keep]
        for row in rows:
            row.trust, row.guard = trust, self._on_write(row.text, trust)
        if rows:
            self._store(ns, rows, array)
        fresh = iter(rows)
        return [r if r is not None else Stored(next(fresh).uid) for r in results]

    def _dedupe(self, ns: int, rows: list[ArchivalRow], results: list[Stored | None]) -> list[int]:
        """Fill ``results`` for rows equal to a current record (or to an earlier row of the
        batch); returns the positions still to store. A restatement is logged in the
        existing record's history with the new statement's citation."""
        keys = [norm_key(row.text) for row in rows]
        with self._db.read() as conn:
            existing = Validity.current_by_key(conn, ns, keys)
        first: dict[str, int] = {}
        keep: list[int] = []
        restated: list[tuple[str, ArchivalRow]] = []
        for i, key in enumerate(keys):
            if key in existing:
                results[i] = Stored(existing[key], duplicate=True)
                restated.append((existing[key], rows[i]))
            elif key in first:
                results[i] = Stored(rows[first[key]].uid, duplicate=True)
            else:
                first[key] = i
                keep.append(i)
        if restated:
            with self._db.transaction() as conn:
                for uid, row in restated:
                    where = ", ".join(
                        f"{name} {value}"
                        for name, value in (("thread", row.thread_id), ("turn", row.turn))
                        if value is not None
                    )
                    Validity.log(conn, ns, uid, "restate", reason=where or row.created_at)
        return keep

    def _store(self, ns: int, rows: list[ArchivalRow], array: np.ndarray | None) -> None:
        """Index each row with the context its citation supplies (``search.indexing``): the
        records around it in its thread (those stored by earlier calls too) or its batch, a
        document chunk's heading, its date. The thread's last stored records are indexed
        again with the new ones as their following context, as recall does."""
        texts = [row.text for row in rows]
        embed_as = list(texts)
        reindex: list[tuple[int, list[tuple[str, float]]]] = []
        for group in sequences(
            [sequence_key(row.thread_id, row.source, row.created_at) for row in rows]
        ):
            thread = rows[group[0]].thread_id
            stored = (
                []
                if thread is None
                else self._backend.thread_tail(ns, thread, WINDOW + RECALL_AFTER)
            )
            seq = [text for _, text, _ in stored] + [texts[p] for p in group]
            order = list(range(len(seq)))
            for i, position in enumerate(group, start=len(stored)):
                before, after = neighbours(seq, order, i)
                row = rows[position]
                row.fields = context_fields(
                    row.text, row.created_at, before, after, extra=_headings(row.extra)
                )
                embed_as[position] = embedding_text(
                    row.text, before[-1] if before else None, after[0] if after else None
                )
            for j in range(max(0, len(stored) - RECALL_AFTER), len(stored)):
                before, after = neighbours(seq, order, j, after_window=RECALL_AFTER)
                rid, text, created_at = stored[j]
                reindex.append((rid, context_fields(text, created_at, before, after)))
        if array is None and self.embeddings is not None:
            array = self.embed_texts(embed_as)
        self._backend.insert(ns, rows, array, reindex=reindex)


def _headings(extra: str) -> tuple[str, ...]:
    """A document chunk's section heading (``io.ingest`` metadata), as context."""
    if '"heading"' not in extra:
        return ()
    heading = json.loads(extra).get("heading")
    return (heading,) if isinstance(heading, str) and heading else ()
