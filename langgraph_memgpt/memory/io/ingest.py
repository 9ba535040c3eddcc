"""Document ingestion: files and directories into archival memory, each chunk cited.

What happens to a file, in order:

1. its bytes are hashed (SHA-256) together with the splitter settings. If this user's archival
   memory already holds chunks of the same path with that hash, nothing is added; nor if it
   holds them from another path (a copy, a renamed file): the report says which path has them;
2. ``loaders.py`` reads it into sections (pages of a PDF, headings of Markdown/HTML) and
   LangChain's ``RecursiveCharacterTextSplitter`` cuts each section into overlapping chunks
   (paragraphs, then lines, then sentences, then words: a chunk ends at a boundary when one
   is near);
3. the chunks are embedded in batches of ``EMBED_BATCH`` (a tqdm bar on a terminal) and stored
   in one transaction, so a file is in memory completely or not at all. Every chunk's metadata
   is its citation: ``source`` (the absolute path), ``chunk``/``chunks`` (index and count),
   ``page`` or ``heading`` where the format has them, ``created_at`` (the ingestion time);
4. chunks of an older version of the same path are retired by :func:`retire_old_chunks` --
   after the new ones are stored, so a crash in between leaves the old version searchable and
   the next run finishes the job.

Chunks of one file share ``created_at``, so archival memory indexes each with its neighbours
as context (``search/indexing.py``) and embeds it the same way here.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from langgraph_memgpt.memory._validate import now_iso
from langgraph_memgpt.memory.io.ingest_report import FileResult, IngestReport
from langgraph_memgpt.memory.io.loaders import DOCUMENT_SUFFIXES, Section, _require, load_sections
from langgraph_memgpt.memory.search.indexing import embedding_text
from langgraph_memgpt.memory.types import DEFAULT_AGENT_ID, MemoryStoreError

if TYPE_CHECKING:
    from langgraph_memgpt.memory.tiers.archival import ArchivalMemory

#: About 200-250 MiniLM word pieces: a chunk fits the local model's 256-token window.
CHUNK_CHARS = 1000
CHUNK_OVERLAP = 100
EMBED_BATCH = 64
DOCUMENT_TAG = "document"
MAX_FILE_BYTES = 200 * 1024 * 1024
#: Why a changed file's old chunks were retired (passed on to ``archival.supersede`` later).
CHANGED_REASON = "document changed"


@dataclass
class Chunk:
    """One piece of a document with its citation fields."""

    text: str
    index: int
    page: int | None = None
    heading: str | None = None
    start: int | None = None  # character offset in its section


def expand_paths(paths: Iterable[str | Path], skipped: list[Path] | None = None) -> list[Path]:
    """Files named, plus documents under directories named (recursively, sorted, hidden
    files and directories skipped). A path that does not exist is an error up front.
    Other files found under a directory (images, binaries) are appended to ``skipped``."""
    if isinstance(paths, str | Path):
        paths = [paths]
    out: list[Path] = []
    missing = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in found.relative_to(path).parts)
                if not found.is_file() or hidden:
                    continue
                if found.suffix.lower() in DOCUMENT_SUFFIXES:
                    out.append(found)
                elif skipped is not None:
                    skipped.append(found)
        elif path.is_file():
            out.append(path)
        else:
            missing.append(str(path))
    if missing:
        raise MemoryStoreError(f"no such file or directory: {', '.join(missing)}.")
    seen: set[Path] = set()
    unique = []
    for path in out:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            unique.append(path)
    return unique


def split_sections(
    sections: Sequence[Section], *, chunk_chars: int = CHUNK_CHARS, overlap: int = CHUNK_OVERLAP
) -> list[Chunk]:
    """Chunks of every section, numbered through the whole document."""
    splitters = _require("langchain_text_splitters")
    splitter = splitters.RecursiveCharacterTextSplitter(
        chunk_size=chunk_chars, chunk_overlap=overlap, add_start_index=True
    )
    chunks: list[Chunk] = []
    for section in sections:
        for doc in splitter.create_documents([section.text]):
            text = doc.page_content.strip()
            if text:
                chunks.append(
                    Chunk(
                        text,
                        len(chunks),
                        page=section.page,
                        heading=section.heading,
                        start=doc.metadata.get("start_index"),
                    )
                )
    return chunks


def retire_old_chunks(
    archival: ArchivalMemory,
    old_ids: Sequence[str],
    new_ids: Sequence[str],
    *,
    reason: str,
    user_id: str,
    agent_id: str = DEFAULT_AGENT_ID,
) -> int:
    """What happens to the chunks of a file's previous version once the new one is stored.

    Each old chunk is superseded (kept, hidden from default search, in its history) by the
    new chunk at the same position, or the last new one, so nothing is deleted and
    ``search(..., include_superseded=True)`` still finds the old text. Returns how many were
    retired; an old chunk already superseded (a re-run after a crash) is left as it is.
    """
    retired = 0
    for i, old in enumerate(old_ids):
        by = new_ids[min(i, len(new_ids) - 1)] if new_ids else None
        try:
            archival.supersede(old, by=by, reason=reason, user_id=user_id, agent_id=agent_id)
        except MemoryStoreError:
            continue
        retired += 1
    return retired


def _chunk_metadata(
    chunk: Chunk, total: int, source: str, digest: str, settings: str, when: str
) -> dict[str, Any]:
    md: dict[str, Any] = {
        "source": source,
        "created_at": when,
        "chunk": chunk.index,
        "chunks": total,
        "document_sha256": digest,
        "splitter": settings,
    }
    if chunk.page is not None:
        md["page"] = chunk.page
    if chunk.heading:
        md["heading"] = chunk.heading
    if chunk.start is not None:
        md["offset"] = chunk.start
    return md


@dataclass
class Ingester:
    """Ingests files into one user's archival memory (see the module docstring)."""

    archival: ArchivalMemory
    user_id: str
    agent_id: str = DEFAULT_AGENT_ID
    tags: Sequence[str] = (DOCUMENT_TAG,)
    chunk_chars: int = CHUNK_CHARS
    overlap: int = CHUNK_OVERLAP
    batch_size: int = EMBED_BATCH
    progress: bool | None = None  # None: a bar only when ``stream`` is a terminal
    stream: TextIO | None = None
    #: (sha256, splitter) -> (path, current chunk ids) of the stored documents, read lazily.
    _by_digest: dict[tuple[str, str], tuple[str, list[str]]] | None = field(
        default=None, init=False, repr=False
    )

    def __post_init__(self) -> None:
        for name, value, low in (
            ("chunk_chars", self.chunk_chars, 100),
            ("batch_size", self.batch_size, 1),
            ("overlap", self.overlap, 0),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise MemoryStoreError(f"{name} must be an integer >= {low}, got {value!r}.")
        if self.overlap >= self.chunk_chars:
            raise MemoryStoreError("overlap must be smaller than chunk_chars.")

    @property
    def settings(self) -> str:
        return f"recursive/{self.chunk_chars}/{self.overlap}"

    def _show_bar(self) -> bool:
        out = self.stream if self.stream is not None else sys.stderr
        if self.progress is not None:
            return self.progress
        isatty = getattr(out, "isatty", None)
        return bool(isatty and isatty())

    def ingest(self, paths: Iterable[str | Path]) -> IngestReport:
        """Ingest every file of ``paths``; a file that fails is reported and the rest go on."""
        report = IngestReport()
        skipped: list[Path] = []
        found = expand_paths(paths, skipped)
        report.skipped = [str(path) for path in skipped]
        for path in found:
            try:
                report.files.append(self.ingest_file(path))
            except MemoryStoreError as exc:
                report.files.append(FileResult(str(path), "failed", error=str(exc)))
        return report

    def _existing(self, source: str) -> dict[tuple[str, str], list[str]]:
        """Ids of the current (not superseded) chunks of ``source``, by (file hash, splitter
        settings)."""
        versions: dict[tuple[str, str], list[str]] = {}
        for hit in self.archival.records(
            user_id=self.user_id, agent_id=self.agent_id, source=source
        ):
            if hit.metadata.get("superseded_at"):
                continue
            key = (str(hit.metadata.get("document_sha256")), str(hit.metadata.get("splitter")))
            versions.setdefault(key, []).append(hit.id)
        return versions

    def _stored_elsewhere(self, digest: str, source: str) -> tuple[str, list[str]] | None:
        """The path and current chunk ids of a document with these bytes (and splitter
        settings) stored from another path in this namespace, if one is.

        The namespace's documents are read once per ingester and kept up to date as files are
        added, so a directory of many files costs one scan, not one per file.
        """
        if self._by_digest is None:
            self._by_digest = {}
            for hit in self.archival.records(user_id=self.user_id, agent_id=self.agent_id):
                md = hit.metadata
                if md.get("document_sha256") and not md.get("superseded_at"):
                    key = (str(md["document_sha256"]), str(md.get("splitter")))
                    where = self._by_digest.setdefault(key, (str(md.get("source")), []))
                    if where[0] == str(md.get("source")):
                        where[1].append(hit.id)
        found = self._by_digest.get((digest, self.settings))
        if found is None or found[0] == source:
            return None
        return found

    def ingest_file(self, path: str | Path) -> FileResult:
        path = Path(path)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise MemoryStoreError(
                    f"{path} is {size} bytes; the limit is {MAX_FILE_BYTES}. Split it first."
                )
            data = path.read_bytes()
        except OSError as exc:
            raise MemoryStoreError(f"cannot read {path}: {exc.strerror or exc}.") from exc
        source = str(path.resolve())
        digest = hashlib.sha256(data).hexdigest()
        existing = self._existing(source)
        current = existing.pop((digest, self.settings), None)
        old_ids = [rid for ids in existing.values() for rid in ids]
        if current is not None:
            retired = self._retire(old_ids, current, source)
            return FileResult(str(path), "unchanged", len(current), retired)
        stored = self._stored_elsewhere(digest, source)
        if stored is not None:  # the same bytes under another path: one copy is enough
            other, ids = stored
            retired = self._retire(old_ids, ids, source)
            return FileResult(str(path), "duplicate", len(ids), retired, same_as=other)
        chunks = split_sections(
            load_sections(path, data), chunk_chars=self.chunk_chars, overlap=self.overlap
        )
        if not chunks:
            retired = self._retire(old_ids, [], source)
            return FileResult(str(path), "empty", 0, retired)
        when = now_iso()
        metadatas = [
            _chunk_metadata(c, len(chunks), source, digest, self.settings, when) for c in chunks
        ]
        vectors = self._embed(chunks, str(path))
        new_ids = self.archival.insert_many(
            [c.text for c in chunks],
            user_id=self.user_id,
            agent_id=self.agent_id,
            tags=list(self.tags),
            metadatas=metadatas,
            vectors=vectors,
            dedupe=False,  # a document's chunks are its own records, even where text repeats
        )
        if self._by_digest is not None:
            self._by_digest.setdefault((digest, self.settings), (source, list(new_ids)))
        retired = self._retire(old_ids, new_ids, source)
        return FileResult(str(path), "replaced" if old_ids else "added", len(new_ids), retired)

    def _retire(self, old_ids: list[str], new_ids: Sequence[str], source: str) -> int:
        if not old_ids:
            return 0
        return retire_old_chunks(
            self.archival,
            old_ids,
            new_ids,
            reason=f"{CHANGED_REASON}: {source}",
            user_id=self.user_id,
            agent_id=self.agent_id,
        )

    def _embed(self, chunks: Sequence[Chunk], name: str) -> Any:
        """Vectors of the chunks as archival memory would embed them (each with its
        neighbours as context), ``batch_size`` at a time; None without an embedder."""
        if self.archival.embeddings is None:
            return None
        import numpy as np

        texts = [c.text for c in chunks]
        composed = [
            embedding_text(
                text,
                texts[i - 1] if i > 0 else None,
                texts[i + 1] if i + 1 < len(texts) else None,
            )
            for i, text in enumerate(texts)
        ]
        parts = []
        with self._bar(len(composed), name) as advance:
            for batch in _batches(composed, self.batch_size):
                parts.append(self.archival.embed_texts(batch))
                advance(len(batch))
        return np.concatenate(parts)

    def _bar(self, total: int, name: str) -> Any:
        from contextlib import contextmanager

        @contextmanager
        def bar() -> Iterator[Any]:
            if not self._show_bar():
                yield lambda n: None
                return
            from tqdm import tqdm

            out = self.stream if self.stream is not None else sys.stderr
            label = Path(name).name
            with tqdm(total=total, desc=label[:30], unit=" chunks", file=out) as t:
                yield t.update

        return bar()


def _batches(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def ingest(
    archival: ArchivalMemory,
    paths: Iterable[str | Path] | str | Path,
    *,
    user_id: str,
    agent_id: str = DEFAULT_AGENT_ID,
    **options: Any,
) -> IngestReport:
    """Ingest files and directories into ``archival``; see :class:`Ingester` for options."""
    if isinstance(paths, str | Path):
        paths = [paths]
    return Ingester(archival, user_id=user_id, agent_id=agent_id, **options).ingest(paths)
