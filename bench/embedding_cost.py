"""Embedding CPU per turn of recall memory, local MiniLM, before and after, side by side.

A LoCoMo conversation is played into recall memory a turn at a time (two messages, its real
session dates), and after each turn the messages waiting for a vector are embedded, as the
background embedder does while the user reads (``memory.recall.embed_waiting``). Each side is
its own store and all sides take their turn in lockstep, so load on the machine falls on all
of them alike. Per side: the CPU time (``time.process_time``: every thread of the process, so
torch's worker threads count) of that embedding, median per turn; the embedding cache's hit
rate; and, once the conversation is played, evidence recall@10 of ``recall.search`` (hybrid)
on the questions whose evidence was played.

Sides (``--sides``): ``before`` (the message and its neighbours encoded together, no cache,
torch's own thread count: what shipped before), ``text`` (the same text, with the cache and one
thread), ``previous`` (the message and the one before it), ``own`` (the message alone),
``mixed`` (each text encoded alone once, through the cache, the message's vector mixed from its
own and its neighbours': ``search.indexing.mix_context``), all on torch (sentence-transformers);
then ``onnx-*``, the same on ONNX Runtime (``search.embeddings_onnx``: the graph exported once
from the packaged weights), ``onnx-padded`` running a turn's texts padded into one run where
``onnx-apart`` each text alone, ``onnx-previous`` (shipped before packing) texts apart only
when padding would cost more than a second run, and ``onnx-packed`` (shipped) the turn's texts
packed into one row, each attending to itself (``embeddings_onnx.pack``); ``onnx-fused`` is
``onnx-packed`` on the graph ONNX Runtime's transformer optimizer rewrote. The shipped default
is marked in the results, and the ones shipped before ONNX Runtime and before packing.

    python bench/embedding_cost.py                       # 150 turns of conversation 26
    python bench/embedding_cost.py --turns 300 --conversation 30
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from _common_memory import machine, markdown_table, write_results  # noqa: E402
from _locomo import (  # noqa: E402
    DEFAULT_DATA,
    RESULTS,
    conversation_files,
    evidence_ids,
    load_conversation,
    user_messages,
)
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage  # noqa: E402

from langgraph_memgpt.memory import Memory  # noqa: E402
from langgraph_memgpt.memory.search.embeddings import LocalMiniLMEmbeddings  # noqa: E402
from langgraph_memgpt.memory.search.embeddings_onnx import MAX_PAD_TOKENS  # noqa: E402
from langgraph_memgpt.memory.search.indexing import NEIGHBOUR_WEIGHT, RecallDense  # noqa: E402

USER = "bench"
_TORCH = {"backend": "torch", "padding": 10**6}
_ONNX = {"backend": "onnx", "padding": MAX_PAD_TOKENS, "packed": True}
#: The ONNX Runtime default before packed rows: a row per text, runs by ``MAX_PAD_TOKENS``.
ONNX_BEFORE_PACKING = "onnx-previous"
SIDES: dict[str, dict[str, Any]] = {
    "before": {
        "mode": "text",
        "cache": False,
        "threads": None,
        **_TORCH,
        "label": "torch; message + neighbours encoded together; no cache; torch's threads",
    },
    "text": {
        "mode": "text",
        "cache": True,
        "threads": 1,
        **_TORCH,
        "label": "torch; message + neighbours encoded together; cache; 1 thread",
    },
    "previous": {
        "mode": "previous",
        "cache": True,
        "threads": 1,
        **_TORCH,
        "label": "torch; message + the one before it encoded together; cache; 1 thread",
    },
    "own": {
        "mode": "none",
        "cache": True,
        "threads": 1,
        **_TORCH,
        "label": "torch; message alone (no context); cache; 1 thread",
    },
    "mixed": {
        "mode": "vectors",
        "cache": True,
        "threads": 1,
        **_TORCH,
        "label": f"torch; each text encoded alone once, neighbour vectors mixed "
        f"(w={NEIGHBOUR_WEIGHT}); cache; 1 thread",
    },
    "onnx-padded": {
        "mode": "previous",
        "cache": True,
        "threads": 1,
        "backend": "onnx",
        "padding": 10**6,
        "packed": False,
        "label": "ONNX Runtime; as `previous`, the turn's texts padded into one run",
    },
    "onnx-apart": {
        "mode": "previous",
        "cache": True,
        "threads": 1,
        "backend": "onnx",
        "padding": -1,
        "packed": False,
        "label": "ONNX Runtime; as `previous`, each text run alone",
    },
    "onnx-previous": {
        "mode": "previous",
        "cache": True,
        "threads": 1,
        **_ONNX,
        "packed": False,
        "label": f"ONNX Runtime; as `previous`, texts over {MAX_PAD_TOKENS} tokens apart in "
        "length run apart",
    },
    "onnx-packed": {
        "mode": "previous",
        "cache": True,
        "threads": 1,
        **_ONNX,
        "label": "ONNX Runtime; as `previous`, the turn's texts packed into one row, each "
        "attending to itself (no padding, one run)",
    },
    "onnx-own": {
        "mode": "none",
        "cache": True,
        "threads": 1,
        **_ONNX,
        "label": "ONNX Runtime, packed; as `own`",
    },
    "onnx-mixed": {
        "mode": "vectors",
        "cache": True,
        "threads": 1,
        **_ONNX,
        "label": "ONNX Runtime, packed; as `mixed`",
    },
    # Cheaper encoder runs, measured and not shipped (docs/embedding-cost.md): their vectors
    # are not the model's, so the table gives their cosine to the float32 vectors.
    "onnx-int8": {
        "mode": "previous",
        "cache": True,
        "threads": 1,
        **_ONNX,
        "variant": "onnx-int8",
        "label": "ONNX Runtime, int8 dynamic quantisation (per channel, reduced range); "
        "as `onnx-packed`",
    },
    "torch-int8": {
        "mode": "previous",
        "cache": True,
        "threads": 1,
        **_TORCH,
        "variant": "torch-int8",
        "label": "torch, `quantize_dynamic` int8 on every Linear; as `previous`",
    },
    "onnx-128": {
        "mode": "previous",
        "cache": True,
        "threads": 1,
        **_ONNX,
        "variant": "seq128",
        "label": "ONNX Runtime, texts cut at 128 tokens (the model's own: 256); as `onnx-packed`",
    },
    "onnx-fused": {
        "mode": "previous",
        "cache": True,
        "threads": 1,
        **_ONNX,
        "variant": "fused",
        "label": "ONNX Runtime, the graph through `onnxruntime.transformers` `optimize_model` "
        "(bert, 12 heads, 384: fused SkipLayerNorm, BiasGelu); as `onnx-packed`",
    },
}
#: The side that is what the package does by default (its dense context, cache on, 1 thread,
#: ONNX Runtime when it can be set up, else torch) and the one it did before ONNX Runtime.
_DEFAULT_MODE = RecallDense(lambda texts: texts).mode
_SHIPPED_PADDING = LocalMiniLMEmbeddings(backend="torch").max_pad_tokens
_SHIPPED_PACKED = LocalMiniLMEmbeddings(backend="torch").packed
PREVIOUS_SHIPPED = next(
    name
    for name, side in SIDES.items()
    if side["mode"] == _DEFAULT_MODE
    and side["cache"]
    and side["backend"] == "torch"
    and side["threads"]
)


def shipped() -> str:
    """The default side on this machine (ONNX Runtime unless it cannot be set up here)."""
    runtime = LocalMiniLMEmbeddings().runtime()
    return next(
        name
        for name, side in SIDES.items()
        if side["mode"] == _DEFAULT_MODE
        and "variant" not in side
        and side["cache"]
        and side["threads"]
        and side["backend"] == runtime
        and (
            runtime == "torch"
            or (side["padding"] == _SHIPPED_PADDING and side["packed"] == _SHIPPED_PACKED)
        )
    )


def _when(date: str) -> str | None:
    try:
        return datetime.strptime(date, "%I:%M %p on %d %B, %Y").isoformat()
    except ValueError:
        return None


def messages(path: Path, turns: int) -> tuple[list[list[BaseMessage]], list[dict[str, Any]]]:
    """The first ``turns`` chat turns (two LoCoMo turns each: one as the user, one as the
    reply) and the questions whose evidence all lies in them."""
    conv = load_conversation(path)
    played = conv.turns[: 2 * turns]
    out: list[list[BaseMessage]] = []
    for start in range(0, len(played), 2):
        pair: list[BaseMessage] = []
        for j, turn in enumerate(played[start : start + 2]):
            kind = HumanMessage if j == 0 else AIMessage
            extra = {"created_at": when} if (when := _when(turn.date)) else {}
            pair.append(kind(content=turn.line(), id=turn.dia_id, additional_kwargs=extra))
        out.append(pair)
    ids = {t.dia_id for t in played}
    questions = []
    for q in conv.questions:
        evidence = evidence_ids(q.get("evidence", []))
        if evidence and set(evidence) <= ids:
            questions.append({"question": q["question"], "evidence": evidence})
    return out, questions


def synthetic(turns: int) -> tuple[list[list[BaseMessage]], list[dict[str, Any]]]:
    """Generated prose when LoCoMo is not at hand (``--synthetic``): cost only, no questions."""
    texts = user_messages(2 * turns, 25, None)
    chat: list[list[BaseMessage]] = [
        [HumanMessage(texts[i], id=f"m{i}"), AIMessage(texts[i + 1], id=f"m{i + 1}")]
        for i in range(0, len(texts), 2)
    ]
    return chat, []


def run(path: Path | None, turns: int, sides: list[str], questions_cap: int) -> dict[str, Any]:
    shipped_side = shipped()
    chat, questions = synthetic(turns) if path is None else messages(path, turns)
    questions = questions[:questions_cap] if questions_cap else questions
    cpu: dict[str, list[float]] = {side: [] for side in sides}
    embedders = {side: _Counting(SIDES[side]) for side in sides}
    for embedder in embedders.values():
        embedder.embed_documents(["warm up the model"])
        embedder.texts = 0
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        stores: dict[str, Memory] = {}
        for side in sides:
            mem = stack.enter_context(Memory.open(Path(tmp) / side, embeddings=embedders[side]))
            mem.recall.stop_worker()  # embedded below, timed, as the idle worker would
            if not SIDES[side]["cache"]:
                mem.archival.embedding_cache = None
            assert isinstance(mem.recall.dense, RecallDense)
            mem.recall.dense.mode = SIDES[side]["mode"]
            stores[side] = mem
        for pair in chat:
            for side, mem in stores.items():
                mem.recall.append_messages(pair, user_id=USER, thread_id="conversation")
                start = time.process_time()
                mem.recall.embed_waiting(user_id=USER)
                cpu[side].append(1000 * (time.process_time() - start))
        # The conversation's figures, before the questions' own embeddings count.
        encoded = {side: embedders[side].texts / len(chat) for side in sides}
        cosine = {side: embedders[side].cosine_to_reference() for side in sides}
        hit_rate = {
            side: None if (c := mem.archival.embedding_cache) is None else c.hit_rate
            for side, mem in stores.items()
        }
        results: dict[str, Any] = {}
        for side, mem in stores.items():
            recall10 = []
            for q in questions:
                hits = mem.recall.search(q["question"], user_id=USER, k=10, mode="hybrid")
                found = {h.id for h in hits}
                recall10.append(len(found & set(q["evidence"])) / len(q["evidence"]))
            results[side] = {
                "label": SIDES[side]["label"] + _mark(side, shipped_side),
                "embed_cpu_ms_per_turn_median": statistics.median(cpu[side]),
                "embed_cpu_ms_per_turn_mean": statistics.fmean(cpu[side]),
                "texts_encoded_per_turn": encoded[side],
                "cosine_to_float32_min": cosine[side][0],
                "cosine_to_float32_mean": cosine[side][1],
                "cache_hit_rate": hit_rate[side],
                "recall_at_10": statistics.fmean(recall10) if recall10 else None,
            }
    return {
        "conversation": "synthetic" if path is None else path.stem,
        "turns": len(chat),
        "messages": sum(len(p) for p in chat),
        "questions": len(questions),
        "neighbour_weight": NEIGHBOUR_WEIGHT,
        "shipped": shipped_side,
        "previous_shipped": PREVIOUS_SHIPPED,
        "sides": results,
    }


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _mark(side: str, shipped_side: str) -> str:
    if side == shipped_side:
        return " (shipped)"
    if side == ONNX_BEFORE_PACKING:
        return " (shipped before packing)"
    return " (shipped before ONNX Runtime)" if side == PREVIOUS_SHIPPED else ""


_FUSED: dict[str, int] = {}  # what optimize_model fused (the onnx-fused side)
_REFERENCE: dict[str, list[float]] = {}  # float32 torch vectors by text, for the cosines


class _Counting(LocalMiniLMEmbeddings):
    """The local model (loaded once per runtime, shared by the sides), counting the texts it
    encodes and keeping them (the vectors of a variant side are compared with float32's)."""

    def __init__(self, side: dict[str, Any]) -> None:
        super().__init__(small_batch_threads=side["threads"], backend=side["backend"])
        self.max_pad_tokens = side["padding"]
        self.packed = side.get("packed", True)
        self.texts = 0
        self.seen: dict[str, list[float]] = {}
        self.variant = _variant(side["variant"]) if "variant" in side else None

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.texts += len(texts)
        if self.variant is None:
            vectors = super().embed_documents(texts)
        else:
            vectors = self.variant(list(texts)).tolist()
        if len(self.seen) < 1000:
            self.seen.update(zip(texts, vectors, strict=True))
        return vectors

    def cosine_to_reference(self) -> tuple[float, float]:
        """Min and mean cosine of this side's vectors to the model's float32 ones (torch)."""
        texts = list(self.seen)
        if not texts:
            return (1.0, 1.0)
        missing = [t for t in texts if t not in _REFERENCE]
        if missing:
            torch_fp32 = LocalMiniLMEmbeddings(backend="torch")
            _REFERENCE.update(zip(missing, torch_fp32.embed_documents(missing), strict=True))
        reference = np.array([_REFERENCE[t] for t in texts])
        ours = np.array([self.seen[t] for t in texts])
        cosines = (reference * ours).sum(axis=1)
        return float(cosines.min()), float(cosines.mean())


def _variant(name: str) -> Any:
    """An encoder function for a variant side: int8 on ONNX Runtime or torch, or shorter
    texts on ONNX Runtime."""
    from langgraph_memgpt.memory.search.embeddings import _torch_threads
    from langgraph_memgpt.memory.search.embeddings_onnx import OnnxMiniLM, exported_model

    model_dir = Path(LocalMiniLMEmbeddings().model_dir)
    if name == "torch-int8":
        import torch
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(model_dir), device="cpu")
        torch.ao.quantization.quantize_dynamic(
            model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True
        )

        def encode(texts: list[str]) -> np.ndarray:
            with _torch_threads(1):
                return np.asarray(
                    model.encode(texts, normalize_embeddings=True, show_progress_bar=False)
                )

        return encode
    exported = exported_model(model_dir)
    if exported is None:
        raise SystemExit(f"side {name} needs ONNX Runtime and onnx")
    if name == "seq128":
        short = OnnxMiniLM(exported, model_dir, threads=1, max_seq_length=128)
        return short.encode
    if name == "fused":
        from onnxruntime.transformers.optimizer import optimize_model

        fused = Path(tempfile.mkdtemp()) / "fused.onnx"
        optimized = optimize_model(
            str(exported), model_type="bert", num_heads=12, hidden_size=384, opt_level=None
        )
        optimized.save_model_to_file(str(fused))
        _FUSED.update(optimized.get_fused_operator_statistics())
        return OnnxMiniLM(fused, model_dir, threads=1).encode
    from onnxruntime.quantization import QuantType, quantize_dynamic

    int8 = Path(tempfile.mkdtemp()) / "int8.onnx"
    quantize_dynamic(
        exported, int8, weight_type=QuantType.QInt8, per_channel=True, reduce_range=True
    )
    return OnnxMiniLM(int8, model_dir, threads=1).encode


