"""``langgraph-memgpt demo``: a scripted offline walkthrough of paging memory in and out.

Without ``--data-dir`` it works in a temporary directory that it removes at the end, so running
the demo leaves nothing behind in the temp directory.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langgraph_memgpt.cli.chat import warm_up_embeddings, window_too_small
from langgraph_memgpt.cli.datadir import CliError, describe, open_memory, store_location
from langgraph_memgpt.cli.display import print_update, shorten

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig

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


def run_turn(agent: Any, payload: Any, config: RunnableConfig, out: Any, trace: bool) -> str:
    """Stream one turn, print the trace, return the final answer text."""
    from langchain_core.messages import AIMessage

    answer = ""
    for chunk in agent.stream(payload, config, stream_mode="updates"):
        for node, update in chunk.items():
            if node.startswith("__"):
                continue
            if trace:
                print_update(node, update, out)
            for message in (update or {}).get("messages") or []:
                if isinstance(message, AIMessage) and not message.tool_calls:
                    answer = message.text
    return answer


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the walkthrough in ``--data-dir``, or in a temporary directory removed at the end."""
    if args.data_dir:
        return _demo(store_location(args.data_dir), args, kept=True)
    with tempfile.TemporaryDirectory(prefix="memgpt-demo-") as tmp:
        return _demo(Path(tmp), args, kept=False)


def _demo(data_dir: str | Path, args: argparse.Namespace, *, kept: bool) -> int:
    from langgraph_memgpt import MemGPTConfig, OfflineDriver, create_memgpt_agent

    out = sys.stdout
    print("langgraph-memgpt demo (offline driver: a rule-based stand-in, not an LLM)", file=out)
    note = "" if kept else " (temporary, removed at the end; pass --data-dir to keep it)"
    print(f"data: {describe(data_dir)}{note}", file=out)
    memory = open_memory(data_dir, create=True)
    try:
        warm_up_embeddings(memory, out, background=False)
        try:
            agent = create_memgpt_agent(
                OfflineDriver(),
                memory=memory,
                config=MemGPTConfig(context_window=args.context_window, reserve_tokens=256),
            )
        except ValueError as exc:  # the window cannot hold the prompt, the tools, the reserve
            raise CliError(window_too_small(args.context_window, exc)) from None
        config: RunnableConfig = {"configurable": {"thread_id": "demo-1", "user_id": args.user}}
        print("\n== 1. The user states facts: core memory and archival memory ==", file=out)
        for text in DEMO_FACTS:
            print(f"\nuser: {text}", file=out)
            run_turn(agent, {"messages": [("user", text)]}, config, out, trace=True)
        print("\n== 2. Small talk overflows the main context: eviction + summary ==", file=out)
        for i in range(args.filler_turns):
            text = f"(turn {i + 1}) {DEMO_FILLER}"
            print(f"\nuser: {shorten(text, 70)}", file=out)
            run_turn(agent, {"messages": [("user", text)]}, config, out, trace=True)
        state = agent.get_state(config).values
        print(
            f"\nmain context now holds {len(state['messages'])} messages, "
            f"{state.get('evicted_total', 0)} evicted to recall memory; summary: "
            f"{shorten(state.get('summary', ''), 160)!r}",
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
