"""Opening the data directory a command names, with one clear line when it cannot be used.

A typo in ``--data-dir`` must not create an empty store (reading commands refuse a directory
that holds none) and a directory that cannot be used (read-only, a file in its path, a parent
that cannot be created) must say so in one line, not in a chained traceback: the command line
catches :class:`CliError` and exits with code 2.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langgraph_memgpt.memory import Memory

#: The file that makes a directory a memory store (``memory.memory.DB_FILE``).
STORE_FILE = "memory.sqlite"


class CliError(Exception):
    """A command that cannot go on; the message is the one line the user sees (exit code 2)."""


class DataDirError(CliError):
    """A data directory the command cannot use."""


def _blocking_file(path: Path) -> Path | None:
    """The first component of ``path`` that exists but is not a directory, if any."""
    for candidate in [*reversed(path.parents), path]:
        if candidate.exists() and not candidate.is_dir():
            return candidate
    return None


def check_writable(path: Path) -> None:
    """Refuse, in one line, a directory that cannot hold a store (before anything is created).

    Checked up front because the failures come late and deep otherwise: ``mkdir`` of a
    missing parent, SQLite's ``unable to open database file`` or ``readonly database``.
    """
    blocker = _blocking_file(path)
    if blocker == path:
        raise DataDirError(f"data directory {path} is a file, not a directory")
    if blocker is not None:
        raise DataDirError(f"cannot use data directory {path}: {blocker} is a file")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not os.access(existing, os.W_OK | os.X_OK):
        if existing == path:
            raise DataDirError(f"data directory {path} is not writable")
        raise DataDirError(f"cannot create data directory {path}: {existing} is not writable")
    for name in (STORE_FILE, "checkpoints.sqlite"):
        file = path / name
        if file.exists() and not os.access(file, os.W_OK):
            raise DataDirError(f"data directory {path} is not writable ({file} is read-only)")


def check_store(path: Path) -> None:
    """Refuse a directory that holds no memory store (reading commands never create one)."""
    blocker = _blocking_file(path)
    if blocker == path:
        raise DataDirError(f"data directory {path} is a file, not a directory")
    if blocker is not None:
        raise DataDirError(f"cannot use data directory {path}: {blocker} is a file")
    if not (path / STORE_FILE).is_file():
        where = "does not exist" if not path.exists() else f"holds no memory store ({STORE_FILE})"
        raise DataDirError(
            f"data directory {path} {where}; check --data-dir (`chat` and `demo` create one)"
        )
    if not os.access(path, os.W_OK) or not os.access(path / STORE_FILE, os.W_OK):
        # SQLite in WAL mode writes its -shm/-wal files even to read.
        raise DataDirError(f"data directory {path} is not writable (SQLite needs it to read)")


def is_database_url(location: str | Path) -> bool:
    """A ``postgresql://`` URL: a database, not a directory to check."""
    from langgraph_memgpt.memory.backends.postgres_db import is_postgres_url

    return is_postgres_url(str(location)) if isinstance(location, str) else False


def open_memory(location: str | Path, *, create: bool) -> Memory:
    """``Memory.open`` for a command: a directory checked first, and any failure as one line.

    A ``postgresql://`` URL is passed through to ``Memory.open`` (the database decides).
    """
    from langgraph_memgpt.memory import Memory, MemoryStoreError

    if is_database_url(location):
        from langgraph_memgpt.memory.backends.postgres_db import redact

        try:
            return Memory.open(str(location))
        except (MemoryStoreError, OSError) as exc:
            where = redact(str(location))
            raise DataDirError(f"cannot open the memory store at {where}: {exc}") from None
    path = Path(location)
    if create:
        check_writable(path)
    else:
        check_store(path)
    try:
        return Memory.open(path)
    except (MemoryStoreError, OSError, sqlite3.Error) as exc:
        raise DataDirError(f"cannot open the memory store in {path}: {exc}") from None


def known_users(path: Path) -> list[tuple[str, str]]:
    """(user, agent) pairs that have anything stored in ``path``, read without writing.

    Read straight from the store's ``namespaces`` table: the command line only opens the
    embedded SQLite directory, and this is only used to say which users a typo missed.
    """
    uri = f"{(path / STORE_FILE).resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            rows = conn.execute(
                "SELECT user_id, agent_id FROM namespaces ORDER BY user_id, agent_id"
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return []
    return [(str(user), str(agent)) for user, agent in rows]
