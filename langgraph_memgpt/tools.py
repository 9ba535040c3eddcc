"""The MemGPT tool surface as LangChain tools.

The tools close over a :class:`~langgraph_memgpt.memory.Memory` and read identity from the run's
config, so they work in our graph and equally when added to any other LangChain/LangGraph agent.
Every failure comes back as a ``ToolMessage`` with ``status="error"`` that says what was wrong
and how to fix it; nothing raises through the graph.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import BaseModel, Field, ValidationError

from langgraph_memgpt.configuration import resolve_identity
from langgraph_memgpt.memory.types import MemoryStoreError, SearchHit

if TYPE_CHECKING:
    from langgraph_memgpt.memory import Memory

#: Key under ``config["configurable"]`` where the graph puts the current turn number, so
#: archival inserts can cite the turn they came from.
TURN_CONFIG_KEY = "memgpt_turn"

MEMORY_TOOL_NAMES = (
    "core_memory_append",
    "core_memory_replace",
    "archival_memory_insert",
    "archival_memory_search",
    "conversation_search",
    "conversation_search_date",
)
CORE_TOOL_NAMES = ("core_memory_append", "core_memory_replace")


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


def format_hits(hits: Sequence[SearchHit], *, tier: str, query: str, page: int) -> str:
    """Human- and model-readable result list: each line carries its citation."""
    if not hits:
        return f"No results in {tier} for {query!r} (page {page})."
    lines = [f"{len(hits)} result(s), page {page}, in {tier} for {query!r}:"]
    for i, hit in enumerate(hits, start=1):
        role = hit.metadata.get("role")
        prefix = f"{role}: " if role else ""
        lines.append(f"[{i}] ({hit.citation}) {prefix}{hit.text}")
    lines.append(f"Cite results by their (thread, turn, time). More: page={page + 1}.")
    return "\n".join(lines)


def hits_artifact(hits: Sequence[SearchHit], page: int) -> dict[str, Any]:
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
    }


@contextmanager
def _store_errors_as_tool_errors() -> Iterator[None]:
    """A store's refusal becomes the tool's error message, which the model reads."""
    try:
        yield
    except MemoryStoreError as exc:
        raise ToolException(str(exc)) from None


def _search_reply(
    hits: Sequence[SearchHit], *, tier: str, query: str, page: int
) -> tuple[str, dict[str, Any]]:
    return format_hits(hits, tier=tier, query=query, page=page), hits_artifact(hits, page)


def _parse_day(value: str, field_name: str) -> date:
    try:
        return date.fromisoformat(value.strip()[:10])
    except (ValueError, AttributeError):
        raise ToolException(
            f"{field_name} {value!r} is not a date. Use the format YYYY-MM-DD, e.g. 2026-11-25."
        ) from None


def create_memory_tools(memory: Memory, *, page_size: int = 5) -> list[BaseTool]:
    """Build the six MemGPT memory tools bound to ``memory``.

    Identity comes from the config of the run that calls them (``configurable.user_id``,
    ``agent_id``, ``thread_id``), never from the model's arguments.
    """

    def core_memory_append(label: str, content: str, config: RunnableConfig) -> str:
        ident = resolve_identity(config)
        with _store_errors_as_tool_errors():
            block = memory.core.append(
                label, content, user_id=ident.user_id, agent_id=ident.agent_id
            )
        return (
            f"Appended to core memory block {label!r} "
            f"({len(block.value)}/{block.limit} characters used)."
        )

    def core_memory_replace(
        label: str, old_content: str, new_content: str, config: RunnableConfig
    ) -> str:
        ident = resolve_identity(config)
        with _store_errors_as_tool_errors():
            block = memory.core.replace(
                label, old_content, new_content, user_id=ident.user_id, agent_id=ident.agent_id
            )
        return (
            f"Replaced text in core memory block {label!r} "
            f"({len(block.value)}/{block.limit} characters used)."
        )

    def archival_memory_insert(
        content: str, config: RunnableConfig, tags: list[str] | None = None
    ) -> str:
        ident = resolve_identity(config)
        turn = (config.get("configurable") or {}).get(TURN_CONFIG_KEY)
        with _store_errors_as_tool_errors():
            record_id = memory.archival.insert(
                content,
                user_id=ident.user_id,
                agent_id=ident.agent_id,
                tags=tags,
                metadata={"thread_id": ident.thread_id, "turn": turn, "source": "agent"},
            )
        return f"Stored in archival memory as record {record_id} (thread {ident.thread_id}, turn {turn})."

    def archival_memory_search(
        query: str, config: RunnableConfig, page: int = 0
    ) -> tuple[str, dict[str, Any]]:
        ident = resolve_identity(config)
        with _store_errors_as_tool_errors():
            hits = memory.archival.search(
                query, user_id=ident.user_id, agent_id=ident.agent_id, k=page_size, page=page
            )
        return _search_reply(hits, tier="archival memory", query=query, page=page)

    def conversation_search(
        query: str, config: RunnableConfig, page: int = 0
    ) -> tuple[str, dict[str, Any]]:
        ident = resolve_identity(config)
        with _store_errors_as_tool_errors():
            hits = memory.recall.search(
                query, user_id=ident.user_id, agent_id=ident.agent_id, k=page_size, page=page
            )
        return _search_reply(hits, tier="recall memory", query=query, page=page)

    def conversation_search_date(
        start_date: str, end_date: str, config: RunnableConfig, page: int = 0
    ) -> tuple[str, dict[str, Any]]:
        ident = resolve_identity(config)
        start = _parse_day(start_date, "start_date")
        end = _parse_day(end_date, "end_date")
        if end < start:
            raise ToolException(
                f"end_date {end} is before start_date {start}. Swap them or widen the range."
            )
        with _store_errors_as_tool_errors():
            hits = memory.recall.search_by_date(
                start.isoformat(),
                end.isoformat(),
                user_id=ident.user_id,
                agent_id=ident.agent_id,
                k=page_size,
                page=page,
            )
        label = f"{start}..{end}"
        return _search_reply(hits, tier="recall memory", query=label, page=page)

    specs: list[tuple[Any, type[BaseModel], str, bool]] = [
        (
            core_memory_append,
            CoreMemoryAppendArgs,
            "Append a lasting fact to a pinned core-memory block (always in your prompt). "
            "Use label 'human' for facts about the user, 'persona' for yourself.",
            False,
        ),
        (
            core_memory_replace,
            CoreMemoryReplaceArgs,
            "Replace exact text in a core-memory block, e.g. to correct or remove a fact.",
            False,
        ),
        (
            archival_memory_insert,
            ArchivalInsertArgs,
            "Save a passage to archival memory (unlimited, searchable later). Write it so it "
            "makes sense on its own, with names and dates.",
            False,
        ),
        (
            archival_memory_search,
            SearchArgs,
            "Search archival memory (hybrid text + semantic). Results carry citations.",
            True,
        ),
        (
            conversation_search,
            SearchArgs,
            "Search every past message by words and meaning, including ones no longer in your "
            "prompt.",
            True,
        ),
        (
            conversation_search_date,
            DateSearchArgs,
            "List past messages between two dates (inclusive, YYYY-MM-DD).",
            True,
        ),
    ]
    tools: list[BaseTool] = []
    for func, schema, description, returns_artifact in specs:
        tools.append(
            StructuredTool.from_function(
                func=func,
                name=func.__name__,
                description=description,
                args_schema=schema,
                response_format="content_and_artifact" if returns_artifact else "content",
                handle_tool_error=_handle_tool_error,
                handle_validation_error=_handle_validation_error,
            )
        )
    return tools
