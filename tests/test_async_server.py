"""The async example app (``examples/async_server.py``) over HTTP with ``httpx.AsyncClient``:
two users, two threads each, all at once, answers streamed token by token over SSE, nothing
mixed between users or threads, on both backends."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.test_examples import load

server = load("async_server")


async def talk(app: Any) -> dict[tuple[str, str], list[dict[str, Any]]]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:

        async def conversation(user: str, thread: str) -> list[dict[str, Any]]:
            return [
                await server.chat_over_http(client, user, thread, text)
                for text in server.CONVERSATIONS[user]
            ]

        keys = [(user, thread) for user in server.CONVERSATIONS for thread in ("t1", "t2")]
        results = await asyncio.gather(*(conversation(u, t) for u, t in keys))
        bad = await client.post("/chat", json={"user_id": "ann"})
        assert bad.status_code == 400 and "thread_id" in bad.json()["error"]
    return dict(zip(keys, results, strict=True))


def test_two_users_two_threads_each_streamed_and_apart(memory) -> None:
    app = server.create_app(server.build_agent(memory))
    transcripts = asyncio.run(talk(app))
    own = {"ann": "May 14", "bob": "June 2"}
    for (user, thread), turns in transcripts.items():
        other = next(fact for name, fact in own.items() if name != user)
        assert [turn["turn"] for turn in turns] == [1, 2]  # its own thread, not another's
        for turn in turns:
            assert len(turn["tokens"]) > 3  # streamed in pieces...
            assert "".join(turn["tokens"]) == turn["answer"]  # ...that add up to the answer
            assert other not in turn["answer"]
        assert own[user] in turns[-1]["answer"], (user, thread, turns[-1]["answer"])
    assert transcripts["ann", "t1"][0]["tools"] == ["archival_memory_insert"]
    # Memory stayed per user: each user's store holds only their own fact.
    for user, fact in own.items():
        other = next(f for name, f in own.items() if name != user)
        assert any(fact in h.text for h in memory.recall.search(fact, user_id=user, k=20))
        texts = [h.text for h in memory.recall.search(other, user_id=user, k=20)]
        assert not any(other in text for text in texts)
