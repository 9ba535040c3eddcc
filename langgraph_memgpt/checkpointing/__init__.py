"""LangGraph checkpoint savers for each backend, with one retention policy.

``sqlite`` holds the embedded default (``PruningSqliteSaver``), ``postgres`` the scale-out one.
"""

from langgraph_memgpt.checkpointing.retention import DEFAULT_KEEP_LAST, KEEP_ENV
from langgraph_memgpt.checkpointing.sqlite import PruningSqliteSaver, sqlite_checkpointer

__all__ = ["DEFAULT_KEEP_LAST", "KEEP_ENV", "PruningSqliteSaver", "sqlite_checkpointer"]
