"""Vectors already computed, by a hash of (embedding model, exact text): a persistent cache.

Recall messages, archival records, ingested documents and re-embedding all go through
``ArchivalBase.embed_texts``, which asks this cache first, so a text is run through the model
once per store: a restated message, a re-ingested document, a reindex, or a neighbour's vector
that a recall message's dense context reuses (``search.indexing.mix_context``) is a lookup.

Storage: the table ``embedding_cache`` of the store's own database (SQLite or Postgres), created
on first use. A row holds the key (16-byte BLAKE2b of the model identity and the text: the text
itself is not kept), the vector (float32 bytes on SQLite, ``halfvec`` on Postgres), and ``used``, the time (ms) it was last written or read
from the table. In front of it, an in-process LRU of ``memory_entries`` vectors saves the round
trip for the texts a turn touches again (its neighbours).

Eviction: the table holds at most ``max_entries`` rows. When a write takes it over that, the
least recently used rows (smallest ``used``) are deleted down to 90% of it, in the same
transaction, so eviction runs once per ``max_entries / 10`` new vectors, not per write. The
count is this process's estimate (read at first use, then kept): several processes writing one
Postgres store may overshoot the bound by what the others added until one of them next evicts.

Thread safety: the LRU has its own lock; table access goes through the database's own
``read``/``transaction``, which both engines make safe across threads.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from langgraph_memgpt.memory.backends.database import MemoryDatabase
from langgraph_memgpt.memory.backends.halfvec import as_vector

logger = logging.getLogger(__name__)

DEFAULT_MAX_ENTRIES = 50_000  # 384-dim float32 vectors: about 80 MB of table at most
MEMORY_ENTRIES = 2_048
ENV_VAR = "MEMGPT_EMBEDDING_CACHE"  # max rows; 0 turns the cache off
_CHUNK = 500  # keys per IN (...) lookup

_SQLITE_TABLE = (
    "CREATE TABLE IF NOT EXISTS embedding_cache "
    "(key BLOB PRIMARY KEY, vector BLOB NOT NULL, used INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS embedding_cache_used ON embedding_cache (used)",
)
#: On Postgres the vectors are ``halfvec`` (schema 4, ``halfvec.py``): they are the vectors
#: recall and archival rows store, which are ``halfvec`` there too.
POSTGRES_TABLE = (
    "CREATE TABLE IF NOT EXISTS embedding_cache "
    "(key BYTEA PRIMARY KEY, vector HALFVEC NOT NULL, used BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS embedding_cache_used ON embedding_cache (used)",
)


def cache_key(model: str, text: str) -> bytes:
    """The row key of a text embedded by a model (16 bytes of BLAKE2b)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(model.encode("utf-8", "surrogatepass"))
    digest.update(b"\x00")
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.digest()


def max_entries_from_env(default: int = DEFAULT_MAX_ENTRIES) -> int:
    """``MEMGPT_EMBEDDING_CACHE`` (rows, 0 = off) if set to a number, else ``default``."""
    raw = os.environ.get(ENV_VAR, "").strip()
    return int(raw) if raw.isdigit() else default


