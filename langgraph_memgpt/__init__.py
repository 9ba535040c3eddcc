"""MemGPT-style virtual context memory for LLM agents, as a LangGraph state machine.

Imports stay light: nothing here loads torch or an embedding model; the local model loads on
its first use.
"""

from langgraph_memgpt.checkpointing.sqlite import PruningSqliteSaver, sqlite_checkpointer
from langgraph_memgpt.configuration import MemGPTConfig, MemGPTContext, chat_model_from_settings
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
    "chat_model_from_settings",
    "create_memgpt_agent",
    "create_memory_tools",
    "sqlite_checkpointer",
]
__version__ = "0.1.0"
