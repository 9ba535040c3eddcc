"""Agent files: one versioned JSON document holding agents' whole memory and settings.

The layout is Letta's Agent File (``.af``, ``letta/schemas/agent_file.py``), current and
pre-October-2025, so a file exported by Letta imports and Letta reads ours:

* ``models``: pydantic models of Letta's schema and the layout detector;
* ``reading``: a document checked whole into one plan per agent (``parse_agents``);
* ``writing``: a stored agent as a document (``export_agent``);
* ``profile``: what the tiers do not hold (system prompt, tools as data, message reasoning and
  tool returns...), kept beside the agent in the store's ``meta`` table;
* ``seed``: the context an imported agent had, where a new thread of it starts;
* ``extension``: the ``memgpt`` key (archival memory, threads, the embedding model).
"""

from langgraph_memgpt.memory.io.agent_file.extension import (
    EXTENSION,
    FORMAT,
    SCHEMA_VERSION,
    Passage,
)
from langgraph_memgpt.memory.io.agent_file.models import detect_layout
from langgraph_memgpt.memory.io.agent_file.problems import AgentFileError, loads
from langgraph_memgpt.memory.io.agent_file.reading import (
    AgentPlan,
    Message,
    parse,
    parse_agents,
)
from langgraph_memgpt.memory.io.agent_file.seed import context_seed

#: Letta's top-level lists an export writes.
LETTA_LISTS = ("groups", "files", "sources", "tools", "mcp_servers", "skills")

__all__ = [
    "EXTENSION",
    "FORMAT",
    "LETTA_LISTS",
    "SCHEMA_VERSION",
    "AgentFileError",
    "AgentPlan",
    "Message",
    "Passage",
    "context_seed",
    "detect_layout",
    "loads",
    "parse",
    "parse_agents",
]
