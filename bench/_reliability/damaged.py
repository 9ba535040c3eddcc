"""Damaged files: each case breaks a local store one way, then opens it again.

A case passes when the store is either recovered without loss (every record acknowledged before
the damage is there, searchable, and the FAISS index holds exactly SQLite's vectors) or refused
with a clear message (a ``MemoryStoreError`` that says what is wrong), and in both cases the
database is never half-written (``PRAGMA integrity_check`` is ``ok`` and a refused store is
byte-for-byte what it was). The read-only directory and the full disk use a small tmpfs
mount (the benchmark runs as root); without ``mount`` those two cases are skipped and said so.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench._reliability.common import Outcome

USER = "u-damage"
RECORDS = 40


def _memory(path: Path) -> Any:
    from langgraph_memgpt import Memory
    from langgraph_memgpt.memory.testing import HashEmbeddings

    return Memory.open(path, embeddings=HashEmbeddings(32))


def _fill(path: Path, count: int = RECORDS) -> list[str]:
    with _memory(path) as memory:
        ids = [
            memory.archival.insert(
                f"Passage {i}: the key number {i} is in drawer {i % 7}.", user_id=USER
            )
            for i in range(count)
        ]
        memory.recall.append(
            "user", "Hello, I keep my keys in a drawer.", user_id=USER, thread_id="t"
        )
    return ids


def _digest(path: Path) -> str:
    return hashlib.sha256((path / "memory.sqlite").read_bytes()).hexdigest()


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(f"file:{path / 'memory.sqlite'}?mode=ro", uri=True)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def _check_recovered(path: Path, ids: list[str], case: str, outcome: Outcome) -> None:
    """Every acknowledged record present and findable; FAISS agrees with SQLite."""
    with _memory(path) as memory:
        for record in ids:
            try:
                hit = memory.archival.get(record, user_id=USER)
            except Exception as exc:
                outcome.lose(f"{case}: record {record} lost ({exc})")
                continue
            found = memory.archival.search(hit.text, user_id=USER, mode="dense", k=1)
            if not found or found[0].id != record:
                outcome.lose(f"{case}: record {record} not found by its own vector")
        ns = memory._db.namespace("default", USER, create=False)
        index = memory._backend.index(ns)
        with memory._db.read() as conn:
            truth = {
                r[0]
                for r in conn.execute(
                    "SELECT id FROM archival WHERE ns=? AND vector IS NOT NULL", (ns,)
                )
            }
        if index is None or {int(i) for i in index.ids()} != truth:
            outcome.lose(f"{case}: the FAISS index does not hold SQLite's vectors")
    if _integrity(path) != "ok":
        outcome.lose(f"{case}: integrity_check failed")


def _faiss_files(path: Path) -> list[Path]:
    return sorted((path / "faiss").glob("*.faiss"))


def case_truncated_faiss(path: Path, outcome: Outcome) -> str:
    ids = _fill(path)
    for file in _faiss_files(path):
        data = file.read_bytes()
        file.write_bytes(data[: len(data) // 2])
    _check_recovered(path, ids, "truncated FAISS file", outcome)
    return "recovered: index rebuilt from SQLite"


def case_garbage_faiss(path: Path, outcome: Outcome) -> str:
    ids = _fill(path)
    for file in _faiss_files(path):
        file.write_bytes(os.urandom(file.stat().st_size))
    _check_recovered(path, ids, "garbage FAISS file", outcome)
    return "recovered: index rebuilt from SQLite"


def case_deleted_index_dir(path: Path, outcome: Outcome) -> str:
    ids = _fill(path)
    shutil.rmtree(path / "faiss")
    _check_recovered(path, ids, "deleted index directory", outcome)
    return "recovered: index rebuilt from SQLite"


def case_newer_schema(path: Path, outcome: Outcome) -> str:
    from langgraph_memgpt import MemoryStoreError

    _fill(path)
    conn = sqlite3.connect(path / "memory.sqlite")
    with conn:
        conn.execute("UPDATE meta SET value='999' WHERE key='schema_version'")
    conn.close()
    before = _digest(path)
    try:
        _memory(path).close()
    except MemoryStoreError as exc:
        message = str(exc)
    else:
        outcome.lose("newer schema: a store of schema 999 was opened")
        return "opened (wrong)"
    if _digest(path) != before:
        outcome.lose("newer schema: the refused database file was changed")
    if "newer" not in message:
        outcome.lose(f"newer schema: unclear refusal: {message}")
    return f"refused: {message}"


@contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        for _ in range(20):
            if subprocess.run(["umount", str(where)], capture_output=True).returncode == 0:
                break
            time.sleep(0.2)
        else:  # a file still open: detach it anyway rather than leave a mount behind
            subprocess.run(["umount", "-l", str(where)], check=False)


def can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


def case_read_only_dir(path: Path, outcome: Outcome) -> str:
    from langgraph_memgpt import MemoryStoreError

    with tmpfs(path, "64m") as mount:
        store = mount / "store"
        ids = _fill(store)
        before = _digest(store)
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        try:
            try:
                memory = _memory(store)
            except MemoryStoreError as exc:
                result = f"refused: {exc}"
            else:
                with memory:
                    hits = memory.archival.search("key number 3", user_id=USER, k=3)
                    if not hits:
                        outcome.lose("read-only directory: opened, but search found nothing")
                    try:
                        memory.archival.insert("a new passage", user_id=USER)
                    except MemoryStoreError as exc:
                        result = f"opened read-only; a write is refused: {exc}"
                    else:
                        outcome.lose("read-only directory: a write was acknowledged")
                        result = "a write was acknowledged (wrong)"
        except Exception as exc:
            outcome.lose(f"read-only directory: unclear failure {exc!r}")
            result = f"failed: {exc!r}"
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(mount)], check=True)
        if _digest(store) != before:
            outcome.lose("read-only directory: the database changed")
        _check_recovered(store, ids, "read-only directory", outcome)
    return result


def case_full_disk(path: Path, outcome: Outcome) -> str:
    from langgraph_memgpt import MemoryStoreError

    acknowledged: list[str] = []
    with tmpfs(path, "3m") as mount:
        store = mount / "store"
        refusal = ""
        memory = _memory(store)
        try:
            for i in range(100_000):
                try:
                    acknowledged.append(
                        memory.archival.insert(
                            f"Filler passage {i}: " + "lorem ipsum dolor " * 20, user_id=USER
                        )
                    )
                except MemoryStoreError as exc:
                    refusal = str(exc)
                    break
                except Exception as exc:
                    outcome.lose(f"full disk: unclear failure {exc!r}")
                    refusal = repr(exc)
                    break
        finally:
            try:
                memory.close()
            except Exception as exc:  # saving the index may fail too: it is a cache
                outcome.checks["full_disk_close"] = repr(exc)[:200]
        outcome.checks["full_disk_acknowledged"] = len(acknowledged)
        if not refusal:
            outcome.lose("full disk: the disk never filled")
        # room again (what an operator does), then everything acknowledged must be there
        subprocess.run(["mount", "-o", "remount,size=64m", str(mount)], check=True)
        _check_recovered(store, acknowledged, "full disk", outcome)
    return f"refused: {refusal}"


CASES: dict[str, Callable[[Path, Outcome], str]] = {
    "truncated FAISS file": case_truncated_faiss,
    "garbage FAISS file": case_garbage_faiss,
    "deleted index directory": case_deleted_index_dir,
    "SQLite file from a newer schema": case_newer_schema,
    "read-only data directory": case_read_only_dir,
    "full disk (3 MB tmpfs)": case_full_disk,
}
MOUNTED = {"read-only data directory", "full disk (3 MB tmpfs)"}


def run(tmp: Path, *, backend: str = "sqlite") -> Outcome:
    outcome = Outcome(
        scenario="damaged files",
        backend=backend,
        load=f"{len(CASES)} cases, {RECORDS} records each",
    )
    start = time.perf_counter()
    results: dict[str, str] = {}
    for i, (name, case) in enumerate(CASES.items()):
        if name in MOUNTED and not can_mount():
            results[name] = "skipped: needs root and mount"
            continue
        losses = outcome.losses
        results[name] = case(tmp / f"case{i}", outcome)[:300]
        if outcome.losses > losses:
            results[name] += f" [{outcome.losses - losses} losses]"
    outcome.faults = {name: 1 for name in results if not results[name].startswith("skipped")}
    outcome.checks["cases"] = results
    outcome.duration_s = round(time.perf_counter() - start, 2)
    return outcome
