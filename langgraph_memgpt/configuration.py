"""Budgets, thresholds and identity: everything a run can tune, in one place.

Identity (``user_id``, ``agent_id``) is read from the run's config or context and never from the
model, so a prompt injection cannot make the agent read or write another user's memory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import BaseMessage
from langchain_core.messages.utils import count_tokens_approximately
from langchain_core.runnables import RunnableConfig

from langgraph_memgpt.defaults import DEFAULT_USER_ID
from langgraph_memgpt.memory.types import DEFAULT_AGENT_ID

DEFAULT_THREAD_ID = "default-thread"

TokenCounter = Callable[[Sequence[BaseMessage]], int]


def approximate_token_counter(messages: Sequence[BaseMessage]) -> int:
    """Offline, dependency-free counter (about four characters a token)."""
    return count_tokens_approximately(messages)


@dataclass
class MemGPTConfig:
    """How the main context is budgeted.

    The budget is ``context_window`` tokens. Out of it ``reserve_tokens`` are kept free for the
    model's answer and the tool schemas are charged too, so what remains is the room for the
    system prompt, core memory, summary and the FIFO of messages.
    """

    context_window: int = 8192
    warning_fraction: float = 0.7
    target_fraction: float = 0.5
    reserve_tokens: int = 512
    max_steps: int = 12
    summary_max_words: int = 250
    search_page_size: int = 5
    #: Sleep-time consolidation of memory (``memory/hygiene/consolidation.py``) after every N finished
    #: turns of a user, on a background thread; 0 turns it off.
    consolidate_every: int = 5
    #: ``None``: the most exact offline counter for the model (see ``tokens.py``).
    token_counter: TokenCounter | None = None
    #: Checkpoints the default checkpointer keeps per thread (``checkpointing/retention.py``):
    #: ``"default"`` (env ``MEMGPT_KEEP_CHECKPOINTS``, else 16), a number, or ``None`` for all.
    keep_checkpoints: int | None | str = "default"

    def __post_init__(self) -> None:
        if self.context_window < 256:
            raise ValueError("context_window must be at least 256 tokens")
        if not 0 < self.target_fraction < self.warning_fraction <= 1:
            raise ValueError("need 0 < target_fraction < warning_fraction <= 1")
        if not 0 <= self.reserve_tokens < self.context_window // 2:
            raise ValueError("reserve_tokens must be below half the context window")
        if self.max_steps < 1:
            raise ValueError("max_steps must be at least 1")
        if self.consolidate_every < 0:
            raise ValueError("consolidate_every must be 0 (off) or a number of turns")


@dataclass
class MemGPTContext:
    """Run-scoped settings: the graph's context schema, so LangGraph Studio shows them.

    Every field is optional; ``None`` falls back to ``config["configurable"]`` (identity) or
    to the agent's compiled settings (budget).
    """

    user_id: str | None = None
    agent_id: str | None = None
    context_window: int | None = None


@dataclass(frozen=True)
class Identity:
    """Who a run is for: the namespace of every memory read and write."""

    user_id: str
    agent_id: str
    thread_id: str


def resolve_identity(config: RunnableConfig | None, context: Any = None) -> Identity:
    """Read identity from the runtime context first, then ``config["configurable"]``."""
    configurable: Mapping[str, Any] = (config or {}).get("configurable") or {}

    def pick(key: str, default: str) -> str:
        value = None
        if context is not None:
            value = (
                context.get(key) if isinstance(context, Mapping) else getattr(context, key, None)
            )
        if value in (None, ""):
            value = configurable.get(key)
        return str(value) if value not in (None, "") else default

    return Identity(
        user_id=pick("user_id", DEFAULT_USER_ID),
        agent_id=pick("agent_id", DEFAULT_AGENT_ID),
        thread_id=pick("thread_id", DEFAULT_THREAD_ID),
    )


class ThreadOwnerError(ValueError):
    """A thread continued under another user (or agent) than the one it belongs to.

    LangGraph's ``thread_id`` names a checkpoint thread for every user of a checkpointer: two
    users passing the same ``thread_id`` would share one FIFO, each reading the other's
    messages into their own memory. The graph records the identity of a thread's first run in
    its state (``owner``) and refuses any other before reading or writing memory.
    ``owner`` is the thread's (``user_id``, ``agent_id``), ``identity`` the refused run's.
    """

    def __init__(self, owner: Mapping[str, str], identity: Identity) -> None:
        self.owner = dict(owner)
        self.identity = identity
        super().__init__(
            f"thread {identity.thread_id!r} belongs to user {owner.get('user_id')!r} (agent "
            f"{owner.get('agent_id')!r}); user {identity.user_id!r} (agent {identity.agent_id!r}) "
            "cannot continue it. "
            + (
                "The run names no user_id: pass the owner's in config['configurable'] (a "
                "config returned by update_state or get_state carries only the checkpoint "
                "keys; merge your own configurable into it)."
                if identity.user_id == DEFAULT_USER_ID
                else "Thread ids are shared by every user of the checkpointer: give each user "
                "their own (for example f'{user_id}:{thread}')."
            )
        )


def claim_thread(state: Mapping[str, Any], identity: Identity) -> dict[str, Any]:
    """The state update recording ``identity`` as the thread's owner on its first run (``{}``
    once recorded), or :class:`ThreadOwnerError` when the thread belongs to someone else."""
    mine = {"user_id": identity.user_id, "agent_id": identity.agent_id}
    owner = state.get("owner")
    if not owner:
        return {"owner": mine}
    if dict(owner) != mine:
        raise ThreadOwnerError(owner, identity)
    return {}


def _check_base_url(url: str) -> None:
    """Refuse a base URL the client would only reject at the first turn, after the user typed."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"base URL {url!r} is not an http(s) URL with a host; an OpenAI-compatible server's "
            "looks like http://127.0.0.1:8000/v1"
        )


