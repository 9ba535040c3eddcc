"""MkDocs hook: publishes the benchmark plots from ``bench/results/`` with the docs site.

The plots are written by the benchmarks next to their results files, which stay the one place
the numbers live; copying them under ``docs/`` would leave a second copy to go stale. This hook
adds each ``bench/results/**/*.png`` to the site as ``bench-results/<same path>``, so
``docs/benchmarks.md`` links ``bench-results/long_conversation.png`` and always shows the
current plot. A missing plot is a broken link, which ``mkdocs build --strict`` fails on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

RESULTS = Path(__file__).resolve().parent.parent / "bench" / "results"
SITE_FOLDER = "bench-results"


def on_files(files: Files, config: Any) -> Files:
    """Adds every plot under bench/results/ to the site's files."""
    for plot in sorted(RESULTS.rglob("*.png")):
        src_uri = f"{SITE_FOLDER}/{plot.relative_to(RESULTS).as_posix()}"
        files.append(File.generated(config, src_uri, abs_src_path=str(plot)))
    return files
