"""MemGPT's memory tiers: core blocks, recall (every message) and archival (hybrid search).

``Memory.open(path)`` is the entry point; nothing here imports torch or loads a model.
"""

from langgraph_memgpt.memory.archival import Stored
from langgraph_memgpt.memory.claims import Claim, parse_claim
from langgraph_memgpt.memory.consolidation import ConsolidationReport, Consolidator, consolidate
from langgraph_memgpt.memory.memory import Memory
from langgraph_memgpt.memory.supersede import (
    Applied,
    Decider,
    ModelDecider,
    Proposal,
    RuleDecider,
    apply_proposals,
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
    "Applied",
    "Block",
    "Citation",
    "Claim",
    "ConsolidationReport",
    "Consolidator",
    "Decider",
    "Memory",
    "MemoryStoreError",
    "ModelDecider",
    "Proposal",
    "RuleDecider",
    "SearchHit",
    "Stored",
    "apply_proposals",
    "consolidate",
    "parse_claim",
]
