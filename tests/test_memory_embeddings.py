"""Embeddings: lazy local model, 'auto' resolution, no torch on import, the real MiniLM."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from langgraph_memgpt.memory import Memory, MemoryStoreError
from langgraph_memgpt.memory.search import embeddings as emb_module
from langgraph_memgpt.memory.search.embeddings import (
    LocalMiniLMEmbeddings,
    embedder_identity,
    local_available,
    resolve_embeddings,
)
from langgraph_memgpt.memory.testing import HashEmbeddings


def test_import_does_not_load_torch() -> None:
    code = (
        "import sys, langgraph_memgpt, langgraph_memgpt.memory\n"
        "from langgraph_memgpt.memory import Memory\n"
        "from langgraph_memgpt.memory.search.embeddings import LocalMiniLMEmbeddings\n"
        "LocalMiniLMEmbeddings()\n"
        "bad = [m for m in ('torch', 'sentence_transformers') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_opening_with_auto_does_not_load_the_model(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from langgraph_memgpt.memory import Memory\n"
        f"m = Memory.open({str(tmp_path / 'm')!r})\n"
        "m.core.get(user_id='u'); m.recall.count(user_id='u'); m.close()\n"
        "assert 'torch' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_resolve_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = HashEmbeddings()
    assert resolve_embeddings(fake) is fake
    assert resolve_embeddings(None) is None
    assert resolve_embeddings("none") is None
    monkeypatch.setenv("MEMGPT_EMBEDDINGS", "none")
    assert resolve_embeddings("auto") is None
    monkeypatch.setenv("MEMGPT_EMBEDDINGS", "bogus")
    with pytest.raises(MemoryStoreError, match="unknown embeddings choice"):
        resolve_embeddings("auto")
    monkeypatch.delenv("MEMGPT_EMBEDDINGS")
    if local_available():
        assert isinstance(resolve_embeddings("auto"), LocalMiniLMEmbeddings)


def test_auto_without_local_model_warns_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEMGPT_EMBEDDINGS", raising=False)
    monkeypatch.setattr(emb_module, "local_available", lambda: False)
    monkeypatch.setattr(emb_module, "_warned_lexical_only", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert resolve_embeddings("auto") is None
        assert resolve_embeddings("auto") is None
    assert len([w for w in caught if "lexical only" in str(w.message)]) == 1


def test_openai_choice_builds_openai_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-used")
    embedder = resolve_embeddings("openai")
    assert type(embedder).__name__ == "OpenAIEmbeddings"
    assert embedder is not None and embedder_identity(embedder).endswith(":text-embedding-3-small")


@pytest.mark.skipif(not local_available(), reason="local MiniLM not installed")
def test_real_minilm_end_to_end(tmp_path: Path) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with Memory.open(tmp_path / "m", embeddings="local") as mem:
        mem.archival.insert_many(
            [
                "Alice's favourite colour is teal",
                "The quarterly budget meeting moved to Thursday",
                "My sister lives in Lisbon and works as a nurse",
            ],
            user_id="u1",
        )
        hits = mem.archival.search("Which hue does Alice like best?", user_id="u1", mode="dense")
        assert hits[0].text == "Alice's favourite colour is teal"
        assert mem.archival.dim == LocalMiniLMEmbeddings.dimension
        hits = mem.archival.search("where does my sibling live", user_id="u1", k=1)
        assert "Lisbon" in hits[0].text
