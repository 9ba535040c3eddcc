"""What the memory tools reply: result lists with citations, paging, save and edit receipts,
and the argument checks whose failures the model reads (dates, long passages).

Pure functions over search hits and strings; ``tools.py`` wires them to the memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from langchain_core.tools import ToolException

from langgraph_memgpt.memory._validate import MAX_K
from langgraph_memgpt.memory.guard import spotlight
from langgraph_memgpt.memory.tiers.archival import MAX_TEXT_CHARS
from langgraph_memgpt.memory.types import MemoryStoreError, MemoryStoreUnavailable, SearchHit

#: Size of each piece when a passage longer than one archival record is saved in pieces.
PIECE_CHARS = 4000

#: What a search says when no record matched well enough (see ``memory.fusion.relevance_floor``).
NO_GOOD_MATCH = "Nothing matched well."


def format_hits(
    hits: Sequence[SearchHit], *, tier: str, query: str, page: int, more: bool = False
) -> str:
    """Human- and model-readable result list: each line carries its citation.

    The next page is offered only when ``more`` says it holds results: a model told "More:
    page=1" pages into nothing.
    """
    if not hits:
        return f"No results in {tier} for {query!r} (page {page}). {NO_GOOD_MATCH}"
    lines = [f"{len(hits)} result(s), page {page}, in {tier} for {query!r}:"]
    delimiter = spotlight.fence()  # untrusted hits are shown as DATA blocks (spotlight.py)
    for i, hit in enumerate(hits, start=1):
        role = hit.metadata.get("role")
        prefix = f"{role}: " if role else ""
        text = spotlight.hit_text(hit.text, hit.metadata, delimiter)
        lines.append(f"[{i}] ({hit.citation}) {prefix}{text}{validity_note(hit, delimiter)}")
    if any(f"<<DATA {delimiter}" in line for line in lines):
        lines.insert(1, spotlight.DATA_NOTE)
    tail = f" More: page={page + 1}." if more else " No more results."
    lines.append(f"Cite results by their (thread, turn, time).{tail}")
    return "\n".join(lines)


def validity_note(hit: SearchHit, delimiter: str | None = None) -> str:
    """What a hit says about the records it replaced, or about being replaced itself; quotes of
    untrusted records are DATA blocks (``spotlight.quote_older``)."""
    md = hit.metadata
    if md.get("superseded_at"):
        by = md.get("superseded_by")
        return f" [superseded{f' by record {by}' if by else ''}: {md.get('superseded_reason')}]"
    older = md.get("supersedes") or []
    if not older:
        return ""
    fence = delimiter or spotlight.fence()
    untrusted = spotlight.is_untrusted(md)
    quoted = "; ".join(
        spotlight.quote_older(item["text"], fence, untrusted=untrusted) for item in older[-2:]
    )
    return f" [updates {len(older)} earlier record(s), now hidden: {quoted}]"


def hits_artifact(hits: Sequence[SearchHit], page: int, more: bool = False) -> dict[str, Any]:
    return {
        "hits": [
            {
                "id": hit.id,
                "text": hit.text,
                "score": hit.score,
                "citation": str(hit.citation),
                "metadata": dict(hit.metadata),
            }
            for hit in hits
        ],
        "page": page,
        "more": more,
    }


@contextmanager
def store_errors_as_tool_errors(names: dict[str, str] | None = None) -> Iterator[None]:
    """A store's refusal becomes the tool's error message, which the model reads.

    A store message starts with the store's name for the argument at fault (``text``); the
    model knows it by the tool's (``content``), so ``names`` maps one to the other."""
    try:
        yield
    except MemoryStoreUnavailable:
        raise  # the database is away, not the model's fault: the step is retried or resumed
    except MemoryStoreError as exc:
        message = str(exc)
        for store_name, tool_name in (names or {}).items():
            if message.startswith(f"{store_name} "):
                message = tool_name + message[len(store_name) :]
                break
        raise ToolException(message) from None


