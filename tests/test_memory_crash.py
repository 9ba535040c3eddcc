"""Crash consistency: a process killed between the SQLite commit and the FAISS write.

The child process inserts records, then dies (``os._exit``) right after the commit of a
further insert, before FAISS is touched and before any index file is saved. On reopen the
FAISS index must be repaired from the vectors stored in SQLite, so dense search finds it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from langgraph_memgpt.memory import Memory
from langgraph_memgpt.memory.testing import HashEmbeddings

#: Slow (a whole benchmark, process kills or a fresh install): `scripts/test.sh --quick` skips it.
pytestmark = pytest.mark.slow

CHILD = textwrap.dedent(
    """
    import os, sys
    from langgraph_memgpt.memory import Memory
    from langgraph_memgpt.memory.testing import HashEmbeddings

    mem = Memory.open(sys.argv[1], embeddings=HashEmbeddings())
    mem.archival.insert("Alice's favourite colour is teal", user_id="u1")
    mem.flush()  # an index file exists, without the record below
    mem._backend.after_commit = lambda: os._exit(137)
    mem.archival.insert("The spare key is under the blue flowerpot", user_id="u1",
                        metadata={"thread_id": "t9", "turn": 4, "source": "chat"})
    print("not reached", flush=True)
    """
)


def test_killed_between_commit_and_faiss_write(tmp_path: Path) -> None:
    path = tmp_path / "m"
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 137, result.stderr
    assert "not reached" not in result.stdout
    with Memory.open(path, embeddings=HashEmbeddings()) as mem:
        assert mem.archival.count(user_id="u1") == 2
        index = mem._backend.index(1)
        assert index is not None and index.ntotal == 2  # repaired from SQLite
        hits = mem.archival.search("spare key flowerpot", user_id="u1", mode="dense", k=1)
        assert hits[0].text == "The spare key is under the blue flowerpot"
        assert hits[0].metadata["thread_id"] == "t9" and hits[0].metadata["turn"] == 4
