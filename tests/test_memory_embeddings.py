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


# -- ONNX Runtime (search.embeddings_onnx) ------------------------------------------------


def test_runs_group_texts_of_similar_length() -> None:
    from langgraph_memgpt.memory.search.embeddings_onnx import runs

    # A turn's two messages, one twice the other: run apart, no padding.
    assert runs([80, 40], 64, 12) == [[0], [1]]
    # Free padding: one run, longest first.
    assert runs([40, 80], 64, 10**6) == [[1, 0]]
    # Lengths within 12 tokens share a run up to the batch size; each position appears once.
    groups = runs([10, 12, 11, 50, 9, 48], 2, 12)
    assert groups == [[3, 5], [1, 2], [0, 4]]
    assert runs([70, 58, 57], 64, 12) == [[0, 1], [2]]


def test_pack_fills_rows_longest_first() -> None:
    from langgraph_memgpt.memory.search.embeddings_onnx import pack

    # A turn's two messages share one row whatever their lengths.
    assert pack([80, 40], 128) == [[0, 1]]
    # First fit, longest first: 70 opens a row, 60 does not fit beside it, 50 does.
    assert pack([60, 70, 50, 10], 128) == [[1, 2], [0, 3]]
    # A text longer than a row has a row of its own; every position appears once.
    rows = pack([200, 5, 130, 7], 128)
    assert rows == [[0], [2], [3, 1]]
    assert sorted(i for row in rows for i in row) == [0, 1, 2, 3]


def test_unknown_backend_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(MemoryStoreError, match="unknown embedding backend"):
        LocalMiniLMEmbeddings(backend="tpu")  # type: ignore[arg-type]
    monkeypatch.setenv("MEMGPT_EMBEDDING_BACKEND", "Torch")
    assert LocalMiniLMEmbeddings().backend == "torch"


def _onnx_ready() -> bool:
    import importlib.util

    return local_available() and all(
        importlib.util.find_spec(m) is not None for m in ("onnxruntime", "onnx")
    )


TEXTS = [
    "Caroline: I went to a LGBTQ support group yesterday and it was so powerful.",
    "ok",
    "Melanie: We camped by the lake, roasted marshmallows and watched the Perseids; the kids "
    "loved it. " * 3,
]


@pytest.mark.skipif(not _onnx_ready(), reason="local MiniLM, onnxruntime or onnx not installed")
def test_onnx_gives_torchs_vectors_and_is_exported_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    monkeypatch.setenv("MEMGPT_MODEL_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(emb_module, "_MODEL_CACHE", {})
    onnx = LocalMiniLMEmbeddings(backend="auto")
    torch_side = LocalMiniLMEmbeddings(backend="torch")
    assert onnx.runtime() == "onnx"
    (exported,) = (tmp_path / "cache" / "onnx").glob("*.onnx")
    for batch in (TEXTS, TEXTS[:1], TEXTS * 10):  # one run, a lone text, a big batch
        got = np.array(onnx.embed_documents(batch))
        want = np.array(torch_side.embed_documents(batch))
        assert got.shape == want.shape == (len(batch), 384)
        assert (got * want).sum(axis=1).min() > 0.9999
    # Packed rows (each text attending to itself) give each text's vector run alone.
    model = emb_module._MODEL_CACHE["onnx:1"]
    batch = [*TEXTS, "a fourth text, of middling length, for the row's end"]
    rows = np.array(model.encode(batch, packed=True))
    alone = np.array([model.encode([text], packed=False)[0] for text in batch])
    assert np.abs(rows - alone).max() < 1e-5
    # The same identity, so a store indexed on torch opens and searches on ONNX Runtime.
    assert embedder_identity(onnx) == embedder_identity(torch_side)
    # One session serves the background embedder and a search's catch-up at once.
    from concurrent.futures import ThreadPoolExecutor

    alone = np.array(onnx.embed_documents(TEXTS))
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda _: np.array(onnx.embed_documents(TEXTS)), range(8)))
    assert all(np.allclose(v, alone, atol=1e-6) for v in together)
    # Another process finds the file: no export, no torch.
    before = exported.stat().st_mtime_ns
    code = (
        "import sys\n"
        "from langgraph_memgpt.memory.search.embeddings import LocalMiniLMEmbeddings\n"
        "e = LocalMiniLMEmbeddings()\n"
        "assert len(e.embed_documents(['hello'])[0]) == 384\n"
        "assert e.runtime() == 'onnx'\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
    )
    env = {**os.environ, "MEMGPT_MODEL_CACHE": str(tmp_path / "cache"), "HF_HUB_OFFLINE": "1"}
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, env=env)
    assert [p.name for p in (tmp_path / "cache" / "onnx").iterdir()] == [exported.name]
    assert exported.stat().st_mtime_ns == before
    assert exported.stat().st_mode & 0o777 == 0o644  # readable by others sharing the cache
    # A damaged file: this process falls back to torch instead of failing to embed.
    exported.write_bytes(b"not a model")
    monkeypatch.setattr(emb_module, "_MODEL_CACHE", {})
    damaged = LocalMiniLMEmbeddings()
    assert len(damaged.embed_documents(["still embedded"])[0]) == 384
    assert damaged.runtime() == "torch"


@pytest.mark.skipif(not local_available(), reason="local MiniLM not installed")
def test_onnx_impossible_falls_back_to_torch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("MEMGPT_MODEL_CACHE", str(blocker))  # the export cannot be written
    monkeypatch.setattr(emb_module, "_MODEL_CACHE", {})
    embedder = LocalMiniLMEmbeddings()
    with caplog.at_level("WARNING"):
        vectors = embedder.embed_documents(TEXTS[:2])
    assert embedder.runtime() == "torch" and len(vectors[0]) == 384
    assert "using torch" in caplog.text
    # Asked for ONNX Runtime explicitly: a clear error rather than a silent fallback.
    with pytest.raises(MemoryStoreError, match="backend 'onnx' could not be set up"):
        LocalMiniLMEmbeddings(backend="onnx").embed_documents(["x"])


def test_missing_onnxruntime_falls_back_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from langgraph_memgpt.memory.search import embeddings_onnx

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails as if not installed
    monkeypatch.setenv("MEMGPT_MODEL_CACHE", str(tmp_path))
    with caplog.at_level("INFO"):
        assert embeddings_onnx.exported_model(tmp_path) is None
    assert not any(tmp_path.iterdir())
    # An install without the packages is no fault: said at INFO, not as a warning on stderr.
    assert "using torch" in caplog.text
    assert all(r.levelname == "INFO" for r in caplog.records if "using torch" in r.message)


def test_abandoned_export_files_are_dropped(tmp_path: Path) -> None:
    from langgraph_memgpt.memory.search.embeddings_onnx import _drop_abandoned

    old, fresh = tmp_path / "a.onnx.tmp", tmp_path / "b.onnx.tmp"
    kept = tmp_path / "model.onnx"
    for path in (old, fresh, kept):
        path.write_bytes(b"x")
    os.utime(old, (1, 1))  # written long ago by a process that died
    os.utime(kept, (1, 1))
    _drop_abandoned(tmp_path)
    assert not old.exists() and fresh.exists() and kept.exists()