def markdown(payload: dict[str, Any]) -> str:
    sides = payload["sides"]
    rows = []
    base = sides.get("before", {}).get("embed_cpu_ms_per_turn_median")
    for side, row in sides.items():
        ratio = base / row["embed_cpu_ms_per_turn_median"] if base else None
        rows.append(
            [
                side,
                row["label"],
                f"{row['embed_cpu_ms_per_turn_median']:.1f}",
                "" if ratio is None else f"{ratio:.2f}x",
                f"{row['texts_encoded_per_turn']:.2f}",
                "off" if row["cache_hit_rate"] is None else f"{row['cache_hit_rate']:.2f}",
                "" if row["recall_at_10"] is None else f"{row['recall_at_10']:.3f}",
                f"{row['cosine_to_float32_min']:.4f} / {row['cosine_to_float32_mean']:.4f}",
            ]
        )
    header = ["side", "recall message's vector", "embed CPU ms/turn (median)"]
    header += ["before / side", "texts encoded per turn", "cache hit rate", "R@10"]
    header += ["cosine to float32 torch (min / mean)"]
    return "\n".join(
        [
            "# Embedding cost per turn (recall memory, local MiniLM)",
            "",
            f"LoCoMo conversation {payload['conversation']}, {payload['turns']} turns "
            f"({payload['messages']} messages) played into recall memory a turn at a time, the "
            "waiting messages embedded after each turn (as the idle background embedder does); "
            "every side is its own store and they take each turn in lockstep. CPU = "
            "`time.process_time` of the embedding (all threads). R@10 = evidence recall@10 of "
            f"hybrid `recall.search` over the {payload['questions']} questions whose evidence "
            "was played. Generated by `python bench/embedding_cost.py`.",
            "",
            *_summary(payload),
            markdown_table(header, rows),
            "",
            *_fused_line(payload),
            f"Machine: {payload['machine']['cpus']} CPUs, torch "
            f"{payload['machine']['versions'].get('torch')}, onnxruntime "
            f"{_version('onnxruntime')}, load average (1 min) {payload['load_average']} at "
            f"start, {payload['load_average_end']} at the end (other work on the machine "
            "inflates every side's CPU time alike, not their ratios).",
        ]
    )


