"""Running the real ``langgraph-memgpt`` command in a subprocess, as a user would.

Offline (no API key, lexical search unless a test asks for the local model) and with its own
temp directory, so tests see exactly what a user sees: stdout, stderr and the exit code.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HARNESS = Path(__file__).resolve().with_name("crash_harness.py")


def cli_env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "MEMGPT_MODEL", "MEMGPT_EMBEDDINGS")
    }
    tmpdir = tmp / "tmpdir"
    tmpdir.mkdir(parents=True, exist_ok=True)
    env.update(
        MEMGPT_EMBEDDINGS="none",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TMPDIR=str(tmpdir),
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def run_cli(
    args: Sequence[str],
    tmp: Path,
    *,
    stdin: str = "",
    harness: Sequence[str] | None = None,
    timeout: float = 120,
    **env: str,
) -> subprocess.CompletedProcess[str]:
    """``python -m langgraph_memgpt ARGS`` (or through the crash harness) in ``tmp``."""
    command = [sys.executable]
    command += [str(HARNESS), *harness] if harness else ["-m", "langgraph_memgpt"]
    return subprocess.run(
        [*command, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=tmp,
        env=cli_env(tmp, **env),
    )


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make a directory read-only for this process, root included (``chattr +i``)."""
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        if chattr is None:
            import pytest

            pytest.skip("running as root without chattr: cannot make a directory read-only")
        subprocess.run([chattr, "+i", str(path)], check=True)
        try:
            yield
        finally:
            subprocess.run([chattr, "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o555)
        try:
            yield
        finally:
            path.chmod(mode)
