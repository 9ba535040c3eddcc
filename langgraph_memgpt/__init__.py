"""MemGPT-style virtual context memory for LLM agents, as a LangGraph state machine.

Imports stay light: nothing here loads torch or an embedding model; the local model loads on
its first use.
"""

from langgraph_memgpt.memory.types import Block, Citation, MemoryStoreError, SearchHit

__all__ = ["Block", "Citation", "MemoryStoreError", "SearchHit"]
__version__ = "0.1.0"
