"""MkDocs hooks: the benchmark page quotes ``bench/results/`` and shows its plots.

The results files are the one place benchmark numbers live; the docs quote them rather than
keep a copy that goes stale:

- ``<!-- results: guard.md -->`` on a line of its own in a page becomes a collapsed block
  holding ``bench/results/guard.md`` verbatim, its headings turned into bold lines so they do
  not crowd the page's table of contents. A marker naming a missing file fails the build.
- every ``bench/results/**/*.png`` is published as ``bench-results/<same path>``, so a page
  links ``bench-results/long_conversation.png`` and always shows the current plot (a missing
  plot is a broken link, which ``mkdocs build --strict`` fails on).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

RESULTS = Path(__file__).resolve().parent.parent / "bench" / "results"
SITE_FOLDER = "bench-results"
MARKER = re.compile(r"^<!-- results: (?P<name>[\w./-]+) -->$", re.MULTILINE)
LIST_ITEM = re.compile(r"^(- |\* |\d+\. )")
HEADING = re.compile(r"^#{1,6} +(?P<title>.+?) *#*$")


def on_files(files: Files, config: Any) -> Files:
    """Adds every plot under bench/results/ to the site's files."""
    for plot in sorted(RESULTS.rglob("*.png")):
        src_uri = f"{SITE_FOLDER}/{plot.relative_to(RESULTS).as_posix()}"
        files.append(File.generated(config, src_uri, abs_src_path=str(plot)))
    return files


def quote_results(name: str) -> str:
    """``bench/results/<name>`` as a collapsed admonition, headings made bold."""
    path = RESULTS / name
    if not path.is_file() or RESULTS not in path.resolve().parents:
        raise PluginError(f"results marker names bench/results/{name}, which does not exist")
    lines = [f'??? abstract "Full results: `bench/results/{name}`"', ""]
    for line in path.read_text(encoding="utf-8").splitlines():
        heading = HEADING.match(line)
        if heading:
            lines += [f"    **{heading['title']}**", ""]
            continue
        if LIST_ITEM.match(line) and lines[-1].strip() and not LIST_ITEM.match(lines[-1][4:]):
            lines.append("")  # Python-Markdown starts a list only after a blank line
        lines.append(f"    {line}" if line.strip() else "")
    return "\n".join(lines) + "\n"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Replaces each results marker with the quoted file."""
    return MARKER.sub(lambda m: quote_results(m["name"]), markdown)
