"""``scripts/setup.sh`` installs once, and again only when what it installs changed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

#: Slow (a whole benchmark, process kills or a fresh install): `scripts/test.sh --quick` skips it.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]

FAKE_PYTHON = """#!/usr/bin/env bash
echo "$*" >> "$(dirname "$0")/../calls.log"
"""


def fake_checkout(tmp_path: Path) -> Path:
    """The script and pyproject.toml, with a .venv whose python only logs what it is asked."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "setup.sh", tmp_path / "scripts" / "setup.sh")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").write_text(FAKE_PYTHON)
    (bin_dir / "python").chmod(0o755)
    (bin_dir / "activate").write_text(f'export PATH="{bin_dir}:$PATH"\n')
    return tmp_path


def setup(checkout: Path) -> list[str]:
    subprocess.run(["bash", "scripts/setup.sh"], cwd=checkout, check=True, capture_output=True)
    log = checkout / ".venv" / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def test_setup_installs_only_when_pyproject_or_the_script_changed(tmp_path: Path) -> None:
    checkout = fake_checkout(tmp_path)
    first = setup(checkout)
    assert any(
        "install -q -e .[local,dev,bench,studio,notebooks,postgres,documents,docs,server]" in c
        for c in first
    )
    assert setup(checkout) == first  # nothing changed: nothing installed again
    with (checkout / "pyproject.toml").open("a") as f:
        f.write("\n# a new dependency\n")
    third = setup(checkout)
    assert len(third) == 2 * len(first)  # pyproject.toml changed: installed again
