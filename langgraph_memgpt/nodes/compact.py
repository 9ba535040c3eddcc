"""The compact node: keeps the main context within its token budget.

``reason`` measures the prompt before every model call and comes here first when the prompt
needs work (:func:`needs_compaction`: the pressure alert, an eviction, messages a parent graph
sent again), or after the server rejected a prompt as too long; a turn that fits its budget
never visits this node. Order matters for the "nothing is lost" promise: every message is
written to recall memory *before* any eviction can remove it from the state.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AnyMessage,
    BaseMessage,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
)
from langchain_core.runnables import RunnableConfig
from langgraph.runtime import Runtime

from langgraph_memgpt.configuration import Identity, claim_thread, resolve_identity
from langgraph_memgpt.context import (
    AgentSettings,
    latest_user_message,
    message_groups,
    prompt_tokens,
    render_system_message,
)
from langgraph_memgpt.nodes.summary import summarize
from langgraph_memgpt.nodes.truncation import truncate_to_fit
from langgraph_memgpt.prompts import MEMORY_ALERT_NAME, PRESSURE_ALERT
from langgraph_memgpt.state import MemGPTState

logger = logging.getLogger(__name__)


def compaction_marker(turn: int, steps: int) -> str:
    """Names one model call of a thread: the turn and the number of model calls before it."""
    return f"{turn}:{steps}"


def needs_compaction(settings: AgentSettings, tokens: int, pressure_warned: bool) -> bool:
    """Whether a prompt of ``tokens`` needs the compact node before the model sees it."""
    if tokens > settings.prompt_limit:
        return True  # evict (or truncate) down to the target
    return tokens >= settings.warning_tokens and not pressure_warned  # the one-off alert


def persist_to_recall(
    settings: AgentSettings, identity: Identity, messages: Sequence[BaseMessage], turn: int
) -> None:
    """Write messages to recall memory; idempotent on message id, so safe to repeat."""
    if messages:
        settings.memory.recall.append_messages(
            list(messages),
            user_id=identity.user_id,
            thread_id=identity.thread_id,
            agent_id=identity.agent_id,
            turn=turn,
        )


def pressure_alert(settings: AgentSettings, tokens: int, message_id: str) -> HumanMessage:
    """The one-off warning that lets the model save what matters before eviction."""
    window = settings.config.context_window
    return HumanMessage(
        content=PRESSURE_ALERT.format(
            percent=round(100 * tokens / window), tokens=tokens, budget=window
        ),
        name=MEMORY_ALERT_NAME,
        id=message_id,
    )


def choose_evictions(
    settings: AgentSettings,
    system: SystemMessage,
    messages: list[AnyMessage],
    newest_user: HumanMessage | None,
    target: int,
) -> tuple[list[AnyMessage], list[AnyMessage]]:
    """Oldest whole groups go first, until the prompt is under the target.

    The current turn (from the newest user message on) is never evicted: the model must see
    the question it is answering. Group sizes are counted once, so this is linear in the FIFO.
    """
    groups = message_groups(messages)
    protected_from = next(
        (
            i
            for i, group in enumerate(groups)
            if newest_user is not None and any(m.id == newest_user.id for m in group)
        ),
        len(groups) - 1,
    )
    counter = settings.count
    remaining = prompt_tokens(settings, system, messages)
    cut = 0
    while cut < protected_from and remaining > target:
        remaining -= counter(groups[cut])
        cut += 1
    evicted = [m for group in groups[:cut] for m in group]
    kept = [m for group in groups[cut:] for m in group]
    return evicted, kept


def drop_resent_evictions(
    settings: AgentSettings,
    identity: Identity,
    state: MemGPTState,
    messages: list[AnyMessage],
    newest_user: HumanMessage,
) -> tuple[list[AnyMessage], list[AnyMessage]]:
    """Split off messages a parent graph sent again after we had evicted them.

    Embedded as a subgraph, this graph receives the parent's whole transcript every turn. A
    message that is not in our FIFO (``fifo_ids``) but is already in recall memory was seen and
    evicted before: it is dropped again without a second summary. Messages recall has never
    seen (the parent's own nodes) are new context and stay.
    """
    known = state.get("fifo_ids")
    if known is None:
        return messages, []
    known_ids = set(known)
    candidates = [m for m in messages if m.id and m.id not in known_ids and m.id != newest_user.id]
    in_recall = settings.memory.recall.stored_ids(
        [str(m.id) for m in candidates], user_id=identity.user_id, agent_id=identity.agent_id
    )
    resent = [m for m in candidates if m.id in in_recall]
    if not resent:
        return messages, []
    dropped = {m.id for m in resent}
    return [m for m in messages if m.id not in dropped], resent


def compaction_target(settings: AgentSettings, tokens: int, forced: bool) -> int:
    """Tokens to compact down to. After the server rejected a prompt as too long (``forced``)
    our count was wrong for that model: at most half of what was sent, whatever it says."""
    return min(settings.target_tokens, tokens // 2) if forced else settings.target_tokens


def prompt_limit_after(settings: AgentSettings, target: int, forced: bool) -> int:
    """The most a compacted prompt may take: the limit, or the target after a rejection."""
    return min(settings.prompt_limit, target) if forced else settings.prompt_limit


@dataclass
class TurnStart:
    """Where a compaction stands in the thread: the turn, model calls so far, and the state
    fields to write when this call opens a new turn."""

    turn: int
    steps: int
    update: dict[str, Any]
    new_turn: bool


def turn_start(state: MemGPTState, newest_user: HumanMessage | None) -> TurnStart:
    """A new user message opens a new turn (steps restart at 0); otherwise the turn goes on."""
    turn, steps = state.get("turn", 0), state.get("steps", 0)
    if newest_user is None or newest_user.id == state.get("turn_started_by"):
        return TurnStart(turn, steps, {}, new_turn=False)
    update = {"turn": turn + 1, "turn_started_by": newest_user.id, "steps": 0}
    return TurnStart(turn + 1, 0, update, new_turn=True)


@dataclass
class Prompt:
    """The prompt being compacted: what ``compact`` re-renders and re-measures as it goes."""

    settings: AgentSettings
    identity: Identity
    messages: list[AnyMessage]
    summary: str
    evicted_total: int
    system: SystemMessage = field(init=False)
    tokens: int = field(init=False)

    def __post_init__(self) -> None:
        self.render()

    def render(self) -> None:
        """Re-render the system message (memory statistics change) and re-measure."""
        self.system = render_system_message(
            self.settings, self.identity, self.summary, self.evicted_total
        )
        self.tokens = prompt_tokens(self.settings, self.system, self.messages)


def add_pressure_alert(prompt: Prompt, alert_id: str, turn: int) -> HumanMessage:
    """Append the one-off pressure alert (written to recall first) and re-measure."""
    alert = pressure_alert(prompt.settings, prompt.tokens, alert_id)
    persist_to_recall(prompt.settings, prompt.identity, [alert], turn)
    prompt.messages.append(alert)
    prompt.render()
    return alert


def evict_to(
    model: BaseChatModel,
    prompt: Prompt,
    newest_user: HumanMessage | None,
    target: int,
    limit: int,
    config: RunnableConfig,
) -> tuple[list[AnyMessage], list[BaseMessage], list[AnyMessage]]:
    """Evict the oldest groups down to ``target`` (folding them into the summary), then
    shorten what is kept until it fits ``limit``.

    Returns what is kept, the removals to apply and the shortened replacements; ``prompt``
    ends with the new summary and the kept messages' size.
    """
    evicted, kept = choose_evictions(
        prompt.settings, prompt.system, prompt.messages, newest_user, target
    )
    removals: list[BaseMessage] = [RemoveMessage(id=m.id) for m in evicted if m.id]
    prompt.messages = kept
    if evicted:
        prompt.summary = summarize(model, prompt.settings, prompt.summary, evicted, config)
        prompt.evicted_total += len(evicted)
        prompt.render()  # the summary and the statistics changed
    truncated = truncate_to_fit(prompt.settings, prompt.system, kept, limit)
    if truncated:
        by_id = {m.id: m for m in truncated}
        prompt.messages = [by_id.get(m.id, m) for m in kept]
        prompt.tokens = prompt_tokens(prompt.settings, prompt.system, prompt.messages)
    return prompt.messages, removals, truncated


def make_compact_node(model: BaseChatModel, base_settings: AgentSettings) -> Any:
    """Build the compact node bound to one agent's model and memory."""

    def compact(state: MemGPTState, config: RunnableConfig, runtime: Runtime) -> dict[str, Any]:
        identity = resolve_identity(config, runtime.context)
        claim_thread(state, identity)  # another user's run is refused here (reason.refuse_input)
        settings = base_settings.for_run(runtime.context)
        messages: list[AnyMessage] = list(state.get("messages", []))
        newest_user = latest_user_message(messages)
        start = turn_start(state, newest_user)
        update: dict[str, Any] = dict(start.update)
        resent: list[AnyMessage] = []
        if start.new_turn and newest_user is not None:
            messages, resent = drop_resent_evictions(
                settings, identity, state, messages, newest_user
            )

        # Messages listed in ``fifo_ids`` were in the FIFO at the last compact, which wrote them
        # to recall before recording the ids: only the others (the new input, the replies and
        # tool results since) need writing. Re-writing all of them is harmless but was the
        # largest cost of this node, growing with the FIFO.
        known = set(state.get("fifo_ids") or ())
        unwritten = [m for m in messages if not m.id or m.id not in known]
        persist_to_recall(settings, identity, unwritten, start.turn)

        prompt = Prompt(
            settings, identity, messages, state.get("summary", ""), state.get("evicted_total", 0)
        )
        added: list[BaseMessage] = [RemoveMessage(id=m.id) for m in resent if m.id]

        warned = state.get("pressure_warned", False)
        if settings.warning_tokens <= prompt.tokens <= settings.prompt_limit and not warned:
            alert_id = f"alert-{identity.thread_id}-{start.turn}"
            added.append(add_pressure_alert(prompt, alert_id, start.turn))
            update["pressure_warned"] = True

        forced = bool(state.get("overflow_retry"))
        if prompt.tokens > settings.prompt_limit or forced:
            target = compaction_target(settings, prompt.tokens, forced)
            limit = prompt_limit_after(settings, target, forced)
            before = prompt.evicted_total
            _kept, removals, truncated = evict_to(model, prompt, newest_user, target, limit, config)
            if prompt.evicted_total != before:
                update.update(
                    summary=prompt.summary,
                    evicted_total=prompt.evicted_total,
                    pressure_warned=False,
                )
            added = [*removals, *added, *truncated]

        if added:
            update["messages"] = added
        update["fifo_ids"] = [m.id for m in prompt.messages if m.id]
        update["context_tokens"] = prompt.tokens
        update["compacted_at"] = compaction_marker(start.turn, start.steps)
        if state.get("compact_requested"):
            update["compact_requested"] = False
        return update

    return compact
