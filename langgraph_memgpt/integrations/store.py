"""``MemGPTStore``: LangGraph's ``BaseStore`` over archival memory.

LangGraph apps reach long-term memory through the store API: ``create_react_agent(store=...)``,
``InjectedStore`` tools, ``get_store()``, langmem's memory tools and the ``store`` section of
``langgraph.json``. This store serves that API from our archival tier, so what they write is
searched by the hybrid (BM25 + dense) ranking, carries citations and trust, passes the memory
poisoning guard, and is superseded and quarantined like any archival record. The mapping of
namespaces, keys and values onto records is in ``store_items.py``.

Its behaviour is tested against ``InMemoryStore`` (LangGraph's reference) on both backends
(``tests/test_store.py``). Where it differs on purpose: a ``query`` ranks by our hybrid search,
which leaves out items that match neither by words nor closely by meaning (InMemoryStore ranks
every item, however unrelated); ``created_at`` survives an update (as in ``PostgresStore``); a
namespace whose items were all deleted is no longer listed (as in ``PostgresStore``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from langgraph.store.base import (
    BaseStore,
    GetOp,
    IndexConfig,
    ListNamespacesOp,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
    TTLConfig,
    validate_op_namespace,
)

from langgraph_memgpt.integrations import store_items as items
from langgraph_memgpt.integrations.store_ttl import StoreTTL, _now
from langgraph_memgpt.memory.aio import off_loop_in
from langgraph_memgpt.memory.guard import policy as guard_policy
from langgraph_memgpt.memory.tiers.keyed import Keyed
from langgraph_memgpt.memory.types import DEFAULT_AGENT_ID, MemoryStoreError, SearchHit

if TYPE_CHECKING:
    from langgraph_memgpt.memory import Memory

#: Records asked of archival search per page while collecting a query's results.
PAGE = 100


class MemGPTStore(StoreTTL, BaseStore):
    """A LangGraph store whose items are archival records of ``memory``.

    ``agent_id``: the archival agent the namespaces belong to (the graph's default, so a
    namespace ``(user_id,)`` is that user's archival memory). ``index``: the value fields to
    rank by (``{"fields": ["content"]}``; default ``["$"]``, the whole value); vectors come from
    the memory's own embedder, so ``dims``/``embed`` are not needed. ``trust``: the origin of
    what is written through the store (``"model"``: an agent's tools; ``"user"``, ``"external"``).
    ``ttl``: LangGraph's ``TTLConfig`` (``default_ttl``, ``refresh_on_read`` in minutes).
    """

    supports_ttl = True

    def __init__(
        self,
        memory: Memory,
        *,
        agent_id: str = DEFAULT_AGENT_ID,
        index: IndexConfig | None = None,
        trust: str = guard_policy.MODEL,
        ttl: TTLConfig | None = None,
    ) -> None:
        self.memory = memory
        self.agent_id = agent_id
        self.index_config = index
        self.fields: list[str] = list((index or {}).get("fields") or ["$"])
        self.trust = guard_policy.check_trust(trust)
        self.ttl_config = ttl
        #: One writer per key at a time in this process (a put reads, then replaces).
        self._lock = threading.Lock()
        self._sweeper: threading.Thread | None = None
        self._sweeper_stop = threading.Event()

    # -- the BaseStore protocol ------------------------------------------------------------
    def batch(self, ops: Iterable[Op]) -> list[Result]:
        """Run the operations in order; a put is visible to the operations after it. Puts of
        distinct keys to one namespace that follow each other are stored together (one
        embedding call, one transaction)."""
        results: list[Result] = []
        pending: list[PutOp] = []
        for op in ops:
            validate_op_namespace(op)
            if isinstance(op, PutOp) and op.value is not None:
                if pending and (
                    op.namespace != pending[0].namespace or op.key in {p.key for p in pending}
                ):
                    self._put_many(pending)
                    pending = []
                pending.append(op)
                results.append(None)
                continue
            if pending:
                self._put_many(pending)
                pending = []
            if isinstance(op, GetOp):
                results.append(self._get(op))
            elif isinstance(op, SearchOp):
                results.append(list(self._search(op)))
            elif isinstance(op, ListNamespacesOp):
                results.append(self._list_namespaces(op))
            elif isinstance(op, PutOp):
                self._delete(op)
                results.append(None)
            else:
                raise ValueError(f"Unknown operation type: {type(op).__name__}")
        if pending:
            self._put_many(pending)
        return results

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        """:meth:`batch` on the store's worker threads (the memory tiers are thread-safe and block on I/O);
        the run's context (its config) goes along."""
        return await off_loop_in(self.memory.executor, self.batch, list(ops))

    # -- operations ------------------------------------------------------------------------
    def _get(self, op: GetOp) -> items.MemGPTItem | None:
        namespace = tuple(op.namespace)
        found = self._find(namespace, op.key)
        if found is None:
            return None
        hit, user_id = found
        if items.is_expired(hit.metadata, _now()):
            return None
        if op.refresh_ttl:
            self._refresh([hit], user_id)
        return items.as_item(hit, namespace)

    def _find(self, namespace: tuple[str, ...], key: str) -> tuple[SearchHit, str] | None:
        """The record of ``key``: the keyed one, else a record stored without the store whose
        id is ``key``."""
        user_id = items.user_of(namespace)
        archival = self.memory.archival
        hit = archival.find(
            archival.key_id(key, user_id=user_id, agent_id=self.agent_id),
            user_id=user_id,
            agent_id=self.agent_id,
        )
        if hit is None:
            other = archival.find(key, user_id=user_id, agent_id=self.agent_id)
            if other is not None and items.KEY not in other.metadata:
                hit = other
        return None if hit is None else (hit, user_id)

    def _delete(self, op: PutOp) -> None:
        namespace = tuple(op.namespace)
        user_id = items.user_of(namespace)
        with self._lock:
            found = self._find(namespace, op.key)
            if found is not None:
                self.memory.archival.delete(
                    found[0].id, user_id=user_id, agent_id=self.agent_id, reason="store delete"
                )

    def _put_many(self, ops: list[PutOp]) -> None:
        """Store puts of distinct keys to one namespace."""
        namespace = tuple(ops[0].namespace)
        if not namespace or namespace[0] == "langgraph":
            raise MemoryStoreError(f"namespace {namespace} is not writable.")
        user_id = items.user_of(namespace)
        thread_id = _run_thread_id()
        with self._lock:
            entries = []
            for op in ops:
                value = items.check_value(op.value)
                found = self._find(namespace, op.key)
                fields = self.fields if op.index is None else (op.index or [])
                text = items.index_text(value, fields) if fields else None
                now = _now()
                metadata: dict[str, Any] = {
                    items.KEY: op.key,
                    items.VALUE: value,
                    items.UPDATED: now.isoformat(),
                    items.INDEXED: text is not None,
                    "created_at": now.isoformat()
                    if found is None
                    else found[0].metadata.get("created_at"),
                    "source": "langgraph-store",
                }
                if thread_id is not None:
                    metadata["thread_id"] = thread_id
                if op.ttl is not None:
                    metadata[items.TTL] = float(op.ttl)
                    metadata[items.EXPIRES] = (now + timedelta(minutes=op.ttl)).isoformat()
                entries.append(
                    Keyed(
                        op.key,
                        text if text is not None else items.stored_text(value),
                        metadata,
                        None if found is None else found[0].id,
                    )
                )
            self.memory.archival.put_keyed_many(
                entries, user_id=user_id, agent_id=self.agent_id, trust=self.trust
            )

    def _namespaces(self, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
        users = self.memory.archival.users(
            agent_id=self.agent_id, prefix=items.user_of(prefix) if prefix else None
        )
        return [items.namespace_of(user) for user in users]

    def _search(self, op: SearchOp) -> list[SearchItem]:
        if op.limit < 0 or op.offset < 0:
            raise MemoryStoreError("limit and offset must be >= 0.")
        wanted = op.offset + op.limit
        namespaces = self._namespaces(tuple(op.namespace_prefix))
        found: list[tuple[float | None, SearchHit, tuple[str, ...]]] = []
        if op.query:
            for namespace in namespaces:
                found.extend(self._ranked(namespace, op.query, op.filter, wanted))
            found.sort(key=lambda entry: -(entry[0] or 0.0))
            if len(found) < wanted:  # items kept out of search (index=False) come last
                for namespace in namespaces:
                    for hit in self._listed(namespace, op.filter):
                        if not hit.metadata.get(items.INDEXED, True):
                            found.append((None, hit, namespace))
        else:
            for namespace in namespaces:
                for hit in self._listed(namespace, op.filter):
                    found.append((None, hit, namespace))
                    if len(found) >= wanted:
                        break
                if len(found) >= wanted:
                    break
        page = found[op.offset : wanted]
        if op.refresh_ttl:
            for namespace in {ns for _, _, ns in page}:
                self._refresh([hit for _, hit, ns in page if ns == namespace], _user(namespace))
        return [items.as_search_item(hit, namespace, score) for score, hit, namespace in page]

    def _ranked(
        self, namespace: tuple[str, ...], query: str, filter: dict[str, Any] | None, wanted: int
    ) -> Iterator[tuple[float | None, SearchHit, tuple[str, ...]]]:
        """The namespace's items ranked by archival hybrid search (superseded and quarantined
        records are left out by the search itself), up to ``wanted`` passing the filter."""
        user_id, now, kept, page = _user(namespace), _now(), 0, 0
        size = PAGE if filter else max(1, min(PAGE, wanted))
        while kept < wanted:
            try:
                hits = self.memory.archival.search(
                    query, user_id=user_id, agent_id=self.agent_id, k=size, page=page
                )
            except MemoryStoreError:  # past the last page
                return
            for hit in hits:
                md = hit.metadata
                if not md.get(items.INDEXED, True) or items.is_expired(md, now):
                    continue
                if items.matches_filter(items.item_fields(hit, namespace)["value"], filter):
                    kept += 1
                    yield hit.score, hit, namespace
            if len(hits) < size:
                return
            page += 1

    def _listed(
        self, namespace: tuple[str, ...], filter: dict[str, Any] | None
    ) -> Iterator[SearchHit]:
        """The namespace's current items in insertion order, passing the filter."""
        now = _now()
        for hit in self.memory.archival.records(user_id=_user(namespace), agent_id=self.agent_id):
            md = hit.metadata
            if items.is_hidden(md) or items.is_expired(md, now):
                continue
            if items.matches_filter(items.item_fields(hit, namespace)["value"], filter):
                yield hit

    def _list_namespaces(self, op: ListNamespacesOp) -> list[tuple[str, ...]]:
        conditions = list(op.match_conditions or ())
        prefix: tuple[str, ...] = ()
        for condition in conditions:
            if condition.match_type == "prefix":
                prefix = tuple(label for label in condition.path)
                if "*" in prefix:
                    prefix = prefix[: prefix.index("*")]
        namespaces = [ns for ns in self._namespaces(prefix) if items.does_match(conditions, ns)]
        if op.max_depth is not None:
            namespaces = sorted({ns[: op.max_depth] for ns in namespaces})
        else:
            namespaces = sorted(namespaces)
        return namespaces[op.offset : op.offset + op.limit]

    def __repr__(self) -> str:
        return f"MemGPTStore({self.memory!r}, agent_id={self.agent_id!r})"


def _user(namespace: tuple[str, ...]) -> str:
    return items.user_of(namespace)


def _run_thread_id() -> str | None:
    """The thread of the LangGraph run writing, for the record's citation (None outside one)."""
    from langgraph.config import get_config

    try:
        thread_id = (get_config().get("configurable") or {}).get("thread_id")
    except RuntimeError:
        return None
    return thread_id if isinstance(thread_id, str) and thread_id else None
