"""Records and the one error type shared by every memory tier.

The graph's tools turn :class:`MemoryStoreError` into a ``ToolMessage``, so its message is
written for a model to read: it says what was wrong and what to do instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DEFAULT_AGENT_ID = "default"

#: Trust tiers of a stored text: where it came from (the guard's policy, ``guard/policy.py``,
#: says what each may do). Names live here, below the tiers, so a tier can validate and
#: default them without importing the guard.
OPERATOR = "operator"
USER = "user"
MODEL = "model"
EXTERNAL = "external"
TRUST_LEVELS = (OPERATOR, USER, MODEL, EXTERNAL)
#: The origin of a recall message by its role, when its writer does not say (``trust=`` or
#: ``additional_kwargs["trust"]``). A system-role message is *not* operator text by default:
#: one that came from an import, a tool or a client is as untrusted as any retrieved text, so
#: it is scanned like one; only code that writes operator text and says so is exempt.
ROLE_TRUST = {"system": EXTERNAL, "user": USER, "assistant": MODEL, "tool": EXTERNAL}

#: The write seam of the memory poisoning guard: ``(text, trust) -> guard column`` (None when
#: clean). The facade wires ``guard.policy``'s ``on_write`` into the tiers through it, so a tier
#: stores the guard's verdict without importing the guard (a decider above it).
WriteGuard = Callable[[str, str], "str | None"]


class MemoryStoreError(ValueError):
    """Raised for every bad input or unusable state of a memory tier.

    One documented type, so callers (the tools, the CLI) catch exactly this and nothing else
    leaks through the graph. Subclasses ``ValueError`` because almost every case is bad input.
    """


class StoreNotFoundError(MemoryStoreError):
    """``Memory.open(..., create=False)`` found no store there (nothing was created)."""


class MemoryStoreUnavailable(MemoryStoreError):
    """The database could not be reached, or did not answer in time: not the caller's fault.

    Nothing of the failed operation was stored (a write is one transaction), and every write
    of a turn is keyed (message ids, once-keys, upserts), so running the same turn again, as
    ``invoke(None)`` or the same message, stores nothing twice. The graph retries a node once
    on it; an app may retry later or report the store as not ready (``Memory.ping``).
    """


def check_trust(value: object) -> str:
    """A trust tier name, or an error naming the valid ones."""
    if value not in TRUST_LEVELS:
        raise MemoryStoreError(f"trust must be one of {', '.join(TRUST_LEVELS)}; got {value!r}.")
    return str(value)


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


@dataclass(frozen=True)
class PromptView:
    """What one render of the system prompt shows of a namespace, read in one statement
    (``Memory.prompt_view``): the core blocks in prompt order and the memory statistics."""

    blocks: dict[str, Block]
    #: Recall messages, those waiting to be indexed included (``RecallMemory.count``).
    recall: int
    #: Archival records (``ArchivalMemory.count``).
    archival: int
    #: Archival records replaced by newer ones (``ArchivalMemory.count_superseded``).
    superseded: int


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
