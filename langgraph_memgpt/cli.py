"""The ``langgraph-memgpt`` command: demo, chat and memory inspection.

Heavy imports (langgraph, the stores, an embedding model) happen inside the subcommands so
``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig

DEFAULT_DATA_DIR = "./memgpt-data"


def _print_update(node: str, update: dict[str, Any] | None, out: Any) -> None:
    """One readable trace line per node and per message it produced."""
    from langchain_core.messages import AIMessage, HumanMessage, RemoveMessage, ToolMessage

    update = update or {}
    messages = update.get("messages") or []
    removed = [m for m in messages if isinstance(m, RemoveMessage)]
    notes = []
    if "context_tokens" in update:
        notes.append(f"context {update['context_tokens']} tokens")
    if removed:
        notes.append(f"evicted {len(removed)} messages to recall, summary updated")
    print(f"  [{node}] " + ("; ".join(notes) if notes else ""), file=out)
    for message in messages:
        if isinstance(message, RemoveMessage):
            continue
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                print(f"      tool call -> {call['name']}({call['args']})", file=out)
            if message.text:
                print(f"      assistant: {message.text}", file=out)
        elif isinstance(message, ToolMessage):
            status = "ERROR " if message.status == "error" else ""
            first = str(message.content).splitlines()
            print(f"      {status}{message.name} result: {' | '.join(first[:3])}", file=out)
        elif isinstance(message, HumanMessage):
            print(f"      runtime message: {message.text[:160]}", file=out)
    if "summary" in update and update["summary"]:
        print(f"      summary now: {update['summary'][:200]}", file=out)


def run_turn(agent: Any, payload: Any, config: RunnableConfig, out: Any, trace: bool) -> str:
    """Stream one turn, print the trace, return the final answer text."""
    from langchain_core.messages import AIMessage

    answer = ""
    for chunk in agent.stream(payload, config, stream_mode="updates"):
        for node, update in chunk.items():
            if node.startswith("__"):
                continue
            if trace:
                _print_update(node, update, out)
            for message in (update or {}).get("messages") or []:
                if isinstance(message, AIMessage) and not message.tool_calls:
                    answer = message.text
    return answer


DEMO_FACTS = [
    "Hi! My name is Alice and I live in Lisbon.",
    "Remember that the Q3 launch moved to May 14 because the supplier slipped.",
    "My favourite colour is teal.",
]
DEMO_FILLER = (
    "Let me tell you about my weekend in detail. On Saturday I walked along the river, "
    "watched the boats, tried a new bakery near the old tram stop and read two chapters of a "
    "long novel about sailors. On Sunday I cleaned the flat, cooked a big pot of soup, called "
    "my cousin and planned the garden for spring with tomatoes, basil and some flowers. "
)
DEMO_QUESTION = "When is the Q3 launch?"


def cmd_demo(args: argparse.Namespace) -> int:
    from langgraph_memgpt import MemGPTConfig, Memory, OfflineDriver, create_memgpt_agent

    out = sys.stdout
    data_dir = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="memgpt-"))
    print("langgraph-memgpt demo (offline driver: a rule-based stand-in, not an LLM)", file=out)
    print(f"data directory: {data_dir}", file=out)
    memory = Memory.open(data_dir)
    try:
        agent = create_memgpt_agent(
            OfflineDriver(),
            memory=memory,
            config=MemGPTConfig(context_window=args.context_window, reserve_tokens=256),
        )
        config: RunnableConfig = {"configurable": {"thread_id": "demo-1", "user_id": args.user}}
        print("\n== 1. The user states facts: core memory and archival memory ==", file=out)
        for text in DEMO_FACTS:
            print(f"\nuser: {text}", file=out)
            run_turn(agent, {"messages": [("user", text)]}, config, out, trace=True)
        print("\n== 2. Small talk overflows the main context: eviction + summary ==", file=out)
        for i in range(args.filler_turns):
            text = f"(turn {i + 1}) {DEMO_FILLER}"
            print(f"\nuser: {text[:70]}...", file=out)
            run_turn(agent, {"messages": [("user", text)]}, config, out, trace=True)
        state = agent.get_state(config).values
        print(
            f"\nmain context now holds {len(state['messages'])} messages, "
            f"{state.get('evicted_total', 0)} evicted to recall memory; summary: "
            f"{state.get('summary', '')[:160]!r}",
            file=out,
        )
        print("\n== 3. A follow-up in a NEW thread: the fact is paged back in ==", file=out)
        config2: RunnableConfig = {"configurable": {"thread_id": "demo-2", "user_id": args.user}}
        print(f"\nuser: {DEMO_QUESTION}", file=out)
        answer = run_turn(agent, {"messages": [("user", DEMO_QUESTION)]}, config2, out, True)
        print(f"\nfinal answer: {answer}", file=out)
    finally:
        memory.close()
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from langgraph_memgpt import Memory, create_memgpt_agent
    from langgraph_memgpt.configuration import chat_model_from_settings

    model, description = chat_model_from_settings(model=args.model, base_url=args.base_url)
    print(f"model: {description}")
    memory = Memory.open(args.data_dir)
    agent = create_memgpt_agent(model, memory=memory, context_window=args.context_window)
    config: RunnableConfig = {"configurable": {"thread_id": args.thread, "user_id": args.user}}
    print(f"thread {args.thread!r}, user {args.user!r}, data {args.data_dir}. Ctrl-D to quit.")
    try:
        if has_unfinished_turn(agent, config):
            print("(resuming an interrupted turn)")
            _chat_turn(agent, None, config, args.trace)
        while True:
            try:
                text = input("you> ").strip()
            except EOFError:
                print()
                return 0
            if not text:
                continue
            _chat_turn(agent, {"messages": [("user", text)]}, config, args.trace)
    except KeyboardInterrupt:
        print("\ninterrupted: the turn is checkpointed; run chat again to resume it.")
        return 130
    finally:
        memory.close()


def has_unfinished_turn(agent: Any, config: RunnableConfig) -> bool:
    """Whether the thread's last turn stopped before its end (Ctrl-C, a crash).

    ``next`` alone misses one case: when the stream's reader stops after a step was saved but
    before the following checkpoint, LangGraph reports no ``next`` node and lists the finished
    step in ``tasks``; ``invoke(None, config)`` then resumes correctly.
    """
    snapshot = agent.get_state(config)
    return bool(snapshot.next or snapshot.tasks)


def stream_turn(agent: Any, payload: Any, config: RunnableConfig, out: Any, trace: bool) -> str:
    """Stream one turn: answer tokens as they arrive, tool calls and results as they happen.

    Uses ``stream_mode=["messages", "updates"]``: token chunks of the ``reason`` node (not the
    summarizer's calls inside ``compact``) and each node's update for the tool activity.
    """
    from langchain_core.messages import AIMessage, ToolMessage

    answer: list[str] = []
    speaking = False
    for mode, data in agent.stream(payload, config, stream_mode=["messages", "updates"]):
        if mode == "messages":
            chunk, meta = data
            if meta.get("langgraph_node") != "reason" or not isinstance(chunk, AIMessage):
                continue
            if chunk.text:
                if not speaking:
                    print("assistant> ", end="", file=out)
                    speaking = True
                print(chunk.text, end="", file=out, flush=True)
                answer.append(chunk.text)
            continue
        for node, update in data.items():
            if trace and not node.startswith("__"):
                _print_update(node, update, out)
                continue
            for message in (update or {}).get("messages") or []:
                if isinstance(message, AIMessage):
                    for call in message.tool_calls:
                        if speaking:
                            print(file=out)
                            speaking = False
                        print(f"  -> {call['name']}({call['args']})", file=out, flush=True)
                elif isinstance(message, ToolMessage):
                    status = "error" if message.status == "error" else "ok"
                    first = str(message.content).splitlines()[0][:160] if message.content else ""
                    print(f"  <- {message.name} [{status}] {first}", file=out, flush=True)
            if node == "reason" and any(
                isinstance(m, AIMessage) and not m.tool_calls and m.text
                for m in (update or {}).get("messages") or []
            ):
                answer.append("\n")
    if speaking:
        print(file=out)
    return "".join(answer).strip()


def _chat_turn(agent: Any, payload: Any, config: RunnableConfig, trace: bool) -> None:
    stream_turn(agent, payload, config, sys.stdout, trace)


def cmd_memory(args: argparse.Namespace) -> int:
    from langgraph_memgpt import Memory, MemoryStoreError

    memory = Memory.open(args.data_dir)
    try:
        ident = {"user_id": args.user, "agent_id": args.agent}
        if args.action == "show":
            print(memory.core.render(**ident))
        elif args.action == "stats":
            for tier, count in memory.stats(**ident).items():
                print(f"{tier}: {count}")
        else:
            if not args.query:
                print("memory search needs a query", file=sys.stderr)
                return 2
            query = " ".join(args.query)
            try:
                for tier, hits in (
                    ("archival", memory.archival.search(query, k=args.k, **ident)),
                    ("recall", memory.recall.search(query, k=args.k, **ident)),
                ):
                    print(f"== {tier} ==")
                    for hit in hits:
                        print(f"[{hit.score:.3f}] ({hit.citation}) {hit.text}")
            except MemoryStoreError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
    finally:
        memory.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="langgraph-memgpt",
        description="MemGPT-style virtual context memory for LLM agents, on LangGraph.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="scripted offline walkthrough of paging memory in and out")
    demo.add_argument("--data-dir", default=None, help="default: a new temporary directory")
    demo.add_argument("--user", default="demo-user")
    demo.add_argument("--context-window", type=int, default=2400)
    demo.add_argument("--filler-turns", type=int, default=8)
    demo.set_defaults(func=cmd_demo)

    chat = sub.add_parser("chat", help="interactive chat (offline driver unless a model is set)")
    chat.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    chat.add_argument("--thread", default="main")
    chat.add_argument("--user", default="me")
    chat.add_argument("--model", default=None, help="e.g. gpt-4o-mini (needs OPENAI_API_KEY)")
    chat.add_argument("--base-url", default=None, help="OpenAI-compatible server URL")
    chat.add_argument("--context-window", type=int, default=8192)
    chat.add_argument("--trace", action="store_true", help="print each node and tool call")
    chat.set_defaults(func=cmd_chat)

    mem = sub.add_parser("memory", help="inspect the memory tiers of a data directory")
    mem.add_argument("action", choices=["show", "search", "stats"])
    mem.add_argument("query", nargs="*")
    mem.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    mem.add_argument("--user", default="me")
    mem.add_argument("--agent", default="default")
    mem.add_argument("-k", type=int, default=5)
    mem.set_defaults(func=cmd_memory)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
