"""The reason node: renders the main context and calls the model bound to the tools.

It measures the prompt first; when the prompt needs compacting it sends the call to ``compact``
once (``compact_requested``) and is called again, so a turn that fits takes one graph step.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AnyMessage, RemoveMessage
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.utils.utils import LC_ID_PREFIX
from langgraph.runtime import Runtime

from langgraph_memgpt.configuration import (
    Identity,
    ThreadOwnerError,
    claim_thread,
    resolve_identity,
)
from langgraph_memgpt.context import (
    AgentSettings,
    core_as_state,
    fifo_ids_after,
    latest_user_message,
    prompt_tokens,
    read_view,
    render_system_message,
)
from langgraph_memgpt.memory.aio import off_loop, off_loop_in
from langgraph_memgpt.model_errors import classify_model_error, describe_model_error
from langgraph_memgpt.nodes.compact import compaction_marker, needs_compaction, persist_to_recall
from langgraph_memgpt.prompts import STEP_LIMIT_MESSAGE
from langgraph_memgpt.state import MemGPTState

logger = logging.getLogger(__name__)


def core_snapshot(settings: AgentSettings, user_id: str, agent_id: str) -> dict[str, Any]:
    """Core blocks as plain data, mirrored into state so Studio and tests can see them."""
    return core_as_state(settings.memory.core.get(user_id=user_id, agent_id=agent_id))


#: Namespace of the model-call run ids of steps (``step_run_id``).
_STEP_RUNS = uuid.UUID("0f1e6a52-58a4-4c55-9d3e-1a4ce3b1e7a1")


def step_run_id(thread_id: str, turn_started_by: str | None, steps: int) -> uuid.UUID:
    """The run id of the model call at one step of a turn: the same when the step is re-run."""
    return uuid.uuid5(_STEP_RUNS, f"{thread_id}\x1f{turn_started_by}\x1f{steps}")


def step_reply_ids(run_id: uuid.UUID) -> tuple[str, str]:
    """The ids the reply of the model run ``run_id`` may carry: the same when the step is re-run.

    LangChain names a reply that came without an id (OpenAI-compatible servers, the offline
    driver) after its run, ``lc_run--<run id>`` when streamed and with ``-0`` appended when
    not; we choose the run id (``step_run_id``), so the reply keeps the id its streamed
    tokens had and LangGraph's ``messages`` stream (Studio, apps) sends the answer once. A
    model that names its replies itself gets them renamed to the first form.
    """
    base = f"{LC_ID_PREFIX}-{run_id}"
    return base, f"{base}-0"


def _reply_saved_before(
    settings: AgentSettings, identity: Identity, reply_ids: tuple[str, ...]
) -> AIMessage | None:
    """The reply of a step that already ran, if the process stopped after storing it in recall
    and before LangGraph saved the step: calling the model again would store a second reply
    (with other tool calls) for the same step."""
    recall = settings.memory.recall
    ident = {"user_id": identity.user_id, "agent_id": identity.agent_id}
    stored = recall.stored_ids(reply_ids, **ident)
    saved = next((reply_id for reply_id in reply_ids if reply_id in stored), None)
    if saved is None:
        return None
    for hit in recall.messages(thread_id=identity.thread_id, **ident):  # rare: a resumed turn
        if hit.id == saved:
            return AIMessage(
                content=hit.text, tool_calls=hit.metadata.get("tool_calls") or [], id=saved
            )
    return None


@dataclass
class _Call:
    """A model call ``reason`` prepared: what sending it and keeping its reply need."""

    settings: AgentSettings
    identity: Identity
    state: MemGPTState
    messages: list[AnyMessage]
    update: dict[str, Any]
    unwritten: list[AnyMessage]
    turn: int
    steps: int
    blocks: Any
    prompt: list[AnyMessage]
    tokens: int
    run_id: uuid.UUID
    reply_ids: tuple[str, str]
    saved: AIMessage | None


def refuse_input(
    messages: list[AnyMessage], known: set[str], exc: ThreadOwnerError
) -> dict[str, Any]:
    """Another user's run on this thread: its input (the messages not yet written, which
    LangGraph put in the state before any node ran) is taken out again, and ``refused`` sends
    the run to ``compact``, whose owner check raises :class:`ThreadOwnerError` to the caller.

    Raising here instead would keep that input in the thread's checkpoint, where the owner's
    next run would read it as their own. Nothing is read from or written to memory.
    """
    foreign = [RemoveMessage(id=m.id) for m in messages if m.id and m.id not in known]
    return {"messages": foreign, "refused": str(exc)}


def _prepare(
    base_settings: AgentSettings, state: MemGPTState, config: RunnableConfig, runtime: Runtime
) -> _Call | dict[str, Any]:
    """Everything before the model call (memory reads, the step limit, the compaction check):
    the call to make, or the node's whole update when no call is to be made."""
    identity = resolve_identity(config, runtime.context)
    settings = base_settings.for_run(runtime.context)
    messages = list(state.get("messages", []))
    turn = state.get("turn", 0)
    steps = state.get("steps", 0)
    known_ids = state.get("fifo_ids")
    known = set(known_ids or ())
    # The thread's owner, recorded on its first run; another user's run is refused before any
    # memory is read (``refuse_input``), and the owner's next run clears the refusal.
    try:
        claim = claim_thread(state, identity)
    except ThreadOwnerError as exc:
        return refuse_input(messages, known, exc)
    if state.get("refused"):
        claim["refused"] = ""
    # What ``compact`` would record for a new turn, for when it does not run before us.
    update: dict[str, Any] = dict(claim)
    newest_user = latest_user_message(messages)
    new_turn = newest_user is not None and newest_user.id != state.get("turn_started_by")
    if state.get("refused") and not new_turn:
        return update  # the owner resumed a refused run: there is nothing new to answer
    if new_turn:
        assert newest_user is not None
        turn, steps = turn + 1, 0
        update.update(turn=turn, turn_started_by=newest_user.id, steps=0)
    # Messages not yet in recall memory: the new input (every earlier message is listed in
    # ``fifo_ids`` once the node that added it wrote it). Written with the answer below, in
    # one transaction; ``compact`` writes them first whenever it evicts.
    unwritten = [m for m in messages if not m.id or m.id not in known]
    prepared = state.get("compacted_at") == compaction_marker(turn, steps)
    may_defer = not prepared and not state.get("overflow_retry")

    if steps >= settings.config.max_steps:
        stop = AIMessage(
            content=STEP_LIMIT_MESSAGE.format(steps=steps), id=f"steplimit-{uuid.uuid4()}"
        )
        persist_to_recall(settings, identity, [*unwritten, stop], turn)
        return {**update, "messages": [stop], "fifo_ids": fifo_ids_after(messages, [stop])}

    if (
        may_defer
        and new_turn
        and known_ids is not None
        and any(newest_user is None or m.id != newest_user.id for m in unwritten)
    ):
        # More new messages than the user's: a parent graph may have sent its whole
        # transcript again, which compact sorts out (see drop_resent_evictions).
        return {**claim, "compact_requested": True}

    view = read_view(settings, identity)
    system = render_system_message(
        settings, identity, state.get("summary", ""), state.get("evicted_total", 0), view
    )
    tokens = prompt_tokens(settings, system, messages)
    if may_defer and needs_compaction(settings, tokens, state.get("pressure_warned", False)):
        return {**claim, "compact_requested": True}
    started_by = update.get("turn_started_by", state.get("turn_started_by"))
    run_id = step_run_id(identity.thread_id, started_by, steps)
    reply_ids = step_reply_ids(run_id)
    return _Call(
        settings=settings,
        identity=identity,
        state=state,
        messages=messages,
        update=update,
        unwritten=unwritten,
        turn=turn,
        steps=steps,
        blocks=view.blocks,
        prompt=[system, *messages],
        tokens=tokens,
        run_id=run_id,
        reply_ids=reply_ids,
        saved=_reply_saved_before(settings, identity, reply_ids),
    )


