"""One process of the concurrency scenario; it writes what it was told was stored to a JSON file.

``python -m bench._reliability.concurrency_worker STORE OUT chat WORKER USER THREADS TURNS``
plays ``TURNS`` turns alternating over its conversation threads (comma-separated) and, every
``CORE_EVERY`` turns, appends a line to the user's ``notes`` core block through the
``core_memory_append`` tool, as a model would.

``python -m bench._reliability.concurrency_worker STORE OUT archival WORKER USER - ROUNDS``
inserts a passage and searches archival memory ``ROUNDS`` times.

Every exception and every "database is locked" that reaches the caller (raised, or inside a
tool's reply) is recorded, never swallowed.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage, ToolMessage

from bench._reliability.common import user_message_id, user_text

CORE_EVERY = 5
CONTEXT_WINDOW = 2400
NOTES = "notes"


def _locked(text: str) -> bool:
    return "database is locked" in text or "database table is locked" in text


def chat(memory: Any, worker: str, user: str, threads: list[str], turns: int) -> dict[str, Any]:
    from langgraph_memgpt import OfflineDriver, create_memgpt_agent, create_memory_tools

    agent = create_memgpt_agent(OfflineDriver(), memory=memory, context_window=CONTEXT_WINDOW)
    append = {t.name: t for t in create_memory_tools(memory)}["core_memory_append"]
    report: dict[str, Any] = {"acked": [], "core": [], "errors": [], "locked": 0}
    for turn in range(1, turns + 1):
        thread = threads[turn % len(threads)]
        config = {"configurable": {"thread_id": thread, "user_id": user}}
        message_id = user_message_id(turn, worker)
        try:
            result = agent.invoke(
                {"messages": [HumanMessage(user_text(turn, worker), id=message_id)]}, config
            )
            report["acked"].append(message_id)
            for message in result["messages"]:
                if _locked(str(message.content)):
                    report["locked"] += 1
        except Exception as exc:  # counted, then reported as a loss by the harness
            report["errors"].append(f"turn {turn}: {exc!r}")
            report["locked"] += _locked(str(exc))
        if turn % CORE_EVERY == 0:
            line = f"note {worker}/{turn}"
            call = {
                "name": "core_memory_append",
                "args": {"label": NOTES, "content": line},
                "id": f"call-{worker}-{turn}",
                "type": "tool_call",
            }
            try:
                reply = append.invoke(call, config)
            except Exception as exc:
                report["errors"].append(f"core append {line}: {exc!r}")
                report["locked"] += _locked(str(exc))
                continue
            assert isinstance(reply, ToolMessage)
            if reply.status == "error":
                report["errors"].append(f"core append {line}: {reply.content}")
                report["locked"] += _locked(str(reply.content))
            else:
                report["core"].append(line)
    return report


def archival(memory: Any, worker: str, user: str, rounds: int) -> dict[str, Any]:
    report: dict[str, Any] = {"inserted": [], "searches": 0, "errors": [], "locked": 0}
    for i in range(rounds):
        try:
            record = memory.archival.insert(
                f"Archive note {worker}/{i}: the shed key is with neighbour {i % 13}.",
                user_id=user,
                tags=[f"batch-{i % 4}"],
            )
            report["inserted"].append(record)
            memory.archival.search(f"shed key neighbour {i % 13}", user_id=user, k=5)
            report["searches"] += 1
        except Exception as exc:
            report["errors"].append(f"round {i}: {exc!r}")
            report["locked"] += _locked(str(exc))
    return report


def main(argv: list[str]) -> int:
    store, out, role, worker, user, threads, count = argv
    from langgraph_memgpt import Memory
    from langgraph_memgpt.memory.testing import HashEmbeddings

    try:
        memory = Memory.open(store, embeddings=HashEmbeddings(32))
        with memory:
            if role == "chat":
                report = chat(memory, worker, user, threads.split(","), int(count))
            else:
                report = archival(memory, worker, user, int(count))
    except Exception:
        report = {"errors": [traceback.format_exc()], "locked": 0}
    Path(out).write_text(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
