"""Our memory behind the interfaces agents already use: LangGraph's store API (``store.py``)
and the Model Context Protocol (``mcp_server.py``, loaded only by ``langgraph-memgpt mcp``)."""

from langgraph_memgpt.integrations.store import MemGPTStore
from langgraph_memgpt.integrations.store_items import MemGPTItem, MemGPTSearchItem

__all__ = ["MemGPTItem", "MemGPTSearchItem", "MemGPTStore"]
