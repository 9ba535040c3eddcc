"""Writers of one tenant on Postgres, at the same moments, from separate connections.

Each recall write re-indexes the tenant's lexical rows (tail, postings, statistics); two
transactions doing so at once locked the same rows in different orders and Postgres aborted
one of them with "deadlock detected" (found by the concurrency campaign of
``bench/reliability.py``). Writers of one tenant now take its lock first, as SQLite's single
writer does for the whole file, so every write succeeds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from langchain_core.messages import AIMessage, HumanMessage

from langgraph_memgpt import Memory


def test_concurrent_writers_of_one_tenant_never_deadlock(pg_store: Callable[[str], str]) -> None:
    url = pg_store("deadlock")
    writers = 6
    memories = [Memory.open(url, embeddings=None) for _ in range(writers)]
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(which: int) -> None:
        start.wait()
        try:
            for i in range(25):
                messages = [
                    HumanMessage(f"writer {which} says {i}: the boat, the key and the garden"),
                    AIMessage(f"noted {which}/{i}: boat key garden tea harbour"),
                ]
                memories[which].recall.append_messages(
                    messages, user_id="u1", thread_id=f"t{which % 3}"
                )
                memories[which].archival.insert(f"passage {which}/{i} boat key", user_id="u1")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    assert memories[0].recall.count(user_id="u1") == writers * 25 * 2
    assert memories[0].archival.count(user_id="u1") == writers * 25
    for memory in memories:
        memory.close()
