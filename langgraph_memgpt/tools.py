"""The MemGPT tool surface as LangChain tools.

The tools close over a :class:`~langgraph_memgpt.memory.Memory` and read identity from the run's
config, so they work in our graph and equally when added to any other LangChain/LangGraph agent.
Every failure comes back as a ``ToolMessage`` with ``status="error"`` that says what was wrong
and how to fix it; nothing raises through the graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import BaseModel, Field, ValidationError

from langgraph_memgpt.configuration import resolve_identity
from langgraph_memgpt.memory._validate import MAX_K
from langgraph_memgpt.memory.guard import policy as guard_policy
from langgraph_memgpt.memory.guard import spotlight
from langgraph_memgpt.memory.tiers.archival import MAX_TEXT_CHARS
from langgraph_memgpt.memory.types import MemoryStoreError, SearchHit

if TYPE_CHECKING:
    from langgraph_memgpt.memory import Memory

#: Key under ``config["configurable"]`` where the graph puts the current turn number, so
#: archival inserts can cite the turn they came from.
TURN_CONFIG_KEY = "memgpt_turn"
#: Key under ``config["configurable"]`` naming the tool call being run, the same when a crashed
#: step is re-run: an archival insert made under it is stored once.
CALL_CONFIG_KEY = "memgpt_call"

MEMORY_TOOL_NAMES = (
    "core_memory_append",
    "core_memory_replace",
    "archival_memory_insert",
    "archival_memory_search",
    "conversation_search",
    "conversation_search_date",
)
CORE_TOOL_NAMES = ("core_memory_append", "core_memory_replace")
#: Size of each piece when a passage longer than one archival record is saved in pieces.
PIECE_CHARS = 4000


class CoreMemoryAppendArgs(BaseModel):
    label: str = Field(description="Block to edit, e.g. 'human' or 'persona'.")
    content: str = Field(description="Text to append to the block, on its own line.")


class CoreMemoryReplaceArgs(BaseModel):
    label: str = Field(description="Block to edit, e.g. 'human' or 'persona'.")
    old_content: str = Field(description="Exact text currently in the block to replace.")
    new_content: str = Field(description="Replacement text; empty string deletes old_content.")


class ArchivalInsertArgs(BaseModel):
    content: str = Field(description="Passage to store in long-term archival memory.")
    tags: list[str] | None = Field(default=None, description="Optional tags to filter on later.")


class SearchArgs(BaseModel):
    query: str = Field(description="What to look for, in natural language or keywords.")
    page: int = Field(default=0, ge=0, description="Result page, starting at 0.")


class ConversationSearchArgs(SearchArgs):
    include_tools: bool = Field(
        default=False,
        description="Also search past tool calls and results (only what people said otherwise).",
    )


class DateSearchArgs(BaseModel):
    start_date: str = Field(description="First day to include, YYYY-MM-DD.")
    end_date: str = Field(description="Last day to include, YYYY-MM-DD.")
    page: int = Field(default=0, ge=0, description="Result page, starting at 0.")


def _validation_message(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item.get("loc", ())) or "arguments"
        problems.append(f"{where}: {item.get('msg')}")
    return "Invalid arguments: " + "; ".join(problems) + ". Fix them and call the tool again."


def _handle_validation_error(error: ValidationError | Exception) -> str:
    if isinstance(error, ValidationError):
        return _validation_message(error)
    return f"Invalid arguments: {error}. Fix them and call the tool again."


def _handle_tool_error(error: ToolException) -> str:
    return f"Error: {error}"


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
def _store_errors_as_tool_errors(names: dict[str, str] | None = None) -> Iterator[None]:
    """A store's refusal becomes the tool's error message, which the model reads.

    A store message starts with the store's name for the argument at fault (``text``); the
    model knows it by the tool's (``content``), so ``names`` maps one to the other."""
    try:
        yield
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


def _paged_search(
    search: Callable[[int, int], list[SearchHit]],
    *,
    tier: str,
    query: str,
    page: int,
    page_size: int,
) -> tuple[str, dict[str, Any]]:
    """One page of a search as the tool's reply (text and artifact); store refusals become
    tool errors."""
    with _store_errors_as_tool_errors():
        hits, more = _page_with_lookahead(search, page, page_size)
    return _search_reply(hits, tier=tier, query=query, page=page, more=more)


#: Each tool's argument schema, description and whether it returns an artifact (hits).
TOOL_SPECS: dict[str, tuple[type[BaseModel], str, bool]] = {
    "core_memory_append": (
        CoreMemoryAppendArgs,
        "Append a lasting fact to a pinned core-memory block (always in your prompt). "
        "Use label 'human' for facts about the user, 'persona' for yourself.",
        False,
    ),
    "core_memory_replace": (
        CoreMemoryReplaceArgs,
        "Replace exact text in a core-memory block, e.g. to correct or remove a fact.",
        False,
    ),
    "archival_memory_insert": (
        ArchivalInsertArgs,
        "Save a passage to archival memory (unlimited, searchable later). Write it so it "
        "makes sense on its own, with names and dates.",
        False,
    ),
    "archival_memory_search": (
        SearchArgs,
        "Search archival memory (hybrid text + semantic). Results carry citations.",
        True,
    ),
    "conversation_search": (
        ConversationSearchArgs,
        "Search every past message by words and meaning, including ones no longer in your prompt.",
        True,
    ),
    "conversation_search_date": (
        DateSearchArgs,
        "List past messages between two dates (inclusive, YYYY-MM-DD).",
        True,
    ),
}