class EmbeddingCache:
    """Vectors by (model, text) in the store's database, with an in-process LRU in front."""

    def __init__(
        self,
        db: MemoryDatabase,
        *,
        postgres: bool,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        memory_entries: int = MEMORY_ENTRIES,
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1 (use no cache to turn it off)")
        self._db = db
        self._ddl = POSTGRES_TABLE if postgres else _SQLITE_TABLE
        #: Vectors kept at half precision (Postgres): a computed vector is rounded as the
        #: table will round it, so a text's vector is the same whether it was computed or read.
        self.halfvec = postgres
        self.max_entries = max_entries
        self._memory: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._memory_entries = memory_entries
        self._lock = threading.Lock()
        self._ready = False
        self._count = 0
        self._clock = 0
        #: Texts served from the cache / embedded by the model since this object was made.
        self.hits = 0
        self.misses = 0

    # -- the table -----------------------------------------------------------------------
    def _ensure(self) -> None:
        """Create the table on first use (stores made before it existed get it then)."""
        if self._ready:
            return
        with self._db.transaction() as conn:
            for statement in self._ddl:
                conn.execute(statement)
            (count,) = conn.execute("SELECT count(*) FROM embedding_cache").fetchone()
        with self._lock:
            self._count = int(count)
            self._ready = True

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        """The cached vectors among ``keys`` (memory first, then the table)."""
        found: dict[bytes, np.ndarray] = {}
        with self._lock:
            for key in keys:
                vector = self._memory.get(key)
                if vector is not None:
                    self._memory.move_to_end(key)
                    found[key] = vector
        wanted = [key for key in dict.fromkeys(keys) if key not in found]
        if wanted:
            self._ensure()
            from_table = self._read(wanted)
            if from_table:
                self._remember(from_table)
                found.update(from_table)
        return found

    def _read(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        rows: list[Any] = []
        with self._db.read() as conn:
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows += conn.execute(
                    f"SELECT key, vector FROM embedding_cache WHERE key IN ({marks})", chunk
                ).fetchall()
        found = {bytes(key): as_vector(value) for key, value in rows}
        if found:  # a read counts as a use: what is read stays longest
            with self._db.transaction() as conn:
                conn.executemany(
                    "UPDATE embedding_cache SET used=? WHERE key=?",
                    [(self._tick(), key) for key in found],
                )
        return found

    def put_many(self, items: dict[bytes, np.ndarray]) -> None:
        """Store new vectors; evicts the least recently used rows past ``max_entries``."""
        if not items:
            return
        self._ensure()
        self._remember(items)
        now = self._tick()
        with self._db.transaction() as conn:
            conn.executemany(
                "INSERT INTO embedding_cache(key, vector, used) VALUES (?,?,?) "
                "ON CONFLICT(key) DO UPDATE SET used=excluded.used",
                [(key, self._encode(v), now) for key, v in items.items()],
            )
            with self._lock:
                self._count += len(items)
                over = self._count > self.max_entries
            if over:
                (count,) = conn.execute("SELECT count(*) FROM embedding_cache").fetchone()
                excess = int(count) - int(self.max_entries * 0.9)
                if excess > 0:
                    conn.execute(
                        "DELETE FROM embedding_cache WHERE key IN "
                        "(SELECT key FROM embedding_cache ORDER BY used, key LIMIT ?)",
                        (excess,),
                    )
                with self._lock:
                    self._count = int(count) - max(excess, 0)

    def stored_form(self, vectors: np.ndarray) -> np.ndarray:
        """``vectors`` (float32) as a read from the table returns them."""
        if not self.halfvec:
            return vectors
        return vectors.astype(np.float16).astype(np.float32)

    def _encode(self, vector: np.ndarray) -> Any:
        """A float32 vector as the table stores it: bytes on SQLite; on Postgres pgvector's
        ``vector`` parameter, which the ``halfvec`` column casts."""
        vector = np.asarray(vector, dtype=np.float32)
        return vector if self.halfvec else vector.tobytes()

    def _tick(self) -> int:
        """Milliseconds since the epoch, strictly increasing within the process (so the
        order of uses in one millisecond is kept)."""
        with self._lock:
            self._clock = max(self._clock + 1, int(time.time() * 1000))
            return self._clock

    def _remember(self, items: dict[bytes, np.ndarray]) -> None:
        with self._lock:
            for key, vector in items.items():
                self._memory[key] = vector
                self._memory.move_to_end(key)
            while len(self._memory) > self._memory_entries:
                self._memory.popitem(last=False)

    def __len__(self) -> int:
        """Rows in the table now."""
        self._ensure()
        with self._db.read() as conn:
            (count,) = conn.execute("SELECT count(*) FROM embedding_cache").fetchone()
        return int(count)

    def clear(self) -> None:
        """Forget every cached vector (the table's rows and the in-process copies)."""
        self._ensure()
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM embedding_cache")
        with self._lock:
            self._memory.clear()
            self._count = 0

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0


def embed_cached(
    cache: EmbeddingCache | None,
    model: str,
    texts: Sequence[str],
    embed: Any,
) -> np.ndarray:
    """``embed(texts)`` as float32 (n, dims), running the model only on texts not cached (each
    distinct text once, in one call) and caching what it computed."""
    if cache is None:
        return np.asarray(embed(list(texts)), dtype=np.float32).reshape(len(texts), -1)
    keys = [cache_key(model, text) for text in texts]
    try:
        found = cache.get_many(keys)
    except Exception as exc:  # a cache never fails an embedding: it only saves work
        logger.warning("embedding cache not read (%s); embedding every text", exc)
        found = {}
    missing: dict[bytes, str] = {}
    for key, text in zip(keys, texts, strict=True):
        if key not in found:
            missing.setdefault(key, text)
    with cache._lock:
        cache.hits += len(texts) - len(missing)
        cache.misses += len(missing)
    if missing:
        raw = embed(list(missing.values()))
        computed = np.asarray(raw, dtype=np.float32).reshape(len(missing), -1)
        computed = cache.stored_form(computed)
        new = dict(zip(missing, computed, strict=True))
        if len(np.unique([v.shape[0] for v in (*found.values(), *new.values())])) > 1:
            cache.clear()  # another model under the same name: trust only fresh vectors
            return embed_cached(None, model, texts, embed)
        try:
            cache.put_many(new)
        except Exception as exc:
            logger.warning("embedding cache not written (%s)", exc)
        found.update(new)
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([found[key] for key in keys]).astype(np.float32, copy=False)
