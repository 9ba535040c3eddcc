"""Defaults shared by the API and the command line, in a module that imports nothing (so
``langgraph-memgpt --help`` need not load LangChain to show them)."""

from __future__ import annotations

#: Whose memory a run reads and writes when its config names no user.
DEFAULT_USER_ID = "default-user"
#: Where ``chat`` and ``memory`` keep their store unless ``--data-dir`` says otherwise.
DEFAULT_DATA_DIR = "./memgpt-data"
