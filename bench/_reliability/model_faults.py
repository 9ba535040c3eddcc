"""Model service faults under load: the real OpenAI client against a server that fails often.

The local OpenAI-compatible test server (``tests/fake_openai.py``) answers one request in five
(every request, retries and summaries included) with a fault drawn at random: HTTP 429, HTTP
500, no answer before the client's timeout, or a tool call whose arguments are not JSON. The
other requests are answered like a model would: a fact is saved with ``archival_memory_insert``,
anything else gets a short answer. The client (``ChatOpenAI``) retries as configured for
production, only with short timeouts.

Every turn must end with an answer or a clear ``[model error: ...]`` message; every user
message must be in recall; every passage the tools acknowledged must be stored; and the
server must never have had to refuse a request for breaking the tool-call pairing rule.
"""

from __future__ import annotations

import random
import re
import threading
from collections import Counter
from typing import Any

from bench._reliability.common import Outcome, timed, user_message_id, user_text

TIMEOUT_S = 0.5
FAULT_RATE = 0.2
_STORED = re.compile(r"record ([0-9a-f-]{36})")


def _server_class() -> Any:
    from tests.fake_openai import FakeOpenAI, Reply, calls, http_error, text

    class FaultyServer(FakeOpenAI):
        """Answers like a model, and fails ``FAULT_RATE`` of all requests at random."""

        def __init__(self, seed: int) -> None:
            super().__init__()
            self.rng = random.Random(seed)
            self.faults: Counter[str] = Counter()
            self.answered = 0
            self.fault_lock = threading.Lock()

        def next_reply(self, body: dict[str, Any] | None = None) -> Reply:
            with self.fault_lock:
                self._count += 1
                roll = self.rng.random()
                kind = self.rng.choice(["429", "500", "timeout", "malformed tool call"])
                if roll < FAULT_RATE:
                    self.faults[kind] += 1
                else:
                    self.answered += 1
            body = body or {}
            tools = bool(body.get("tools"))
            if roll < FAULT_RATE:
                if kind == "429":
                    return http_error(429, "Rate limit reached", **{"retry-after-ms": "20"})
                if kind == "500":
                    return Reply(
                        status=500, error={"message": "internal error", "type": "server_error"}
                    )
                if kind == "timeout":
                    return Reply(content="too late", delay=TIMEOUT_S * 3)
                if tools:
                    return calls(("archival_memory_insert", '{"content": "half a JSON'))
                return Reply(content="")  # a summary request: an empty summary
            if not tools:
                return text("Summary: the user shared facts about lockers and their day.")
            messages = body.get("messages") or [{}]
            last = messages[-1]
            if last.get("role") == "user" and str(last.get("content", "")).startswith("Remember"):
                return calls(("archival_memory_insert", {"content": str(last["content"])[14:]}))
            if last.get("role") == "tool":
                return text("Done: I have noted it.")
            return text("Thanks, I read that.")

    return FaultyServer


def run(store: Any, *, backend: str, turns: int, seed: int) -> Outcome:
    from langchain_openai import ChatOpenAI

    from langgraph_memgpt import Memory, create_memgpt_agent
    from langgraph_memgpt.memory.testing import HashEmbeddings
    from tests.fake_openai import _handler

    outcome = Outcome(
        scenario="model service faults",
        backend=backend,
        load=f"{turns} turns through ChatOpenAI (max_retries=2, timeout {TIMEOUT_S}s), {FAULT_RATE:.0%} of requests fail",
    )
    from http.server import ThreadingHTTPServer

    server = _server_class()(seed)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    model = ChatOpenAI(
        model="gpt-4o-mini", base_url=base_url, api_key="sk-test", max_retries=2, timeout=TIMEOUT_S
    )
    endings: Counter[str] = Counter()
    stored: list[str] = []
    user = "u-faults"
    try:
        with Memory.open(store, embeddings=HashEmbeddings(32)) as memory, timed(outcome):
            agent = create_memgpt_agent(model, memory=memory, context_window=3000)
            from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

            for turn in range(1, turns + 1):
                config = {"configurable": {"thread_id": "faults", "user_id": user}}
                message = HumanMessage(user_text(turn), id=user_message_id(turn))
                try:
                    result = agent.invoke({"messages": [message]}, config)
                except Exception as exc:
                    outcome.lose(f"turn {turn}: {exc!r} escaped the graph"[:300])
                    continue
                last = result["messages"][-1]
                if (
                    not isinstance(last, AIMessage)
                    or last.tool_calls
                    or not str(last.content).strip()
                ):
                    outcome.lose(f"turn {turn} ended without an answer: {last!r}"[:300])
                elif str(last.content).startswith("[model error:"):
                    endings[str(last.content).split("]")[0][len("[model error: ") :]] += 1
                else:
                    endings["answer"] += 1
                for reply in result["messages"]:
                    if (
                        isinstance(reply, ToolMessage)
                        and reply.status != "error"
                        and reply.name == "archival_memory_insert"
                    ):
                        stored += _STORED.findall(str(reply.content))
            for turn in range(1, turns + 1):
                if not memory.recall.contains(user_message_id(turn), user_id=user):
                    outcome.lose(f"user message of turn {turn} is not in recall")
            for record in set(stored):
                try:
                    memory.archival.get(record, user_id=user)
                except Exception as exc:
                    outcome.lose(f"acknowledged archival record {record} lost: {exc}")
    finally:
        httpd.shutdown()
        httpd.server_close()
    for refusal in server.rejected:
        outcome.lose(f"the server refused a request breaking the pairing rule: {refusal[:200]}")
    outcome.faults = dict(sorted(server.faults.items()))
    outcome.checks["requests"] = server.answered + sum(server.faults.values())
    outcome.checks["turn_endings"] = dict(endings)
    outcome.checks["archival_inserts_acknowledged"] = len(set(stored))
    return outcome