def _model_failed(call: _Call, exc: Exception) -> dict[str, Any] | None:
    """The update for a model service failure, or None for any other exception (a bug: the
    thread resumes from its checkpoint once it is fixed)."""
    kind = classify_model_error(exc)
    if kind is None:
        return None
    if kind == "context_length" and not call.state.get("overflow_retry"):
        logger.warning("model rejected a %d-token prompt as too long; compacting", call.tokens)
        return {"overflow_retry": True}
    failure = AIMessage(
        content=describe_model_error(kind, exc),
        id=f"error-{uuid.uuid4()}",
        additional_kwargs={"memgpt_error": kind},
    )
    persist_to_recall(call.settings, call.identity, [*call.unwritten, failure], call.turn)
    return {
        **call.update,
        "messages": [failure],
        "overflow_retry": False,
        "fifo_ids": fifo_ids_after(call.messages, [failure]),
    }


def _finish(call: _Call, response: Any) -> dict[str, Any]:
    """Keep the model's reply: recall memory, the consolidation schedule, the state update."""
    settings, state = call.settings, call.state
    if not isinstance(response, AIMessage):
        response = AIMessage(content=str(getattr(response, "content", response)))
    if response.id not in call.reply_ids:  # the model named it: a re-run must find it above
        response.id = call.reply_ids[0]
    persist_to_recall(settings, call.identity, [*call.unwritten, response], call.turn)
    if settings.consolidator is not None and not response.tool_calls:
        # The answer is ready: consolidation runs on its own thread, after it.
        settings.consolidator.turn_finished(call.identity.user_id, call.identity.agent_id)
    update = call.update
    update.update(
        messages=[response],
        steps=call.steps + 1,
        context_tokens=call.tokens,
        fifo_ids=fifo_ids_after(call.messages, [response]),
    )
    if state.get("overflow_retry"):
        update["overflow_retry"] = False
    snapshot = core_as_state(call.blocks)  # the blocks this prompt showed
    if snapshot != state.get("core"):
        update["core"] = snapshot
    return update


