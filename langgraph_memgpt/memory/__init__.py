"""MemGPT's memory tiers: core blocks, recall (every message) and archival (hybrid search).

``Memory.open(path)`` is the entry point; nothing here imports torch or loads a model.
"""

from langgraph_memgpt.memory.agent_file import AgentFileError
from langgraph_memgpt.memory.ingest import IngestReport, retire_old_chunks
from langgraph_memgpt.memory.memory import Memory
from langgraph_memgpt.memory.portable import (
    IMPORTED_TRUST,
    TRUST_KEY,
    ImportReport,
    export_agent,
    import_agent,
)
from langgraph_memgpt.memory.types import (
    DEFAULT_AGENT_ID,
    Block,
    Citation,
    MemoryStoreError,
    SearchHit,
)

__all__ = [
    "DEFAULT_AGENT_ID",
    "IMPORTED_TRUST",
    "TRUST_KEY",
    "AgentFileError",
    "Block",
    "Citation",
    "ImportReport",
    "IngestReport",
    "Memory",
    "MemoryStoreError",
    "SearchHit",
    "export_agent",
    "import_agent",
    "retire_old_chunks",
]
