"""Deterministic stand-ins for tests and offline demos (no model, no network).

``HashEmbeddings`` maps each word to a fixed pseudo-random direction and sums them, so texts
sharing words get similar vectors: enough semantics to test dense search end to end in
milliseconds, and stable across processes (no Python ``hash`` randomisation).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import uuid
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

_WORD = re.compile(r"\w+")


class HashEmbeddings(Embeddings):
    """Bag-of-words embeddings from hashed words; L2-normalised; ``dim`` dimensions."""

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.model = f"hash-{dim}"
        self.calls = 0

    def _word(self, word: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:8], "little")
        return np.random.default_rng(seed).standard_normal(self.dim)

    def _embed(self, text: str) -> list[float]:
        vector = np.zeros(self.dim)
        for word in _WORD.findall(text.lower()):
            vector += self._word(word)
        norm = float(np.linalg.norm(vector))
        if norm == 0:
            vector[0] = 1.0
            norm = 1.0
        return [float(v) for v in vector / norm]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        return [self._embed(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._embed(text)


def sql_row(memory: Any, sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...]:
    """One row of a read on a store's own connection, whichever its backend (for tests that
    look under the API, e.g. at the lexical index)."""
    with memory._db.read() as conn:
        return tuple(conn.execute(sql, params).fetchone())


# -- a Postgres server for tests and benchmarks ----------------------------------------------
_POSTGRES_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "postgres.sh"


def find_postgres(*, start: bool = False) -> tuple[str | None, str]:
    """The test server's URL (``MEMGPT_TEST_DATABASE_URL``, else the throwaway server of
    ``scripts/postgres.sh``, started first if ``start``), or None and why there is none.
    pgvector is created in ``public`` so every test schema finds it on its search path."""
    url = os.environ.get("MEMGPT_TEST_DATABASE_URL", "")
    if not url and _POSTGRES_SCRIPT.is_file():
        probe = subprocess.run(
            ["bash", str(_POSTGRES_SCRIPT), "start" if start else "url"],
            capture_output=True,
            text=True,
            check=False,
        )
        url = probe.stdout.strip()
    try:
        import psycopg

        with psycopg.connect(url, autocommit=True, connect_timeout=3) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector SCHEMA public")
    except Exception as exc:  # no driver, no server, no pgvector
        return None, (
            f"no PostgreSQL test server ({type(exc).__name__}: {str(exc).strip()[:200]}); "
            "run `bash scripts/postgres.sh start` or set MEMGPT_TEST_DATABASE_URL"
        )
    return url, ""


def with_schema(url: str, schema: str) -> str:
    """``url`` with every connection's search path set to ``schema`` (then pgvector's public)."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema},public"


class Schemas:
    """Fresh schemas on one server, each a separate empty store, dropped together."""

    def __init__(self, server: str, prefix: str = "test") -> None:
        self.server = server
        self.prefix = prefix
        self.names: list[str] = []

    def new(self, name: str = "m") -> str:
        """The URL of a new, empty schema."""
        import psycopg

        schema = f"{self.prefix}_{name}_{uuid.uuid4().hex[:10]}".lower().replace("-", "_")
        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        self.names.append(schema)
        return with_schema(self.server, schema)

    def drop_all(self) -> None:
        if not self.names:
            return
        import psycopg

        with psycopg.connect(self.server, autocommit=True) as conn:
            for schema in self.names:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        self.names.clear()
