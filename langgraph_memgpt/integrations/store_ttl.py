"""Time to live for :class:`~langgraph_memgpt.integrations.store.MemGPTStore` items.

An item put with ``ttl`` (minutes) carries its expiry in its record's metadata. Reads skip an
expired item at once; a read pushes the expiry back when the store's ``TTLConfig`` says
``refresh_on_read`` (LangGraph's default); :meth:`StoreTTL.sweep_ttl` deletes expired items, and
:meth:`StoreTTL.start_ttl_sweeper` does it every ``sweep_interval_minutes``, as
``PostgresStore`` does.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from langgraph_memgpt.integrations import store_items as items
from langgraph_memgpt.memory.types import SearchHit

if TYPE_CHECKING:
    from langgraph_memgpt.memory import Memory


def _now() -> datetime:
    return datetime.now(UTC)


class StoreTTL:
    """Expiry of store items: refresh on read, sweep, a background sweeper."""

    memory: Memory
    agent_id: str
    ttl_config: Any
    _lock: threading.Lock
    _sweeper: threading.Thread | None
    _sweeper_stop: threading.Event

    def _namespaces(self, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
        raise NotImplementedError

    def _refresh(self, hits: list[SearchHit], user_id: str) -> None:
        """Push back the expiry of items read."""
        for hit in hits:
            minutes = hit.metadata.get(items.TTL)
            if isinstance(minutes, int | float):
                expires = (_now() + timedelta(minutes=minutes)).isoformat()
                self.memory.archival.set_extra(
                    hit.id, {items.EXPIRES: expires}, user_id=user_id, agent_id=self.agent_id
                )

    def sweep_ttl(self) -> int:
        """Delete every expired item now; returns how many. Expired items are invisible to
        reads before that already; this reclaims their space."""
        now, removed = _now(), 0
        for namespace in self._namespaces():
            user_id = items.user_of(namespace)
            archival = self.memory.archival
            for hit in list(archival.records(user_id=user_id, agent_id=self.agent_id)):
                if not items.is_expired(hit.metadata, now):
                    continue
                with self._lock:  # a put may have written the key again since
                    current = archival.find(hit.id, user_id=user_id, agent_id=self.agent_id)
                    if current is not None and items.is_expired(current.metadata, now):
                        archival.delete(
                            hit.id, user_id=user_id, agent_id=self.agent_id, reason="ttl expired"
                        )
                        removed += 1
        return removed

    def start_ttl_sweeper(self, sweep_interval_minutes: float | None = None) -> threading.Thread:
        """Sweep every ``sweep_interval_minutes`` (default: the ``TTLConfig``'s, else 1) in a
        daemon thread until :meth:`stop_ttl_sweeper`."""
        if self._sweeper is not None and self._sweeper.is_alive():
            return self._sweeper
        config = self.ttl_config or {}
        minutes = sweep_interval_minutes or config.get("sweep_interval_minutes") or 1.0
        self._sweeper_stop.clear()

        def loop() -> None:
            while not self._sweeper_stop.wait(minutes * 60.0):
                if self.memory.closed:
                    return
                self.sweep_ttl()

        self._sweeper = threading.Thread(target=loop, name="memgpt-store-ttl", daemon=True)
        self._sweeper.start()
        return self._sweeper

    def stop_ttl_sweeper(self, timeout: float | None = None) -> bool:
        """Stop the sweeper; False if it was still running after ``timeout`` seconds."""
        self._sweeper_stop.set()
        if self._sweeper is None:
            return True
        self._sweeper.join(timeout)
        return not self._sweeper.is_alive()
