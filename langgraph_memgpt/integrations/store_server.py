"""The store ``langgraph.json`` serves to the LangGraph server (``"store": {"path": ...}``).

The server's own store would keep what apps put through its store API apart from our memory;
this one serves the same memory the graph uses (``graph.make_default_graph``: the database of
``MEMGPT_DATABASE_URL``, else the directory of ``MEMGPT_DATA_DIR``), so items put through the
SDK's store client are archival records the agent can search, and the reverse.
"""

from __future__ import annotations

from langgraph_memgpt.integrations.store import MemGPTStore


async def server_store() -> MemGPTStore:
    """Async factory the server calls once: the memory of the served graph, built off the
    event loop (``graph.server_graph``), as a :class:`MemGPTStore`."""
    from langgraph_memgpt.graph import server_graph

    compiled = await server_graph()
    memory = compiled.memory  # type: ignore[attr-defined]
    return MemGPTStore(memory)
