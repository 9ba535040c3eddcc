#!/usr/bin/env bash
# Creates .venv and installs the project with every extra: local embeddings, dev, bench,
# studio (langgraph dev), notebooks, postgres (the scale-out backend's drivers), documents
# (ingestion: splitter and parsers), docs (the mkdocs site) and server (uvicorn for the async app).
# torch is pinned to the CPU build first so sentence-transformers does not pull a CUDA build.
#
# Installing takes about a minute even when nothing changed, so a stamp in .venv records a hash
# of what decides the installation (pyproject.toml and this script): when it matches, nothing
# is installed again. The install is editable, so code changes never need a reinstall. A clean
# clone (CI) has no .venv and installs everything. MEMGPT_FORCE_SETUP=1 reinstalls anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
STAMP=.venv/.setup-stamp
wanted=$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted" ] \
    && [ -z "${MEMGPT_FORCE_SETUP:-}" ]; then
  echo "setup: .venv is up to date (pyproject.toml and scripts/setup.sh unchanged)"
  exit 0
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q "torch==2.13.0"
python -m pip install -q -e ".[local,dev,bench,studio,notebooks,postgres,documents,docs,server]"
echo "$wanted" > "$STAMP"
