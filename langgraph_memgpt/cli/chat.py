"""``langgraph-memgpt chat``: an interactive thread that survives Ctrl-C and crashes.

Every turn is streamed with ``durability="sync"``: each step's checkpoint is written before the
next step starts, so a turn killed at any node boundary (Ctrl-C, SIGKILL, a crash) resumes from
its last finished step when ``chat`` starts again on the same thread, instead of being lost with
a checkpoint that was still queued. A chat turn waits for a model anyway; the few milliseconds a
synchronous write costs are not felt.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import threading
from typing import TYPE_CHECKING, Any

from langgraph_memgpt.cli.datadir import (
    CliError,
    DataDirError,
    open_creating,
)
from langgraph_memgpt.cli.display import format_call, print_update, result_line

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig

    from langgraph_memgpt.memory import Memory

#: Typed alone, these end the chat instead of being sent to the model.
QUIT_WORDS = frozenset({"quit", "exit", "/quit", "/exit", ":q"})


def has_unfinished_turn(agent: Any, config: RunnableConfig) -> bool:
    """Whether the thread's last turn stopped before its end (Ctrl-C, a crash).

    ``next`` alone misses one case: when the process stops after a step's writes were saved
    but before the checkpoint that follows them, LangGraph reports no ``next`` node and lists
    the finished step in ``tasks``; ``invoke(None, config)`` then applies the saved writes and
    carries on. Any LangGraph checkpointer reports it this way.
    """
    snapshot = agent.get_state(config)
    return bool(snapshot.next or snapshot.tasks)


def warm_up_embeddings(memory: Memory, out: Any, *, background: bool) -> threading.Thread | None:
    """Say once that the local embedding model loads (a few seconds), and load it.

    The first embedding otherwise pauses the first memory use with no word (about 1 s on ONNX
    Runtime, 10 s more the first time a machine exports the model, 5 s on torch). In chat the
    model loads in the background while the user types.
    """
    from langgraph_memgpt.memory.search.embeddings import LocalMiniLMEmbeddings

    embeddings = memory.archival.embeddings
    if not isinstance(embeddings, LocalMiniLMEmbeddings):
        return None
    how = "in the background" if background else "once"
    print(f"loading the local embedding model ({how}, a few seconds)...", file=out, flush=True)
    if not background:
        embeddings.embed_query("warm up")
        return None
    thread = threading.Thread(
        target=embeddings.embed_query, args=("warm up",), name="memgpt-cli-warm-up", daemon=True
    )
    thread.start()
    return thread


def window_too_small(window: int, exc: ValueError) -> str:
    """The one line for a ``--context-window`` the agent's configuration refused."""
    return f"--context-window {window} is too small ({exc}); pass a larger one"


