"""Core memory: default blocks, append/replace/create limits, errors a model can act on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from langgraph_memgpt.memory import Memory, MemoryStoreError


@pytest.fixture
def mem(store: Any) -> Iterator[Memory]:
    with Memory.open(store, embeddings=None) as memory:
        yield memory


def test_defaults_exist_in_order(mem: Memory) -> None:
    blocks = mem.core.get(user_id="u1")
    assert list(blocks) == ["persona", "human"]
    assert blocks["persona"].value and blocks["persona"].limit == 2000
    assert blocks["human"].description


def test_append_replace_delete_text(mem: Memory) -> None:
    mem.core.append("human", "Name: Alice", user_id="u1")
    block = mem.core.append("human", "Likes teal", user_id="u1")
    assert block.value == "Name: Alice\nLikes teal"
    block = mem.core.replace("human", "teal", "green", user_id="u1")
    assert block.value == "Name: Alice\nLikes green"
    block = mem.core.replace("human", "\nLikes green", "", user_id="u1")
    assert mem.core.get(user_id="u1")["human"].value == "Name: Alice"


def test_create_block_and_render(mem: Memory) -> None:
    mem.core.create_block("tasks", user_id="u1", value="buy milk", limit=50, description="todo")
    blocks = mem.core.get(user_id="u1")
    assert list(blocks) == ["persona", "human", "tasks"]
    rendered = mem.core.render(user_id="u1")
    assert '<tasks characters="8/50">\nbuy milk\n</tasks>' in rendered
    assert rendered.index("<persona") < rendered.index("<human") < rendered.index("<tasks")
    with pytest.raises(MemoryStoreError, match="already exists"):
        mem.core.create_block("tasks", user_id="u1")
    with pytest.raises(MemoryStoreError, match="invalid block label"):
        mem.core.create_block("bad\nlabel", user_id="u1")
    with pytest.raises(MemoryStoreError, match="invalid block label"):
        mem.core.create_block("../up", user_id="u1")
    path = mem.core.create_block("system/persona/soul", user_id="u1", value="calm")
    assert mem.core.append("system/persona/soul", "kind", user_id="u1").value == "calm\nkind"
    assert path.label in mem.core.get(user_id="u1")
    with pytest.raises(MemoryStoreError, match="limit must be"):
        mem.core.create_block("x", user_id="u1", limit=0)
    with pytest.raises(MemoryStoreError, match="limit is 3"):
        mem.core.create_block("y", user_id="u1", value="toolong", limit=3)


def test_unknown_label_lists_valid_ones(mem: Memory) -> None:
    with pytest.raises(
        MemoryStoreError, match=r"unknown core memory block 'pets'.*'persona', 'human'"
    ):
        mem.core.append("pets", "dog", user_id="u1")


def test_replace_missing_text_quotes_block(mem: Memory) -> None:
    mem.core.append("human", "Name: Alice", user_id="u1")
    with pytest.raises(MemoryStoreError, match=r"not found in block 'human'.*'Name: Alice'"):
        mem.core.replace("human", "Bob", "Carol", user_id="u1")
    with pytest.raises(MemoryStoreError, match="empty"):
        mem.core.replace("human", "", "x", user_id="u1")


def test_over_limit_says_how_much_is_free(mem: Memory) -> None:
    mem.core.create_block("tiny", user_id="u1", limit=20, value="0123456789")
    with pytest.raises(MemoryStoreError, match=r"limit is 20 \(10 used, 10 free\)"):
        mem.core.append("tiny", "a" * 15, user_id="u1")
    with pytest.raises(MemoryStoreError, match="free"):
        mem.core.replace("tiny", "0", "x" * 30, user_id="u1")
    assert mem.core.get(user_id="u1")["tiny"].value == "0123456789"  # nothing written
    with pytest.raises(MemoryStoreError, match="empty"):
        mem.core.append("tiny", "  ", user_id="u1")


def test_blocks_are_per_user_and_agent(mem: Memory) -> None:
    mem.core.append("human", "Alice", user_id="u1")
    assert mem.core.get(user_id="u2")["human"].value == ""
    assert mem.core.get(user_id="u1", agent_id="other")["human"].value == ""
    with pytest.raises(MemoryStoreError, match="user_id must be a non-empty string"):
        mem.core.get(user_id="")


def test_set_overwrites(mem: Memory) -> None:
    assert mem.core.set("human", "Name: Bob", user_id="u1").value == "Name: Bob"
    with pytest.raises(MemoryStoreError, match="free"):
        mem.core.set("human", "x" * 2001, user_id="u1")
