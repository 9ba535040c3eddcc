"""MemGPT's memory tiers: core blocks, recall (every message) and archival (hybrid search).

``Memory.open(path)`` is the entry point; nothing here imports torch or loads a model.
"""

from langgraph_memgpt.memory.guard import Verdict, scan
from langgraph_memgpt.memory.guard_policy import GuardControl
from langgraph_memgpt.memory.memory import Memory
from langgraph_memgpt.memory.types import (
    DEFAULT_AGENT_ID,
    Block,
    Citation,
    MemoryStoreError,
    SearchHit,
)

__all__ = [
    "DEFAULT_AGENT_ID",
    "Block",
    "Citation",
    "GuardControl",
    "Memory",
    "MemoryStoreError",
    "SearchHit",
    "Verdict",
    "scan",
]