def _fused_line(payload: dict[str, Any]) -> list[str]:
    fused = payload.get("fused_operators")
    if not fused:
        return []
    ops = ", ".join(f"{n} {op}" for op, n in fused.items() if n)
    missed = [op for op in ("Attention", "EmbedLayerNormalization") if not fused.get(op)]
    none = f" (none fused: {', '.join(missed)})" if missed else ""
    return [f"`onnx-fused`: `optimize_model` fused {ops}{none}.", ""]


def _summary(payload: dict[str, Any]) -> list[str]:
    """Before and the previous default against the shipped default, when they ran."""
    sides, shipped_side = payload["sides"], payload["shipped"]
    lines = []
    for old_name in ("before", payload["previous_shipped"], ONNX_BEFORE_PACKING):
        if old_name not in sides or shipped_side not in sides or old_name == shipped_side:
            continue
        old, new = sides[old_name], sides[shipped_side]
        ratio = old["embed_cpu_ms_per_turn_median"] / new["embed_cpu_ms_per_turn_median"]
        recall = ""
        if old["recall_at_10"] is not None and new["recall_at_10"] is not None:
            recall = f"; R@10 {old['recall_at_10']:.3f} -> {new['recall_at_10']:.3f}"
        lines += [
            f"**{old_name} -> shipped (`{shipped_side}`)**: "
            f"{old['embed_cpu_ms_per_turn_median']:.1f} -> "
            f"{new['embed_cpu_ms_per_turn_median']:.1f} ms of embedding CPU per turn "
            f"({ratio:.2f}x less){recall}.",
            "",
        ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--conversation", default="26")
    parser.add_argument("--turns", type=int, default=150, help="chat turns (two messages each)")
    parser.add_argument("--sides", default=",".join(SIDES), help=f"of {','.join(SIDES)}")
    parser.add_argument("--questions", type=int, default=0, help="at most this many (0: all)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--synthetic", action="store_true", help="generated prose instead of LoCoMo (no R@10)"
    )
    args = parser.parse_args(argv)
    sides = [s for s in args.sides.split(",") if s]
    unknown = [s for s in sides if s not in SIDES]
    if unknown:
        parser.error(f"unknown side(s) {unknown}; choose from {list(SIDES)}")
    path = None if args.synthetic else conversation_files(args.data, [args.conversation])[0]
    load = os.getloadavg()[0]  # the CPU figures depend on what else the machine runs
    payload = run(path, args.turns, sides, args.questions)
    payload["machine"] = machine()
    payload["fused_operators"] = dict(_FUSED)
    payload["load_average"] = round(load, 2)
    payload["load_average_end"] = round(os.getloadavg()[0], 2)
    for side, row in payload["sides"].items():
        print(f"{side}: {row}", flush=True)
    write_results("embedding_cost", payload, markdown(payload), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
