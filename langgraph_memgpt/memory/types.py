"""Records and the one error type shared by every memory tier.

The graph's tools turn :class:`MemoryStoreError` into a ``ToolMessage``, so its message is
written for a model to read: it says what was wrong and what to do instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_AGENT_ID = "default"


class MemoryStoreError(ValueError):
    """Raised for every bad input or unusable state of a memory tier.

    One documented type, so callers (the tools, the CLI) catch exactly this and nothing else
    leaks through the graph. Subclasses ``ValueError`` because almost every case is bad input.
    """


class StoreNotFoundError(MemoryStoreError):
    """``Memory.open(..., create=False)`` found no store there (nothing was created)."""


@dataclass
class Block:
    """One pinned core-memory block, rendered into the system prompt."""

    label: str
    value: str = ""
    limit: int = 2000
    description: str = ""

    def render(self) -> str:
        return (
            f'<{self.label} characters="{len(self.value)}/{self.limit}">\n'
            f"{self.value}\n</{self.label}>"
        )


@dataclass
class Citation:
    """Where a record came from: enough for a model to quote it and a user to check it."""

    thread_id: str | None = None
    turn: int | None = None
    created_at: str | None = None
    source: str | None = None
    #: Where in the source, for a document chunk: "chunk 12/40, page 3, section 'Intro'".
    where: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.thread_id is not None:
            parts.append(f"thread {self.thread_id}")
        if self.turn is not None:
            parts.append(f"turn {self.turn}")
        if self.created_at:
            parts.append(self.created_at)
        if self.source:
            parts.append(f"source {self.source}")
        if self.where:
            parts.append(self.where)
        return ", ".join(parts) or "no citation"


@dataclass
class SearchHit:
    """One search result of archival or recall memory.

    ``metadata`` always holds the citation keys ``thread_id``, ``turn``, ``created_at`` and
    ``source`` (values may be ``None``), plus ``tags``, ``user_id``, ``agent_id`` and whatever
    the caller stored; recall hits add ``role``.
    """

    id: str
    text: str
    score: float
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def citation(self) -> Citation:
        md = self.metadata
        return Citation(
            thread_id=md.get("thread_id"),
            turn=md.get("turn"),
            created_at=md.get("created_at"),
            source=md.get("source"),
            where=document_location(md),
        )


def document_location(metadata: dict[str, Any]) -> str | None:
    """The place of a document chunk (``ingest.py`` metadata) in its file, or None."""
    parts = []
    chunk, chunks = metadata.get("chunk"), metadata.get("chunks")
    if isinstance(chunk, int) and not isinstance(chunk, bool):
        parts.append(
            f"chunk {chunk + 1}/{chunks}" if isinstance(chunks, int) else f"chunk {chunk + 1}"
        )
    if isinstance(metadata.get("page"), int):
        parts.append(f"page {metadata['page']}")
    if isinstance(metadata.get("heading"), str) and metadata["heading"]:
        parts.append(f"section {metadata['heading']!r}")
    return ", ".join(parts) or None
