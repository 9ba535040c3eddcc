"""The disk under a local store fails: a read-only directory, a full disk (found by the
reliability campaign, ``bench/reliability.py``).

Each is refused with a ``MemoryStoreError`` that says what is wrong, instead of a bare
``sqlite3.OperationalError``, and nothing acknowledged before is lost. Both use a small tmpfs
mount, so they run as root (as CI does) and skip elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from langgraph_memgpt import Memory, MemoryStoreError
from langgraph_memgpt.memory.testing import HashEmbeddings


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a small tmpfs")
    where = tmp_path / "mnt"
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(where)])
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _remount(where: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(where)], check=True)


def test_a_read_only_directory_is_refused_with_a_clear_message(mount: Path) -> None:
    store = mount / "store"
    with Memory.open(store, embeddings=HashEmbeddings(16)) as memory:
        record = memory.archival.insert("The boat leaves at 9", user_id="u1")
    _remount(mount, "ro")
    try:
        with pytest.raises(MemoryStoreError, match=r"cannot open the memory database .*read-only"):
            Memory.open(store, embeddings=HashEmbeddings(16))
    finally:
        _remount(mount, "rw")
    with Memory.open(store, embeddings=HashEmbeddings(16)) as memory:
        assert memory.archival.get(record, user_id="u1").text == "The boat leaves at 9"


def test_a_full_disk_refuses_the_write_and_keeps_every_acknowledged_one(mount: Path) -> None:
    store = mount / "store"
    stored: list[str] = []
    memory = Memory.open(store, embeddings=HashEmbeddings(64))
    with pytest.raises(MemoryStoreError, match=r"disk is full.*nothing of this write was stored"):
        for i in range(100_000):
            stored.append(
                memory.archival.insert(f"Passage {i} " + "lorem ipsum " * 40, user_id="u1")
            )
    memory.close()  # the FAISS file cannot be saved either: a cache, repaired on open
    assert not list((store / "faiss").glob("*.tmp*"))  # no partial file left on the full disk
    _remount(mount, "size=16m")
    with Memory.open(store, embeddings=HashEmbeddings(64)) as memory:
        index = memory._backend.index(1)
        assert index is not None and index.ntotal == len(stored)
        assert memory.archival.count(user_id="u1") == len(stored) > 0
        assert memory.archival.get(stored[-1], user_id="u1").text.startswith(
            f"Passage {len(stored) - 1} "
        )
