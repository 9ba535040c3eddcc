"""Opening the data directory a command names, with one clear line when it cannot be used.

A typo in ``--data-dir`` must not create an empty store (reading commands refuse a directory
that holds none) and a directory that cannot be used (read-only, a file in its path, a parent
that cannot be created) must say so in one line, not in a chained traceback: the command line
catches :class:`CliError` and exits with code 2.
"""

from __future__ import annotations

import os
import sqlite3
import sys
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


class NoStoreError(DataDirError):
    """A reading command found no store at the location (and created none)."""


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


def check_store(path: Path, *, read_only: bool = False) -> None:
    """Refuse a directory that holds no memory store (reading commands never create one), or
    one that is not writable unless the command only reads (``read_only``)."""
    blocker = _blocking_file(path)
    if blocker == path:
        raise DataDirError(f"data directory {path} is a file, not a directory")
    if blocker is not None:
        raise DataDirError(f"cannot use data directory {path}: {blocker} is a file")
    if not (path / STORE_FILE).is_file():
        where = "does not exist" if not path.exists() else f"holds no memory store ({STORE_FILE})"
        raise NoStoreError(
            f"data directory {path} {where}; check --data-dir (`chat` and `demo` create one)"
        )
    if read_only:
        if not os.access(path / STORE_FILE, os.R_OK):
            raise DataDirError(f"cannot read the memory store {path / STORE_FILE}")
        return
    if not os.access(path, os.W_OK) or not os.access(path / STORE_FILE, os.W_OK):
        raise DataDirError(f"data directory {path} is not writable")


def is_database_url(location: str | Path) -> bool:
    """A ``postgresql://`` URL: a database, not a directory to check."""
    from langgraph_memgpt.memory.backends.postgres_db import is_postgres_url

    return is_postgres_url(str(location)) if isinstance(location, str) else False


def store_location(value: str | Path) -> str | Path:
    """What a ``--data-dir`` value names: a ``postgresql://`` URL (kept as text) or a directory.

    Every command reads ``--data-dir`` through this one function, so a URL is never taken
    for a directory name (which would write SQLite files under ``./postgresql:/...``).
    """
    text = str(value)
    if is_database_url(text):
        return text
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise DataDirError(
            f"--data-dir {scheme}://... is not supported; give a directory or a postgresql:// URL"
        )
    return Path(text).expanduser()


def describe(location: str | Path) -> str:
    """A store location as printed to the user: the full directory path, or the URL without
    its password."""
    location = store_location(location)
    if isinstance(location, str):
        from langgraph_memgpt.memory.backends.postgres_db import redact

        return redact(location)
    return str(Path(location).resolve())


def open_creating(value: str | Path) -> tuple[Memory, str]:
    """``open_memory(create=True)`` for a command that serves a store, with the location as
    printed to the user: marked new when this call created the directory, so a mistyped
    ``--data-dir`` does not pass for an agent that forgot everything."""
    location = store_location(value)
    new_directory = isinstance(location, Path) and not location.exists()
    memory = open_memory(location, create=True)
    where = describe(location)
    return memory, f"{where} (new and empty: created now)" if new_directory else where


def open_memory(value: str | Path, *, create: bool, read_only: bool = False) -> Memory:
    """``Memory.open`` for a command: the location read by :func:`store_location`, a directory
    checked first, and any failure as one line. ``create=False`` opens an existing store only:
    a database without our tables is refused, never given a schema. ``read_only`` (a command
    that only reads) opens a directory that is not writable (a read-only mount) with SQLite's
    ``mode=ro``, and stderr says so. A writable one is opened as usual: a search there may
    store the vectors of records that had none yet, which a read-only open would compute
    again on every search."""
    from langgraph_memgpt.memory import Memory, MemoryStoreError, StoreNotFoundError

    location = store_location(value)
    if isinstance(location, str):
        where = describe(location)
        try:
            return Memory.open(location, create=create)
        except StoreNotFoundError as exc:
            raise NoStoreError(f"{exc}; check --data-dir") from None
        except (MemoryStoreError, OSError) as exc:
            raise DataDirError(_cannot_open(f"the memory store at {where}", exc)) from None
    if create:
        check_writable(location)
    else:
        check_store(location, read_only=read_only)
    read_only = read_only and not os.access(location, os.W_OK)
    if read_only:
        print(
            f"({location} is not writable: the store is opened read-only)",
            file=sys.stderr,
            flush=True,
        )
    try:
        return Memory.open(location, create=create, read_only=read_only)
    except (MemoryStoreError, OSError, sqlite3.Error) as exc:
        raise DataDirError(_cannot_open(f"the memory store in {location}", exc)) from None


def _cannot_open(what: str, exc: BaseException) -> str:
    """``cannot open WHAT: why``, unless the store's own message already says so (it names
    the store itself): the line says it once, not "cannot open ...: cannot open ..."."""
    why = str(exc)
    return why if why.startswith("cannot open") else f"cannot open {what}: {why}"


def unknown_user_message(memory: Memory, user: str, agent: str) -> str:
    """What to say when (user, agent) has nothing stored: the users that do, so a wrong
    ``--user`` does not look like an empty memory."""
    where = memory.location
    pairs = memory.users()
    if not pairs:
        return f"nothing is stored in {where} yet"
    names = ", ".join(u if a == agent else f"{u} (agent {a})" for u, a in pairs)
    return f"no memory for user {user!r} (agent {agent!r}) in {where}; users there: {names}"
