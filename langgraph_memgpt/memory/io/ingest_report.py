"""What an ingest did, file by file: the report ``memory ingest`` prints (``io/ingest.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class FileResult:
    """What ingesting one file did: ``added``, ``unchanged``, ``replaced`` (a new version;
    ``retired`` old chunks), ``duplicate`` (the same bytes are already stored from the path
    ``same_as``: nothing added), ``empty`` (no text) or ``failed`` (``error`` says why)."""

    path: str
    status: str
    chunks: int = 0
    retired: int = 0
    error: str | None = None
    same_as: str | None = None


@dataclass
class IngestReport:
    """One :class:`FileResult` per file, in the order the files were read."""

    files: list[FileResult] = field(default_factory=list)
    #: Files a directory walk passed over (not a document type), so none goes unmentioned.
    skipped: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        """Chunks stored by this run."""
        return sum(f.chunks for f in self.files if f.status in ("added", "replaced"))

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    def __str__(self) -> str:
        lines = []
        for f in self.files:
            if f.status == "failed":
                lines.append(f"failed     {f.path}: {f.error}")
            elif f.status == "replaced":
                lines.append(
                    f"replaced   {f.path}: {_n(f.chunks, 'chunk')} ({f.retired} old retired)"
                )
            elif f.status == "duplicate":
                lines.append(
                    f"duplicate  {f.path}: already stored as {f.same_as} "
                    f"({_n(f.chunks, 'chunk')}); nothing added"
                )
            else:
                lines.append(f"{f.status:<10} {f.path}: {_n(f.chunks, 'chunk')}")
        for path in self.skipped:
            suffix = Path(path).suffix or "no suffix"
            lines.append(f"skipped    {path}: not a document type ({suffix})")
        counts = {s: sum(f.status == s for f in self.files) for s in ("added", "replaced")}
        lines.append(
            f"{_n(len(self.files), 'file')}: {counts['added']} added, {counts['replaced']} "
            f"replaced, {sum(f.status == 'unchanged' for f in self.files)} unchanged, "
            + (
                f"{dupes} duplicate, "
                if (dupes := sum(f.status == "duplicate" for f in self.files))
                else ""
            )
            + f"{len(self.failed)} failed; {_n(self.added, 'chunk')} stored"
            + (f"; {len(self.skipped)} skipped" if self.skipped else "")
        )
        return "\n".join(lines)


def _n(count: int, noun: str) -> str:
    """``1 chunk``, ``2 chunks``: a count with its noun in the right number."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
