"""What the memory tiers need from a database, whichever engine holds it.

The tiers (``core.py``, ``recall.py``, ``archival.py``) and the lexical index write one SQL
dialect: ``?`` parameters, ``INSERT ... ON CONFLICT``, ``RETURNING``, no engine-specific
functions. Two classes implement this protocol: ``sqlite_db.Database`` (one local file) and
``postgres_db.PostgresDatabase`` (a connection pool; it translates the parameters), so every
behaviour of the tiers is written once and tested on both engines.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...
    def executemany(self, sql: str, rows: Any) -> Any: ...


class MemoryDatabase(Protocol):
    """One store's database: reads, all-or-nothing write transactions and namespaces."""

    #: Appended to a ``SELECT`` that reads rows it is about to update, inside a transaction:
    #: ``" FOR UPDATE"`` on Postgres; empty on SQLite, whose write transactions lock the file.
    row_lock: str

    @property
    def location(self) -> str:
        """Where the store lives, for messages (a directory, or a URL without its password)."""
        ...

    @property
    def closed(self) -> bool: ...

    def check_open(self) -> None: ...
    def read(self) -> AbstractContextManager[Any]: ...
    def transaction(self) -> AbstractContextManager[Any]: ...
    def namespace(self, agent_id: str, user_id: str, *, create: bool) -> int | None: ...
    def write_namespace(self, agent_id: str, user_id: str) -> int: ...
    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...
    def close(self) -> None: ...
