#!/usr/bin/env bash
# Sets up (idempotent) and runs lint, type-check and the whole test suite (what CI runs).
#   bash scripts/test.sh --quick   # skips the tests marked slow (bench smoke runs, process
#                                  # kills, fresh installs, notebooks): minutes instead of ~15
# Other arguments go to pytest (`bash scripts/test.sh tests/test_graph.py -x`).
set -euo pipefail
quick=()
if [ "${1:-}" = "--quick" ]; then
  quick=(-m "not slow")
  shift
fi
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
ruff check .
ruff format --check .
mypy
set +e
python -m pytest -q "${quick[@]}" "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: failing, this project must always have tests" >&2
  exit 1
fi
exit "$rc"