def stream_turn(agent: Any, payload: Any, config: RunnableConfig, out: Any, trace: bool) -> str:
    """Stream one turn: answer tokens as they arrive, tool calls and results as they happen.

    Uses ``stream_mode=["messages", "updates"]``: token chunks of the ``reason`` node (not the
    summarizer's calls inside ``compact``) and each node's update for the tool activity. An
    answer that arrives without tokens (a resumed turn whose model step had finished before
    the interruption) is printed from the update, so a resumed turn never ends in silence.
    """
    from langchain_core.messages import AIMessage, AIMessageChunk, ToolMessage

    answer: list[str] = []
    speaking = False
    streamed = False  # tokens of the current model step were printed
    for mode, data in agent.stream(
        payload, config, stream_mode=["messages", "updates"], durability="sync"
    ):
        if mode == "messages":
            chunk, meta = data
            if meta.get("langgraph_node") != "reason" or not isinstance(chunk, AIMessage):
                continue
            if streamed and not isinstance(chunk, AIMessageChunk):
                # The node's reply again: a model that names its replies itself has them
                # renamed after the step (``step_reply_ids``), and LangGraph streams a state
                # message whose id it has not seen as a new message.
                continue
            if chunk.text:
                if not speaking:
                    print("assistant> ", end="", file=out)
                    speaking = True
                print(chunk.text, end="", file=out, flush=True)
                answer.append(chunk.text)
                streamed = True
            continue
        for node, update in data.items():
            if node.startswith("__"):
                continue
            messages = (update or {}).get("messages") or []
            final = [
                m for m in messages if isinstance(m, AIMessage) and not m.tool_calls and m.text
            ]
            if speaking:
                print(file=out)
                speaking = False
            if node == "reason" and final and not streamed:
                for message in final:
                    if not trace:
                        print(f"assistant> {message.text}", file=out, flush=True)
                    answer.append(message.text)
            if node == "reason":
                if final:
                    answer.append("\n")
                streamed = False
            if trace:
                print_update(node, update, out)
                continue
            for message in messages:
                if isinstance(message, AIMessage):
                    for call in message.tool_calls:
                        print(f"  -> {format_call(call['name'], call['args'])}", file=out)
                elif isinstance(message, ToolMessage):
                    status = "error" if message.status == "error" else "ok"
                    line = result_line(message.content)
                    print(f"  <- {message.name} [{status}] {line}", file=out, flush=True)
    if speaking:
        print(file=out)
    return "".join(answer).strip()


def cmd_chat(args: argparse.Namespace) -> int:
    """Chat on one thread; resume its unfinished turn first, if it has one."""
    from langgraph_memgpt import create_memgpt_agent

    out = sys.stdout
    model, description = _chat_model(args)
    memory, where = open_creating(args.data_dir)
    warming: threading.Thread | None = None
    try:
        try:
            agent = create_memgpt_agent(model, memory=memory, context_window=args.context_window)
        except (OSError, sqlite3.Error) as exc:
            raise DataDirError(f"cannot open the checkpoints in {where}: {exc}") from None
        except ValueError as exc:  # the window cannot hold the prompt, the tools, the reserve
            raise CliError(window_too_small(args.context_window, exc)) from None
        config: RunnableConfig = {
            "configurable": {"thread_id": args.thread, "user_id": args.user, "agent_id": args.agent}
        }
        _check_thread_owner(agent, config)
        print(f"model: {description}", file=out)
        print(
            f"thread {args.thread!r}, user {args.user!r}, agent {args.agent!r}, data {where}. "
            "Type quit or press Ctrl-D to leave.",
            file=out,
        )
        warming = warm_up_embeddings(memory, out, background=True)
        seed = _context_seed(agent, memory, config, args)
        if seed:
            print(
                f"(a new thread of an imported agent: it starts from {len(seed)} message(s))",
                file=out,
            )
        return _chat_loop(agent, config, args, out, seed)
    finally:
        finish_warm_up(warming, out)
        memory.close()


def finish_warm_up(thread: threading.Thread | None, out: Any) -> None:
    """Wait for the model still loading in the background before the process exits: the
    interpreter tearing down ONNX Runtime or torch under a thread still inside them aborts the
    process ("terminate called without an active exception", exit status 134)."""
    if thread is None or not thread.is_alive():
        return
    print("(waiting for the embedding model to finish loading)", file=out, flush=True)
    thread.join()


def _check_thread_owner(agent: Any, config: RunnableConfig) -> None:
    """Refuse, before anything is sent, a thread another user (or agent) started: thread ids
    are shared by every user of a data directory, and the graph would refuse the turn."""
    from langgraph_memgpt.configuration import ThreadOwnerError, claim_thread, resolve_identity

    try:
        claim_thread(agent.get_state(config).values, resolve_identity(config))
    except ThreadOwnerError as exc:
        owner = exc.owner
        raise CliError(
            f"thread {exc.identity.thread_id!r} belongs to user {owner.get('user_id')!r} "
            f"(agent {owner.get('agent_id')!r}); every user of a data directory shares its "
            "thread names: pick another --thread (nothing was sent)"
        ) from None