def create_memory_tools(memory: Memory, *, page_size: int = 5) -> list[BaseTool]:
    """Build the six MemGPT memory tools bound to ``memory``.

    Identity comes from the config of the run that calls them (``configurable.user_id``,
    ``agent_id``, ``thread_id``), never from the model's arguments.
    """

    def core_memory_append(label: str, content: str, config: RunnableConfig) -> str:
        ident = resolve_identity(config)
        with _store_errors_as_tool_errors():
            guard_policy.check_core_write(content)
            block = memory.core.append(
                label, content, user_id=ident.user_id, agent_id=ident.agent_id
            )
        return block_reply("Appended to", label, block)

    def core_memory_replace(
        label: str, old_content: str, new_content: str, config: RunnableConfig
    ) -> str:
        ident = resolve_identity(config)
        # core.replace says "old"/"new", and "text ... not found" of old_content
        names = {"old": "old_content", "new": "new_content", "text": "old_content"}
        with _store_errors_as_tool_errors(names):
            guard_policy.check_core_write(new_content)
            block = memory.core.replace(
                label, old_content, new_content, user_id=ident.user_id, agent_id=ident.agent_id
            )
        return block_reply("Replaced text in", label, block)

    def archival_memory_insert(
        content: str, config: RunnableConfig, tags: list[str] | None = None
    ) -> str:
        ident = resolve_identity(config)
        configurable = config.get("configurable") or {}
        turn = configurable.get(TURN_CONFIG_KEY)
        pieces = archival_pieces(content)
        metadata = archival_metadata(ident.thread_id, turn, len(pieces))
        with _store_errors_as_tool_errors({"text": "content"}):
            stored = memory.archival.insert_many_detailed(
                pieces,
                user_id=ident.user_id,
                agent_id=ident.agent_id,
                tags=tags,
                metadatas=[metadata] * len(pieces),
                trust=guard_policy.MODEL,
                once_key=configurable.get(CALL_CONFIG_KEY),
            )
        reply = insert_reply(
            content, [s.id for s in stored], f"(thread {ident.thread_id}, turn {turn})"
        )
        if any(s.duplicate for s in stored):
            reply += " The same text was already in archival memory, so it was not stored twice."
        return reply

    def archival_memory_search(
        query: str, config: RunnableConfig, page: int = 0
    ) -> tuple[str, dict[str, Any]]:
        ident = resolve_identity(config)
        return _paged_search(
            lambda k, p: memory.archival.search(
                query, user_id=ident.user_id, agent_id=ident.agent_id, k=k, page=p
            ),
            tier="archival memory",
            query=query,
            page=page,
            page_size=page_size,
        )

    def conversation_search(
        query: str, config: RunnableConfig, page: int = 0, include_tools: bool = False
    ) -> tuple[str, dict[str, Any]]:
        ident = resolve_identity(config)
        turn = (config.get("configurable") or {}).get(TURN_CONFIG_KEY)
        current = (ident.thread_id, turn) if isinstance(turn, int) else None
        return _paged_search(
            lambda k, p: memory.recall.search(
                query,
                user_id=ident.user_id,
                agent_id=ident.agent_id,
                k=k,
                page=p,
                include_tools=include_tools,
                exclude_turn=current,
            ),
            tier="recall memory",
            query=query,
            page=page,
            page_size=page_size,
        )

    def conversation_search_date(
        start_date: str, end_date: str, config: RunnableConfig, page: int = 0
    ) -> tuple[str, dict[str, Any]]:
        ident = resolve_identity(config)
        start, end = date_range(start_date, end_date)
        return _paged_search(
            lambda k, p: memory.recall.search_by_date(
                start.isoformat(),
                end.isoformat(),
                user_id=ident.user_id,
                agent_id=ident.agent_id,
                k=k,
                page=p,
            ),
            tier="recall memory",
            query=f"{start}..{end}",
            page=page,
            page_size=page_size,
        )

    functions = (
        core_memory_append,
        core_memory_replace,
        archival_memory_insert,
        archival_memory_search,
        conversation_search,
        conversation_search_date,
    )
    return [_as_tool(func) for func in functions]


def _as_tool(func: Callable[..., Any]) -> BaseTool:
    """A memory tool function as a LangChain tool, with its schema and error handling."""
    schema, description, returns_artifact = TOOL_SPECS[func.__name__]
    return StructuredTool.from_function(
        func=func,
        name=func.__name__,
        description=description,
        args_schema=schema,
        response_format="content_and_artifact" if returns_artifact else "content",
        handle_tool_error=_handle_tool_error,
        handle_validation_error=_handle_validation_error,
    )
