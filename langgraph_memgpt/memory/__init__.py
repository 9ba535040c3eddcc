"""MemGPT's memory tiers: core blocks, recall (every message) and archival (hybrid search).

``Memory.open(path)`` is the entry point; nothing here imports torch or loads a model.
"""

from langgraph_memgpt.memory.aio import MemoryExecutor, off_loop, off_loop_in
from langgraph_memgpt.memory.guard.policy import GuardControl
from langgraph_memgpt.memory.guard.review import ModelReviewer
from langgraph_memgpt.memory.hygiene.consolidation import (
    ConsolidationReport,
    Consolidator,
    consolidate,
)
from langgraph_memgpt.memory.hygiene.fallback_reader import FallbackReader
from langgraph_memgpt.memory.hygiene.learned_decider import LearnedDecider
from langgraph_memgpt.memory.hygiene.supersede import (
    Applied,
    Decider,
    ModelDecider,
    Proposal,
    RuleDecider,
    apply_proposals,
)
from langgraph_memgpt.memory.io.agent_file import AgentFileError
from langgraph_memgpt.memory.io.ingest import IngestReport, retire_old_chunks
from langgraph_memgpt.memory.io.portable import (
    IMPORTED_TRUST,
    TRUST_KEY,
    ImportReport,
    export_agent,
    import_agent,
)
from langgraph_memgpt.memory.memory import Memory
from langgraph_memgpt.memory.text.claims import Claim, parse_claim
from langgraph_memgpt.memory.text.injection import Verdict, scan
from langgraph_memgpt.memory.tiers.archival import Stored
from langgraph_memgpt.memory.types import (
    DEFAULT_AGENT_ID,
    Block,
    Citation,
    MemoryStoreError,
    MemoryStoreUnavailable,
    SearchHit,
    StoreNotFoundError,
)

__all__ = [
    "off_loop",
    "off_loop_in",
    "MemoryExecutor",
    "DEFAULT_AGENT_ID",
    "AgentFileError",
    "Applied",
    "apply_proposals",
    "Block",
    "Citation",
    "Claim",
    "consolidate",
    "ConsolidationReport",
    "Consolidator",
    "Decider",
    "export_agent",
    "GuardControl",
    "import_agent",
    "IMPORTED_TRUST",
    "ImportReport",
    "IngestReport",
    "FallbackReader",
    "LearnedDecider",
    "Memory",
    "MemoryStoreError",
    "StoreNotFoundError",
    "MemoryStoreUnavailable",
    "ModelDecider",
    "ModelReviewer",
    "parse_claim",
    "Proposal",
    "retire_old_chunks",
    "RuleDecider",
    "scan",
    "SearchHit",
    "Stored",
    "TRUST_KEY",
    "Verdict",
]
