"""The async half of our savers: each async method runs its sync twin on the saver's threads.

LangGraph's ``ainvoke``/``astream`` call a checkpointer's async API only (``aget_tuple``,
``aput``...), and ``SqliteSaver``/``PostgresSaver`` raise ``NotImplementedError`` there. Our
savers keep one implementation (the sync one, with the retention policy inside it) and this
mixin is the single seam that moves it off the event loop, on the saver's own worker threads
(``worker.py``: cheaper per call than ``asyncio.to_thread``, which matters at eight calls a
turn), so both APIs behave the same and a saver can serve sync and async callers at once
(LangGraph's ``AsyncSqliteSaver``/``AsyncPostgresSaver`` refuse sync calls from their own loop).

Only the methods the concrete saver implements are exposed: the conformance suite detects a
capability by the method being overridden, so a wrapper around a sync method that raises
``NotImplementedError`` would claim a capability it lacks.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
)

from langgraph_memgpt.checkpointing.worker import SaverWorker

_WORKER_LOCK = threading.Lock()


class AsyncViaThreads:
    """Mixin (put it before the sync saver class) giving a sync saver its async API."""

    #: How many of the saver's calls may run at once (its worker's threads).
    async_threads: int = 1

    def _off_loop(self, method: Any, /, *args: Any, **kwargs: Any) -> Any:
        """``method(*args, **kwargs)`` awaited on this saver's worker (made on first use)."""
        worker: SaverWorker | None = getattr(self, "_saver_worker", None)
        if worker is None:
            with _WORKER_LOCK:
                worker = getattr(self, "_saver_worker", None)
                if worker is None:
                    worker = SaverWorker(self.async_threads, name=type(self).__name__)
                    self._saver_worker = worker
        return worker.run(functools.partial(method, *args, **kwargs))

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return await self._off_loop(self.get_tuple, config)  # type: ignore[attr-defined]

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        def page() -> list[CheckpointTuple]:
            found = self.list(config, filter=filter, before=before, limit=limit)  # type: ignore[attr-defined]
            return list(found)

        for item in await self._off_loop(page):
            yield item

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return await self._off_loop(self.put, config, checkpoint, metadata, new_versions)  # type: ignore[attr-defined]

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        await self._off_loop(self.put_writes, config, writes, task_id, task_path)  # type: ignore[attr-defined]

    async def adelete_thread(self, thread_id: str) -> None:
        await self._off_loop(self.delete_thread, thread_id)  # type: ignore[attr-defined]

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        await self._off_loop(self.prune, thread_ids, strategy=strategy)  # type: ignore[attr-defined]

    async def aget_delta_channel_history(
        self, *, config: RunnableConfig, channels: Sequence[str]
    ) -> Mapping[str, Any]:
        return await self._off_loop(
            self.get_delta_channel_history,  # type: ignore[attr-defined]
            config=config,
            channels=channels,
        )