def _chat_model(args: argparse.Namespace) -> tuple[Any, str]:
    """The chat model, or one line saying why it cannot be made (a missing API key)."""
    from langgraph_memgpt.configuration import chat_model_from_settings

    try:
        return chat_model_from_settings(model=args.model, base_url=args.base_url)
    except Exception as exc:  # the OpenAI client refuses at construction, before any call
        import openai

        if not isinstance(exc, openai.OpenAIError | ValueError):
            raise
        detail = " ".join(str(exc).split())
        if "OPENAI_API_KEY" in detail or "credentials" in detail.lower():
            detail = (
                "no API key: set OPENAI_API_KEY, or --base-url for a local OpenAI-compatible "
                "server (or leave out --model for the offline driver)"
            )
        raise CliError(f"model error: cannot use {args.model or 'the model'}: {detail}") from None


def _context_seed(
    agent: Any, memory: Any, config: RunnableConfig, args: argparse.Namespace
) -> list[Any]:
    """An imported agent's context, for the first input of a new thread (else [])."""
    from langgraph_memgpt.memory.io.agent_file.seed import context_seed

    if agent.get_state(config).values:
        return []
    return context_seed(memory, user_id=args.user, agent_id=args.agent)


def _chat_loop(
    agent: Any, config: RunnableConfig, args: argparse.Namespace, out: Any, seed: list[Any]
) -> int:
    """Read and answer messages until the user leaves.

    Ctrl-C during a turn stops the turn and returns to the prompt; it never ends the chat
    (a Ctrl-C that lands just after an answer, while the turn's last step is still being
    saved, stops that step and nothing else). A stopped turn is saved: Enter finishes it, and
    a new message finishes it first, so no step of it is lost or done twice. Leaving with a
    turn unfinished says so (exit code 130); ``chat`` again on the thread finishes it.
    """
    from langgraph_memgpt.cli.prompt import Prompt

    stopped = has_unfinished_turn(agent, config)  # left by an earlier chat: finish it now
    if stopped:
        print("(resuming an interrupted turn)", file=out)
        try:
            stream_turn(agent, None, config, out, args.trace)
            stopped = False
        except KeyboardInterrupt:
            stopped = _stopped(agent, config, out)
    prompt = Prompt(out)
    while True:
        try:
            try:
                read = prompt.read()
            except EOFError:
                print(file=out)
                return _leave(agent, config, args, out)
            if read is None:
                continue  # Ctrl-C at the prompt cleared the line
            text = read.strip()
            if text.lower() in QUIT_WORDS:
                return _leave(agent, config, args, out)
            if stopped:  # Enter, or a new message: the stopped turn is finished first
                print("(finishing the stopped turn)", file=out, flush=True)
                stream_turn(agent, None, config, out, args.trace)
                stopped = False
            if not text:
                continue
            payload = {"messages": [*seed, ("user", text)]}
            seed = []
            stream_turn(agent, payload, config, out, args.trace)
        except KeyboardInterrupt:
            stopped = _stopped(agent, config, out)


def _stopped(agent: Any, config: RunnableConfig, out: Any) -> bool:
    """After a Ctrl-C in a turn: whether the turn is left unfinished, and the user told so."""
    print(file=out)
    if not has_unfinished_turn(agent, config):
        return False
    print(
        "(turn stopped and saved: press Enter to finish it; a new message finishes it first)",
        file=out,
        flush=True,
    )
    return True


def _leave(agent: Any, config: RunnableConfig, args: argparse.Namespace, out: Any) -> int:
    """0, or 130 with a word on how to finish it when the thread's last turn is unfinished."""
    if not has_unfinished_turn(agent, config):
        return 0
    print(
        f"interrupted: the turn is saved; run chat again on thread {args.thread!r} to finish it.",
        file=out,
    )
    return 130
