"""The MemGPT agent served by an async web app, answers streamed token by token over SSE.

A small Starlette app (the ASGI toolkit FastAPI is built on; the same code works in FastAPI)
holds one agent for every user, as an async server does: each request runs
``agent.astream(..., stream_mode="messages")`` on the server's event loop and sends the reply
as Server-Sent Events (``sse-starlette``) while the model writes it:

    POST /chat  {"user_id": "ann", "thread_id": "t1", "message": "..."}
    event: token  data: {"text": " May"}            one per streamed piece of the answer
    event: tool   data: {"name": "archival_memory_search"}   a memory call (a page fault)
    event: done   data: {"answer": "...", "turn": 2}

Memory I/O runs off the loop (``memory/aio.py``), the default checkpointer has an async API on
both backends, and identity comes from the request (a real app takes it from its auth), so
one user's requests never reach another's memory, however many run at once. Thread names are
scoped by user on the server (LangGraph's thread ids are global).

Run it: ``python examples/async_server.py`` talks to the app in-process (two users, two threads
each, concurrently) and prints what streamed; ``python examples/async_server.py --serve``
serves it with uvicorn on http://127.0.0.1:8000 (``MEMGPT_DATA_DIR`` or
``MEMGPT_DATABASE_URL`` says where memory lives). The model is the offline driver; pass any
tool-calling chat model to ``build_agent``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk
from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from langgraph_memgpt import Memory, OfflineDriver, create_memgpt_agent


def build_agent(memory: Memory, model: BaseChatModel | None = None) -> Any:
    """The agent with the store's default checkpointer (sync and async API)."""
    return create_memgpt_agent(model or OfflineDriver(), memory=memory)


async def reply_events(agent: Any, user_id: str, thread_id: str, text: str) -> AsyncIterator[dict]:
    """One turn as SSE events: tokens of the answer as they stream, memory calls, the end.

    LangGraph keys a thread's checkpoints by ``thread_id`` alone, so the server scopes the
    client's thread name by its user: two users who both call their thread "t1" must not
    share one (our memory is per user, a checkpoint thread is not)."""
    config = {"configurable": {"user_id": user_id, "thread_id": f"{user_id}/{thread_id}"}}
    payload = {"messages": [("user", text)]}
    async for chunk, meta in agent.astream(payload, config, stream_mode="messages"):
        if meta.get("langgraph_node") != "reason" or not isinstance(chunk, AIMessageChunk):
            continue
        for call in chunk.tool_call_chunks:
            if call.get("name"):
                yield {"event": "tool", "data": json.dumps({"name": call["name"]})}
        if chunk.text:
            yield {"event": "token", "data": json.dumps({"text": chunk.text})}
    state = await agent.aget_state(config)
    answer = state.values["messages"][-1].text
    yield {"event": "done", "data": json.dumps({"answer": answer, "turn": state.values["turn"]})}


def create_app(agent: Any) -> Starlette:
    """The ASGI app around one agent."""

    async def chat(request: Request) -> Any:
        try:
            body = await request.json()
            user_id, thread_id, text = (str(body[k]) for k in ("user_id", "thread_id", "message"))
        except (ValueError, KeyError, TypeError):
            return JSONResponse(
                {"error": "send JSON with user_id, thread_id and message"}, status_code=400
            )
        return EventSourceResponse(reply_events(agent, user_id, thread_id, text))

    return Starlette(routes=[Route("/chat", chat, methods=["POST"])])


async def chat_over_http(client: Any, user_id: str, thread_id: str, text: str) -> dict[str, Any]:
    """What a client of the app sees of one turn: the tokens in order, memory calls, the end."""
    tokens: list[str] = []
    tools: list[str] = []
    done: dict[str, Any] = {}
    event = "message"
    body = {"user_id": user_id, "thread_id": thread_id, "message": text}
    async with client.stream("POST", "/chat", json=body) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                data = json.loads(line.split(":", 1)[1])
                if event == "token":
                    tokens.append(data["text"])
                elif event == "tool":
                    tools.append(data["name"])
                elif event == "done":
                    done = data
    return {"tokens": tokens, "tools": tools, **done}


CONVERSATIONS = {
    "ann": ["Remember that the Q3 launch moved to May 14.", "When is the Q3 launch?"],
    "bob": [
        "Remember that my dentist appointment is on June 2.",
        "When is my dentist appointment?",
    ],
}


async def demo(store: str | Path, out: Any = sys.stdout) -> dict[tuple[str, str], list[dict]]:
    """Two users, two threads each, all at once, through HTTP to the app in this process."""
    import httpx

    memory = await asyncio.to_thread(Memory.open, store, embeddings=None)
    try:
        app = create_app(build_agent(memory))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:

            async def conversation(user: str, thread: str) -> list[dict]:
                return [
                    await chat_over_http(client, user, thread, text) for text in CONVERSATIONS[user]
                ]

            keys = [(user, thread) for user in CONVERSATIONS for thread in ("t1", "t2")]
            results = await asyncio.gather(*(conversation(u, t) for u, t in keys))
    finally:
        await asyncio.to_thread(memory.close)
    transcripts = dict(zip(keys, results, strict=True))
    for (user, thread), turns in transcripts.items():
        for text, turn in zip(CONVERSATIONS[user], turns, strict=True):
            print(f"[{user}/{thread}] {text}", file=out)
            print(f"  streamed {len(turn['tokens'])} tokens: {turn['answer']}", file=out)
    return transcripts


def main(argv: list[str]) -> int:
    if "--serve" in argv:
        import uvicorn

        store = os.environ.get("MEMGPT_DATABASE_URL") or os.environ.get(
            "MEMGPT_DATA_DIR", "./memgpt-data"
        )
        memory = Memory.open(store)
        try:
            uvicorn.run(create_app(build_agent(memory)), host="127.0.0.1", port=8000)
        finally:
            memory.close()
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(demo(Path(tmp) / "data"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