def chat_model_from_settings(
    model: str | None = None,
    base_url: str | None = None,
    *,
    temperature: float | None = None,
    timeout: float | None = None,
    max_retries: int | None = None,
) -> tuple[Any, str]:
    """Pick the chat model: ``ChatOpenAI`` when configured, else the offline driver.

    Configured means a model name or base URL was given (argument or ``MEMGPT_MODEL`` /
    ``OPENAI_BASE_URL``) or ``OPENAI_API_KEY`` is set. Returns the model and a one-line
    description for the user, which says plainly when the offline stand-in is used.
    """
    import os

    name = model or os.environ.get("MEMGPT_MODEL")
    url = base_url or os.environ.get("OPENAI_BASE_URL")
    key = os.environ.get("OPENAI_API_KEY")
    if not (name or url or key):
        from langgraph_memgpt.models import OfflineDriver

        return OfflineDriver(), (
            "offline driver (rule-based stand-in, not an LLM): set OPENAI_API_KEY, "
            "--model or --base-url to use a real model"
        )
    if url:
        _check_base_url(url)
    from langchain_openai import ChatOpenAI

    kwargs: dict[str, Any] = {"model": name or "gpt-4o-mini"}
    if url:
        kwargs["base_url"] = url
        # Local OpenAI-compatible servers usually accept any key.
        kwargs["api_key"] = key or "not-needed"
    env = os.environ
    temp = temperature if temperature is not None else env.get("MEMGPT_TEMPERATURE")
    if temp is not None:
        kwargs["temperature"] = float(temp)
    kwargs["timeout"] = float(timeout if timeout is not None else env.get("MEMGPT_TIMEOUT", 60))
    kwargs["max_retries"] = int(
        max_retries if max_retries is not None else env.get("MEMGPT_MAX_RETRIES", 2)
    )
    chat = ChatOpenAI(**kwargs)
    where = f" at {url}" if url else ""
    return chat, f"{kwargs['model']} via langchain-openai{where}"
