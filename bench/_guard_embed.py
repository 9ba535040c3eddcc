"""MiniLM sentence embeddings of the guard's training and evaluation windows, cached on disk.

Embedding ten thousand windows with the local MiniLM takes minutes on a shared CPU; the cache
(``bench/.cache/guard_embeddings.npz``, not in the repository) keeps them across runs, keyed by
the SHA-1 of the text. Vectors are L2-normalised, as the store's are.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

CACHE = Path(__file__).resolve().parent / ".cache" / "guard_embeddings.npz"


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def embed(texts: list[str], cache: Path = CACHE, batch: int = 128) -> Any:
    """A (len(texts), 384) float32 matrix; uncached texts are embedded and saved as they go."""
    import numpy as np

    from langgraph_memgpt.memory.search.embeddings import LocalMiniLMEmbeddings

    known: dict[str, Any] = {}
    if cache.exists():
        with np.load(cache) as data:
            known = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
    keys = [_key(t) for t in texts]
    todo = list({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    model = LocalMiniLMEmbeddings() if todo else None
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        assert model is not None
        vectors = model.embed_documents([t for _, t in chunk])
        for (k, _), v in zip(chunk, vectors, strict=True):
            known[k] = np.asarray(v, dtype=np.float32)
        cache.parent.mkdir(parents=True, exist_ok=True)
        names = list(known)
        np.savez(cache, keys=np.array(names), vectors=np.stack([known[n] for n in names]))
        print(f"embedded {min(start + batch, len(todo))}/{len(todo)}", flush=True)
    return np.stack([known[k] for k in keys]) if keys else np.zeros((0, 384), np.float32)