def make_reason_node(model: BaseChatModel, base_settings: AgentSettings) -> Any:
    """Build the reason node (sync body); the model is bound to memory tools and user tools."""
    bound = _bind(model, base_settings)

    def reason(state: MemGPTState, config: RunnableConfig, runtime: Runtime) -> dict[str, Any]:
        call = _prepare(base_settings, state, config, runtime)
        if isinstance(call, dict):
            return call
        try:
            response = call.saved or bound.invoke(call.prompt, {**config, "run_id": call.run_id})
        except Exception as exc:
            update = _model_failed(call, exc)
            if update is None:
                raise
            return update
        return _finish(call, response)

    return reason


def make_async_reason_node(model: BaseChatModel, base_settings: AgentSettings) -> Any:
    """The reason node's async body: the model awaited on the loop, memory I/O off it.

    A model with no async API of its own (LangChain runs its ``_generate`` in a thread when
    awaited, as for the offline driver) has the whole sync body run off the loop instead: one
    hop to a worker thread per step rather than three, the same work. That step may wait on
    the model's server for seconds, so it goes to the loop's default executor, not the store's
    few threads; a model that computes in process (``computes_in_process``, the offline
    driver) never waits, and rides the store's threads with the rest of memory's work.
    """
    bound = _bind(model, base_settings)
    executor = base_settings.memory.executor
    if not has_native_async(model):
        sync_reason = make_reason_node(model, base_settings)
        in_process = bool(getattr(model, "computes_in_process", False))

        async def reason_in_thread(
            state: MemGPTState, config: RunnableConfig, runtime: Runtime
        ) -> dict[str, Any]:
            if in_process:
                return await off_loop_in(executor, sync_reason, state, config, runtime)
            update: dict[str, Any] = await off_loop(sync_reason, state, config, runtime)
            return update

        return reason_in_thread

    async def reason(
        state: MemGPTState, config: RunnableConfig, runtime: Runtime
    ) -> dict[str, Any]:
        call = await off_loop_in(executor, _prepare, base_settings, state, config, runtime)
        if isinstance(call, dict):
            return call
        try:
            response = call.saved or await bound.ainvoke(
                call.prompt, {**config, "run_id": call.run_id}
            )
        except Exception as exc:
            update = await off_loop_in(executor, _model_failed, call, exc)
            if update is None:
                raise
            return update
        return await off_loop_in(executor, _finish, call, response)

    return reason


def has_native_async(model: BaseChatModel) -> bool:
    """Whether the chat model implements its own async generation or streaming (an HTTP
    client's coroutine), rather than LangChain's default of its sync code in a thread."""
    cls = type(model)
    return (
        cls._agenerate is not BaseChatModel._agenerate or cls._astream is not BaseChatModel._astream
    )


def _bind(model: BaseChatModel, settings: AgentSettings) -> Runnable[Any, Any]:
    return model.bind_tools(list(settings.tools)) if settings.tools else model
