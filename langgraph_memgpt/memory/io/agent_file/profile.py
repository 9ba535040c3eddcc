"""What an agent file says about an agent that the memory tiers do not hold, kept as data.

An imported agent's settings (name, description, system prompt, tools with their JSON schema
and source code, tool rules, tags, LLM/embedding settings and any field this package does not
know), its blocks' extra fields (``read_only``, metadata) and which messages were in its
context are stored as one JSON value in the store's ``meta`` table; each message's reasoning
parts, tool returns and unknown fields as another. Export writes them back. Nothing here is
ever executed: a tool's source code is text.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langgraph_memgpt.memory.memory import Memory

_PROFILE = "agent-file/profile/{agent}/{user}"
_MESSAGES = "agent-file/messages/{agent}/{user}"


def _load(memory: Memory, key: str) -> dict[str, Any]:
    raw = memory.get_meta(key)
    value = json.loads(raw) if raw else {}
    return value if isinstance(value, dict) else {}


def load_profile(memory: Memory, *, user_id: str, agent_id: str) -> dict[str, Any]:
    """``{"settings": {...}, "blocks": {label: {...}}, "context": {...}}``, {} if none."""
    return _load(memory, _PROFILE.format(agent=agent_id, user=user_id))


def save_profile(memory: Memory, profile: dict[str, Any], *, user_id: str, agent_id: str) -> None:
    memory.set_meta(
        _PROFILE.format(agent=agent_id, user=user_id), json.dumps(profile, ensure_ascii=False)
    )


def load_message_extras(memory: Memory, *, user_id: str, agent_id: str) -> dict[str, Any]:
    """Stored message id -> what the agent file had beyond the recall row."""
    return _load(memory, _MESSAGES.format(agent=agent_id, user=user_id))


def save_message_extras(
    memory: Memory, extras: dict[str, Any], *, user_id: str, agent_id: str
) -> None:
    if extras:
        memory.set_meta(
            _MESSAGES.format(agent=agent_id, user=user_id), json.dumps(extras, ensure_ascii=False)
        )
