"""The main context as typed graph state.

Only what must be in the prompt lives here: the FIFO of recent messages, the recursive summary
of what was evicted and a snapshot of the core blocks. Everything else is on "disk" (recall and
archival memory), so a checkpoint stays as small as the prompt however long the thread runs.
"""

from __future__ import annotations

from typing import Annotated, Any

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict


class MemGPTState(TypedDict, total=False):
    """State of one thread.

    ``messages`` is the FIFO queue (evicted with ``RemoveMessage`` by the compact node).
    ``core`` mirrors the core-memory blocks as last rendered into the prompt; the store is the
    source of truth, because other threads of the same user may edit the same blocks.
    ``compact_requested`` is set by ``reason`` when the prompt needs compacting before the model
    call (it routes to ``compact``); ``compacted_at`` (``"<turn>:<step>"``) records the model
    call ``compact`` last prepared, so ``reason`` never sends the same call back twice.
    """

    messages: Annotated[list[AnyMessage], add_messages]
    summary: str
    core: dict[str, dict[str, Any]]
    context_tokens: int
    pressure_warned: bool
    turn: int
    turn_started_by: str
    steps: int
    evicted_total: int
    overflow_retry: bool
    fifo_ids: list[str]
    compact_requested: bool
    compacted_at: str
    #: ``{"user_id": ..., "agent_id": ...}`` of the thread's first run; any other identity is
    #: refused (``configuration.claim_thread``): thread ids are shared by every user.
    owner: dict[str, str]
    #: Set when another user's run was refused (its input taken out again); cleared by the
    #: owner's next run.
    refused: str


class MemGPTInput(TypedDict):
    """What a caller passes in: new messages only."""

    messages: Annotated[list[AnyMessage], add_messages]
