"""Problems of an agent file, collected rather than raised one at a time, and JSON decoding.

A file is checked whole before anything is written; :class:`AgentFileError` lists every
problem with its JSON path (``agents[0].messages[3].role: ...``), pydantic's included.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from langgraph_memgpt.memory.types import MemoryStoreError

MAX_PROBLEMS_SHOWN = 50
M = TypeVar("M", bound=BaseModel)


class AgentFileError(MemoryStoreError):
    """A document that cannot be imported; ``problems`` lists every reason found."""

    def __init__(self, problems: list[str], where: str = "the agent file") -> None:
        self.problems = problems
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        lines = "\n".join(f"  - {p}" for p in shown)
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(
            f"{len(problems)} problem(s) in {where}; nothing was imported:\n{lines}{tail}"
        )


def _path(where: str, loc: tuple[int | str, ...]) -> str:
    out = where
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the document"


class Problems:
    """Collects problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def check(self, where: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)``, or None with its MemoryStoreError recorded."""
        try:
            return fn(*args, **kwargs)
        except MemoryStoreError as exc:
            self.add(where, str(exc).rstrip("."))
            return None

    def kind(self, where: str, value: Any, types: type | tuple[type, ...], name: str) -> bool:
        if isinstance(value, types) and not isinstance(value, bool):
            return True
        self.add(where, f"must be {name}, got {type(value).__name__}")
        return False

    def model(self, model: type[M], raw: Any, where: str) -> M | None:
        """``raw`` validated as ``model``, or None with each of pydantic's errors recorded."""
        if not isinstance(raw, dict):
            self.add(where or "the document", f"must be an object, got {type(raw).__name__}")
            return None
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                got = type(error.get("input")).__name__
                detail = error["msg"] + ("" if error["type"] == "missing" else f", got {got}")
                self.add(_path(where, tuple(error["loc"])), detail)
            return None


def loads(data: bytes | str, where: str = "the agent file") -> Any:
    """JSON text to Python, with a clear error for truncated or malformed text.

    A document that is itself a JSON string holding an object (encoded twice, as some
    published agent files are) is decoded once more.
    """
    try:
        doc = json.loads(data)
        if isinstance(doc, str) and doc.lstrip().startswith("{"):
            doc = json.loads(doc)
        return doc
    except json.JSONDecodeError as exc:
        # ``msg`` may end mid-phrase ("Unterminated string starting at"): the place completes it.
        place = f"line {exc.lineno} column {exc.colno}"
        what = f"{exc.msg} {place}" if exc.msg.endswith(" at") else f"{exc.msg} at {place}"
        unclosed = exc.msg.startswith("Unterminated string") and '"' not in exc.doc[exc.pos + 1 :]
        hint = " (the file looks truncated)" if exc.pos >= len(exc.doc) - 1 or unclosed else ""
        raise AgentFileError([f"not valid JSON: {what}{hint}"], where) from None
    except (RecursionError, UnicodeDecodeError, ValueError) as exc:
        raise AgentFileError([f"cannot be read as JSON: {type(exc).__name__}"], where) from None
