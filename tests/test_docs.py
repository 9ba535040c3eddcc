"""The README stays a front door and the docs site builds.

The README is cut to at most 300 lines and opens with the two commands (setup + demo, the test
suite); everything else lives in the mkdocs site under ``docs/``. These tests keep it that way:
the README's length and first commands, its links, every page the site's nav names, and (slow)
a strict build, which fails on a broken link or anchor.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MKDOCS_YML = ROOT / "mkdocs.yml"
TWO_COMMANDS = [
    "bash scripts/setup.sh && .venv/bin/langgraph-memgpt demo",
    "bash scripts/test.sh",
]
MAX_README_LINES = 300


class _Loader(yaml.SafeLoader):
    """mkdocs.yml uses ``!!python/name:`` tags (Markdown extensions); only their names matter."""


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: suffix)


def mkdocs_config() -> dict[str, Any]:
    return yaml.load(MKDOCS_YML.read_text(encoding="utf-8"), Loader=_Loader)


def nav_pages(nav: Any) -> list[str]:
    """Every Markdown file the nav names, depth first."""
    if isinstance(nav, str):
        return [nav] if nav.endswith(".md") else []
    if isinstance(nav, list):
        return [page for item in nav for page in nav_pages(item)]
    if isinstance(nav, dict):
        return [page for value in nav.values() for page in nav_pages(value)]
    return []


def test_readme_is_short_and_opens_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) <= MAX_README_LINES, f"README.md has {len(lines)} lines"
    first_block = re.search(r"```bash\n(.*?)```", text, re.DOTALL)
    assert first_block is not None, "README.md has no bash block"
    assert "\n## " not in text[: first_block.start()], "a section comes before the commands"
    commands = [
        line.strip()
        for line in first_block.group(1).splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert commands == TWO_COMMANDS


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^bash scripts/test\.sh", ci, re.MULTILINE)


def test_readme_links_point_at_files_that_exist() -> None:
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    local = [t.split("#")[0] for t in targets if not re.match(r"[a-z]+:", t)]
    assert local, "the README links into the docs"
    missing = [t for t in local if t and not (ROOT / t).exists()]
    assert not missing, f"README.md links to missing files: {missing}"


def test_every_nav_page_exists() -> None:
    config = mkdocs_config()
    docs_dir = ROOT / config.get("docs_dir", "docs")
    pages = nav_pages(config["nav"])
    assert "index.md" in pages and "api.md" in pages and "benchmarks.md" in pages
    missing = [page for page in pages if not (docs_dir / page).is_file()]
    assert not missing, f"mkdocs.yml's nav names pages that do not exist: {missing}"
    assert len(pages) == len(set(pages)), "a page is listed twice in the nav"


def test_results_markers_name_existing_results_files() -> None:
    """The benchmarks page quotes bench/results/ through markers the docs hook expands."""
    text = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    names = re.findall(r"^<!-- results: ([\w./-]+) -->$", text, re.MULTILINE)
    assert names, "the benchmarks page quotes no results file"
    missing = [n for n in names if not (ROOT / "bench" / "results" / n).is_file()]
    assert not missing, f"results files missing: {missing}"


@pytest.mark.slow
def test_mkdocs_builds_strictly(tmp_path: Path) -> None:
    """``mkdocs build --strict``: a broken link, a missing anchor, a nav entry without its page,
    or an API reference that cannot be read from the package fails it."""
    mkdocs = Path(sys.executable).with_name("mkdocs")
    command = [str(mkdocs)] if mkdocs.exists() else [shutil.which("mkdocs") or "mkdocs"]
    site = tmp_path / "site"
    result = subprocess.run(
        [*command, "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": str(Path(sys.executable).parent)},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert (site / "index.html").is_file()
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    assert 'id="langgraph_memgpt.create_memgpt_agent"' in api
    assert 'id="langgraph_memgpt.memory.Memory"' in api
    benchmarks = (site / "benchmarks" / "index.html").read_text(encoding="utf-8")
    assert "Full results: <code>bench/results/guard.md</code>" in benchmarks
    assert (site / "bench-results" / "long_conversation.png").is_file()