def _search_reply(
    hits: Sequence[SearchHit], *, tier: str, query: str, page: int, more: bool
) -> tuple[str, dict[str, Any]]:
    text = format_hits(hits, tier=tier, query=query, page=page, more=more)
    return text, hits_artifact(hits, page, more)


def _page_with_lookahead(
    search: Callable[[int, int], list[SearchHit]], page: int, page_size: int
) -> tuple[list[SearchHit], bool]:
    """Page ``page`` of a search, and whether a next page holds anything.

    One search of the first ``(page + 1) * page_size + 1`` results instead of two searches;
    past the end, the store's own search is asked for the page so that it says how many pages
    there are. Deep pages (more results than one search returns) take two searches.
    """
    end = (page + 1) * page_size
    if end + 1 > MAX_K:
        window = search(page_size, page)
        try:
            return window, bool(search(page_size, page + 1))
        except MemoryStoreError:  # the next page is past the end
            return window, False
    hits = search(end + 1, 0)
    window = hits[page * page_size : end]
    if not window and page > 0:
        return search(page_size, page), False  # raises the store's "past the end" error
    return window, len(hits) > end


def split_passage(text: str, limit: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters, at paragraph, sentence or
    word boundaries when there is one in the second half of a piece.

    A long message is saved in pieces rather than refused: the store caps one record's size,
    and a model that is told to split a 100 KB text itself rarely manages to.
    """
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for mark in ("\n\n", "\n", ". ", "? ", "! ", "; ", " "):
            at = window.rfind(mark)
            if at >= limit // 2:
                cut = at + len(mark)
                break
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return pieces


def _parse_day(value: str, field_name: str) -> date:
    try:
        return date.fromisoformat(value.strip()[:10])
    except (ValueError, AttributeError):
        raise ToolException(
            f"{field_name} {value!r} is not a date. Use the format YYYY-MM-DD, e.g. 2026-11-25."
        ) from None


def archival_pieces(content: str) -> list[str]:
    """The records a passage is saved as: itself, or pieces when one record cannot hold it."""
    return split_passage(content, PIECE_CHARS) if len(content) > MAX_TEXT_CHARS else [content]


def archival_metadata(thread_id: str, turn: Any, pieces: int) -> dict[str, Any]:
    """Citation metadata of a saved passage. Pieces of one passage share one time: pieces of
    a thread with the same time form a sequence, and each is indexed with its neighbours."""
    metadata: dict[str, Any] = {"thread_id": thread_id, "turn": turn, "source": "agent"}
    if pieces > 1:
        metadata["created_at"] = datetime.now(UTC).isoformat()
    return metadata


def insert_reply(content: str, record_ids: Sequence[str], where: str) -> str:
    """What the model is told after a save: the record, or the range of pieces and why."""
    if len(record_ids) == 1:
        return f"Stored in archival memory as record {record_ids[0]} {where}."
    return (
        f"The passage ({len(content)} characters) was longer than one record holds, so it "
        f"was stored in archival memory as {len(record_ids)} records, {record_ids[0]} to "
        f"{record_ids[-1]} {where}."
    )


def date_range(start_date: str, end_date: str) -> tuple[date, date]:
    """The days a date search covers, or a tool error the model can act on."""
    start = _parse_day(start_date, "start_date")
    end = _parse_day(end_date, "end_date")
    if end < start:
        raise ToolException(
            f"end_date {end} is before start_date {start}. Swap them or widen the range."
        )
    return start, end


def block_reply(action: str, label: str, block: Any) -> str:
    """What the model is told after a core edit: how full the block now is."""
    return (
        f"{action} core memory block {label!r} ({len(block.value)}/{block.limit} characters used)."
    )


def paged_search(
    search: Callable[[int, int], list[SearchHit]],
    *,
    tier: str,
    query: str,
    page: int,
    page_size: int,
) -> tuple[str, dict[str, Any]]:
    """One page of a search as the tool's reply (text and artifact); store refusals become
    tool errors."""
    with store_errors_as_tool_errors():
        hits, more = _page_with_lookahead(search, page, page_size)
    return _search_reply(hits, tier=tier, query=query, page=page, more=more)
