"""Where the local MiniLM's CPU goes on ONNX Runtime, one text at a time (one thread).

Three breakdowns, each measured with ``time.process_time`` in this one process:

* per LoCoMo message (conversation 26): tokenising (the ``tokenizers`` fast tokenizer), the
  session's run, and mean pooling with normalisation;
* a run's CPU by its length in tokens (one text, 3 to 160 tokens): the fixed pass over the
  weights and the share per token (the least-squares line through the points);
* ONNX Runtime's own profile (``SessionOptions.enable_profiling``) of a 40-token run, by
  operator type: which kernels the time is in.

It decides what is worth optimising: if the matrix products take most of a run and run near
the core's float32 peak, only fewer tokens, fewer runs or cheaper arithmetic can help.

    python bench/embedding_profile.py
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import sys
import time
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
    load_conversation,
    user_messages,
)

from langgraph_memgpt.memory.search.embeddings import LocalMiniLMEmbeddings  # noqa: E402
from langgraph_memgpt.memory.search.embeddings_onnx import OnnxMiniLM, exported_model  # noqa: E402

LENGTHS = (3, 10, 20, 40, 80, 160)
WARM_UP = 5  # profiled runs not counted
#: Multiply-adds per token of MiniLM-L6's six layers' matrix products (384 wide, 1536 inner).
MACS_PER_TOKEN = 6 * (4 * 384 * 384 + 2 * 384 * 1536)


def _feed(ids: list[int]) -> dict[str, np.ndarray]:
    row = np.array([ids], dtype=np.int64)
    return {
        "input_ids": row,
        "position_ids": np.arange(len(ids), dtype=np.int64)[None, :],
        "segment_ids": np.ones_like(row),
    }


def _cpu_ms(fn: Any, repeat: int) -> float:
    fn()
    start = time.process_time()
    for _ in range(repeat):
        fn()
    return 1000 * (time.process_time() - start) / repeat


def run(texts: list[str], repeat: int) -> dict[str, Any]:
    import onnxruntime as ort

    model_dir = Path(LocalMiniLMEmbeddings().model_dir)
    path = exported_model(model_dir)
    if path is None:
        raise SystemExit("ONNX Runtime cannot be set up here (see the log)")
    model = OnnxMiniLM(path, model_dir, threads=1)
    session, tokenizer = model._session, model._tokenizer
    parts: dict[str, list[float]] = {"tokenise": [], "run": [], "pool": []}
    lengths = []
    for text in texts:
        start = time.process_time()
        ids = tokenizer.encode_batch([text])[0].ids
        tokenised = time.process_time()
        (hidden,) = session.run(["last_hidden_state"], _feed(ids))
        ran = time.process_time()
        vector = hidden[0].mean(axis=0)
        vector /= np.linalg.norm(vector)
        pooled = time.process_time()
        parts["tokenise"].append(1000 * (tokenised - start))
        parts["run"].append(1000 * (ran - tokenised))
        parts["pool"].append(1000 * (pooled - ran))
        lengths.append(len(ids))
    by_length = {}
    for n in LENGTHS:
        ids = [101] + [2000] * (n - 2) + [102]
        by_length[n] = _cpu_ms(lambda ids=ids: session.run(None, _feed(ids)), repeat)
    slope, fixed = np.polyfit(list(by_length), list(by_length.values()), 1)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    options.enable_profiling = True
    options.profile_file_prefix = str(Path(os.environ.get("TMPDIR", "/tmp")) / "memgpt_ort")
    profiled = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    feed = _feed([101] + [2000] * 38 + [102])
    for _ in range(WARM_UP + repeat):
        profiled.run(None, feed)
    trace = Path(profiled.end_profiling())
    events = json.loads(trace.read_text())
    # The first runs plan memory and warm caches: only kernels after them count.
    runs = sorted(e["ts"] + e["dur"] for e in events if e.get("name") == "model_run")
    after = runs[WARM_UP - 1]
    kernels: collections.Counter[str] = collections.Counter()
    for event in events:
        if (
            event.get("cat") == "Node"
            and event["name"].endswith("_kernel_time")
            and event["ts"] > after
        ):
            kernels[event["args"]["op_name"]] += event["dur"]
    trace.unlink()
    total = sum(kernels.values())
    return {
        "texts": len(texts),
        "tokens_median": statistics.median(lengths),
        "tokens_mean": statistics.fmean(lengths),
        "per_text_ms_mean": {k: statistics.fmean(v) for k, v in parts.items()},
        "run_ms_by_length": by_length,
        "fixed_ms": float(fixed),
        "ms_per_token": float(slope),
        "gflops": 2 * MACS_PER_TOKEN / (slope / 1000) / 1e9,
        "kernels_share": {op: t / total for op, t in kernels.most_common(8)},
        # The profile's durations are wall time (a busy machine stretches them): its shares,
        # applied to the CPU time of a 40-token run measured above.
        "kernels_ms_per_run": {op: t / total * by_length[40] for op, t in kernels.most_common(8)},
    }


def markdown(payload: dict[str, Any]) -> str:
    per = payload["per_text_ms_mean"]
    total = sum(per.values())
    parts = [[k, f"{v:.3f}", f"{100 * v / total:.1f}%"] for k, v in per.items()]
    lengths = [[n, f"{ms:.2f}"] for n, ms in payload["run_ms_by_length"].items()]
    kernels = [
        [op, f"{100 * share:.1f}%", f"{payload['kernels_ms_per_run'][op]:.2f}"]
        for op, share in payload["kernels_share"].items()
    ]
    return "\n".join(
        [
            "# Where the local MiniLM's CPU goes (ONNX Runtime, one thread)",
            "",
            f"{payload['texts']} messages ({payload['source']}) embedded one at a time "
            f"({payload['tokens_median']:.0f} tokens at the median, "
            f"{payload['tokens_mean']:.1f} on average), CPU by step. Generated by "
            "`python bench/embedding_profile.py`.",
            "",
            markdown_table(["step", "CPU ms per text (mean)", "share"], parts),
            "",
            f"A run by its length: about {payload['fixed_ms']:.1f} ms fixed plus "
            f"{payload['ms_per_token']:.3f} ms a token (least squares), which is "
            f"{payload['gflops']:.0f} GFLOP/s in the matrix products.",
            "",
            markdown_table(["tokens", "CPU ms per run"], lengths),
            "",
            "ONNX Runtime's profile of a 40-token run, by operator (its shares of the "
            "kernels' time, applied to the CPU time of a 40-token run above):",
            "",
            markdown_table(["operator", "share of kernel time", "ms per run"], kernels),
            "",
            f"Machine: {payload['machine']['cpus']} CPUs, load average (1 min) "
            f"{payload['load_average']} at start, {payload['load_average_end']} at the end.",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20, help="runs per timed length")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--synthetic", action="store_true", help="generated prose instead of LoCoMo messages"
    )
    args = parser.parse_args(argv)
    if args.synthetic:
        texts = user_messages(args.messages, 25, None)
    else:
        conv = load_conversation(conversation_files(args.data, ["26"])[0])
        texts = [turn.line() for turn in conv.turns[: args.messages]]
    load = os.getloadavg()[0]
    payload = run(texts, args.repeat)
    payload["source"] = "generated prose" if args.synthetic else "LoCoMo conversation 26"
    payload["machine"] = machine()
    payload["load_average"] = round(load, 2)
    payload["load_average_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps({k: v for k, v in payload.items() if k != "machine"}, indent=1))
    write_results("embedding_profile", payload, markdown(payload), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
