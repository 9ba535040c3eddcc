"""The memory tools' argument schemas, descriptions, and how a bad call is answered.

What the model sees of each tool (``TOOL_SPECS``), kept apart from what the tools do
(``tools.py``) and what they reply (``tool_replies.py``).
"""

from __future__ import annotations

from langchain_core.tools import ToolException
from pydantic import BaseModel, Field, ValidationError


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


def handle_validation_error(error: ValidationError | Exception) -> str:
    if isinstance(error, ValidationError):
        return _validation_message(error)
    return f"Invalid arguments: {error}. Fix them and call the tool again."


def handle_tool_error(error: ToolException) -> str:
    return f"Error: {error}"


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
