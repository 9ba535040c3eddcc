#!/usr/bin/env bash
# Creates .venv and installs the project with every extra: local embeddings, dev, bench,
# studio (langgraph dev), notebooks and postgres (the scale-out backend's drivers).
# torch is pinned to the CPU build first so sentence-transformers does not pull a CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q "torch==2.13.0"
python -m pip install -q -e ".[local,dev,bench,studio,notebooks,postgres]"
