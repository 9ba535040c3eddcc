"""The one retention policy of both default savers: keep the newest N checkpoints of a thread.

LangGraph writes a full snapshot of the state at every super-step and never deletes one. Our
state is bounded by the context budget and recall memory keeps every message, so old
snapshots are only needed for what LangGraph promises on top of resuming: ``get_state_history``,
``update_state(..., as_node=...)``, forking from an earlier checkpoint (Studio's time travel).
Both savers keep the newest ``keep_last`` checkpoints of each (thread, namespace), with their
pending writes, and delete older ones: the default keeps the last few turns within reach while
disk per turn stays bounded (a snapshot holds at most one context window of messages).

The setting: ``MemGPTConfig(keep_checkpoints=...)`` for ``create_memgpt_agent``,
``Memory.default_checkpointer(keep_last=...)``, or the ``MEMGPT_KEEP_CHECKPOINTS`` environment
variable (a number, or ``all`` to keep everything); ``None`` keeps everything.
"""

from __future__ import annotations

import os
from typing import Final

#: Checkpoints kept per (thread, namespace) by default: the last five to eight turns (a turn
#: that fits its budget writes two, one with tool calls or compaction three or four).
DEFAULT_KEEP_LAST = 16
#: Environment variable overriding the default (a number, or ``all``).
KEEP_ENV = "MEMGPT_KEEP_CHECKPOINTS"

#: Stands for "not given" in :func:`resolve_keep_last` (``None`` already means keep all).
DEFAULT: Final = "default"


def resolve_keep_last(keep_last: int | None | str = DEFAULT) -> int | None:
    """The number of checkpoints to keep: the argument if given, else the environment, else
    :data:`DEFAULT_KEEP_LAST`. ``None`` means keep everything. Bad values fail here, clearly."""
    if keep_last == DEFAULT:
        raw = os.environ.get(KEEP_ENV, "").strip().lower()
        if not raw:
            return DEFAULT_KEEP_LAST
        if raw in ("all", "none"):
            return None
        try:
            keep_last = int(raw)
        except ValueError:
            raise ValueError(f"{KEEP_ENV} must be a number or 'all', got {raw!r}") from None
    if keep_last is None:
        return None
    if not isinstance(keep_last, int) or isinstance(keep_last, bool) or keep_last < 1:
        raise ValueError(f"keep_last must be at least 1 (or None to keep all), got {keep_last!r}")
    return keep_last
