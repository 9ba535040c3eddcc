"""MemGPT-style virtual context memory for LLM agents, as a LangGraph state machine.

Imports stay light: nothing here loads torch or an embedding model (the local model loads on
its first use), and the public names below are imported on first access, so a command line
that needs none of them (``langgraph-memgpt --help``) starts at once.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langgraph_memgpt.checkpointing.sqlite import PruningSqliteSaver, sqlite_checkpointer
    from langgraph_memgpt.configuration import (
        MemGPTConfig,
        MemGPTContext,
        ThreadOwnerError,
        chat_model_from_settings,
    )
    from langgraph_memgpt.graph import create_memgpt_agent
    from langgraph_memgpt.integrations.store import MemGPTStore
    from langgraph_memgpt.memory import Memory
    from langgraph_memgpt.memory.types import (
        Block,
        Citation,
        MemoryStoreError,
        MemoryStoreUnavailable,
        SearchHit,
    )
    from langgraph_memgpt.models import OfflineDriver
    from langgraph_memgpt.state import MemGPTState
    from langgraph_memgpt.tools import MEMORY_TOOL_NAMES, create_memory_tools

_WHERE = {
    "PruningSqliteSaver": "langgraph_memgpt.checkpointing.sqlite",
    "sqlite_checkpointer": "langgraph_memgpt.checkpointing.sqlite",
    "MemGPTConfig": "langgraph_memgpt.configuration",
    "MemGPTContext": "langgraph_memgpt.configuration",
    "ThreadOwnerError": "langgraph_memgpt.configuration",
    "chat_model_from_settings": "langgraph_memgpt.configuration",
    "create_memgpt_agent": "langgraph_memgpt.graph",
    "MemGPTStore": "langgraph_memgpt.integrations.store",
    "Memory": "langgraph_memgpt.memory",
    "Block": "langgraph_memgpt.memory.types",
    "Citation": "langgraph_memgpt.memory.types",
    "MemoryStoreError": "langgraph_memgpt.memory.types",
    "MemoryStoreUnavailable": "langgraph_memgpt.memory.types",
    "SearchHit": "langgraph_memgpt.memory.types",
    "OfflineDriver": "langgraph_memgpt.models",
    "MemGPTState": "langgraph_memgpt.state",
    "MEMORY_TOOL_NAMES": "langgraph_memgpt.tools",
    "create_memory_tools": "langgraph_memgpt.tools",
}


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first access (PEP 562)."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'langgraph_memgpt' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])


__all__ = [
    "MEMORY_TOOL_NAMES",
    "Block",
    "Citation",
    "MemGPTConfig",
    "MemGPTContext",
    "MemGPTState",
    "MemGPTStore",
    "Memory",
    "MemoryStoreError",
    "MemoryStoreUnavailable",
    "OfflineDriver",
    "PruningSqliteSaver",
    "SearchHit",
    "ThreadOwnerError",
    "chat_model_from_settings",
    "create_memgpt_agent",
    "create_memory_tools",
    "sqlite_checkpointer",
]
__version__ = "0.1.0"
