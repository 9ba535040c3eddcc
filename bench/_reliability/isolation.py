"""Isolation: randomized searches by many users over overlapping texts return only their own.

Every user (and a second agent of some users) stores archival passages and recall messages
built from the same sentences, so every search matches other users' records as well as its
own. Each search (archival hybrid/lexical/dense, with and without tags, recall by text and by
date, on random pages) is checked record by record against the ids that user stored.
"""

from __future__ import annotations

import random
from typing import Any

from bench._reliability.common import Outcome, timed

SENTENCES = (
    "The spare key is under the blue flowerpot by the door",
    "Dinner with Sam is on Friday at the harbour restaurant",
    "The boat leaves at nine from the north pier",
    "My sister's birthday is in March and she likes tea",
    "The garden fence needs paint before the winter",
    "The locker code at the gym is written in the red notebook",
)
QUERIES = (
    "spare key flowerpot",
    "dinner Friday",
    "boat pier",
    "birthday tea",
    "fence paint",
    "locker code",
    "the",
)
TAGS = ("home", "work", "family")


def run(store: Any, *, backend: str, users: int, searches: int, seed: int) -> Outcome:
    from langchain_core.messages import AIMessage, HumanMessage

    from langgraph_memgpt import Memory
    from langgraph_memgpt.memory.testing import HashEmbeddings

    outcome = Outcome(
        scenario="isolation",
        backend=backend,
        load=f"{searches} random searches over {users} users (+ a second agent each for 1 in 5)",
    )
    rng = random.Random(seed)
    owners: dict[tuple[str, str], set[str]] = {}
    with Memory.open(store, embeddings=HashEmbeddings(32)) as memory, timed(outcome):
        names = [(f"user-{u}", "default") for u in range(users)]
        names += [(f"user-{u}", "helper") for u in range(0, users, 5)]
        for user, agent in names:
            mine = owners.setdefault((user, agent), set())
            texts = [f"{s} ({i % 3})" for i, s in enumerate(SENTENCES * 2)]
            for i, text in enumerate(texts):
                record = memory.archival.insert(
                    text, user_id=user, agent_id=agent, tags=[TAGS[i % len(TAGS)]]
                )
                mine.add(record)
            messages = []
            for i, text in enumerate(texts[:8]):
                kind = HumanMessage if i % 2 == 0 else AIMessage
                message = kind(text, id=f"{user}-{agent}-m{i}")
                message.additional_kwargs["created_at"] = f"2026-0{1 + i % 3}-1{i % 9}T10:00:00Z"
                messages.append(message)
                mine.add(str(message.id))
            memory.recall.append_messages(messages, user_id=user, agent_id=agent, thread_id="t")
        memory.flush()
        kinds: dict[str, int] = {}
        returned = 0
        for _ in range(searches):
            user, agent = rng.choice(names)
            kind = rng.choice(
                [
                    "archival hybrid",
                    "archival lexical",
                    "archival dense",
                    "archival tags",
                    "recall",
                    "recall by date",
                ]
            )
            kinds[kind] = kinds.get(kind, 0) + 1
            query = rng.choice(QUERIES)
            page, k = rng.choice([0, 0, 0, 1, 2]), rng.choice([1, 3, 10])
            ident = {"user_id": user, "agent_id": agent, "k": k, "page": page}
            try:
                if kind == "recall":
                    hits = memory.recall.search(query, **ident)
                elif kind == "recall by date":
                    hits = memory.recall.search_by_date("2026-01-01", "2026-03-31", **ident)
                elif kind == "archival tags":
                    hits = memory.archival.search(query, tags=[rng.choice(TAGS)], **ident)
                else:
                    mode = kind.split()[1]
                    hits = memory.archival.search(query, mode=mode, **ident)  # type: ignore[arg-type]
            except Exception as exc:  # a page past the end is refused: not a leak
                if "page" not in str(exc):
                    outcome.lose(f"{kind} for {user}/{agent} raised {exc!r}")
                continue
            returned += len(hits)
            for hit in hits:
                if hit.id not in owners[(user, agent)]:
                    owner = next((o for o, ids in owners.items() if hit.id in ids), None)
                    outcome.lose(
                        f"{kind} {query!r} for {user}/{agent} returned {hit.id} of {owner}"
                    )
        outcome.checks["records_returned"] = returned
        outcome.checks["searches_by_kind"] = kinds
        outcome.faults = {"cross-user searches": searches}
    return outcome
