"""How LangGraph store items map onto archival records, and back.

- A namespace tuple is an archival user of the store's agent: ``("users", "alice")`` is user
  ``"users.alice"``. LangGraph forbids periods in namespace labels, so the mapping is exact
  both ways, and each namespace gets the per-user isolation of archival memory (its own lexical
  corpus, its own vector search, every query filtered by it). A one-label namespace
  ``("alice",)`` is simply user ``alice``: the store reads the archival memory our agent writes.
- An item is one record: its indexed fields (``index=``) are the record's text, which archival
  search ranks; the value itself, the key and the update time ride in the record's metadata
  (``store_value``, ``store_key``, ``updated_at``); ``created_at`` is the record's citation time,
  kept when the key is written again.
- A record written without the store (``archival_memory_insert``) reads as an item whose key is
  its id and whose value is ``{"content": text}`` (the shape langmem's memory tools use).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from langgraph.store.base import Item, SearchItem
from langgraph.store.base.embed import get_text_at_path, tokenize_path

# The reference semantics of filters and namespace matching: InMemoryStore's own helpers, which
# LangGraph documents as the behaviour custom stores should match.
from langgraph.store.memory import _compare_values, _does_match

from langgraph_memgpt.memory.tiers.archival import MAX_TEXT_CHARS
from langgraph_memgpt.memory.types import MemoryStoreError, SearchHit

SEPARATOR = "."
KEY = "store_key"
VALUE = "store_value"
UPDATED = "updated_at"
INDEXED = "store_indexed"
EXPIRES = "expires_at"
TTL = "ttl_minutes"
#: Metadata keys of the store's own bookkeeping (not shown in an item's ``metadata``).
PRIVATE = (KEY, VALUE, UPDATED, INDEXED, EXPIRES, TTL)
__all__ = ["MemGPTItem", "MemGPTSearchItem", "does_match", "matches_filter"]


def user_of(namespace: Sequence[str]) -> str:
    """The archival user id holding a namespace."""
    if not namespace:
        raise MemoryStoreError("a namespace needs at least one label, e.g. ('memories',).")
    user_id = SEPARATOR.join(namespace)
    if len(user_id) > 256:
        raise MemoryStoreError(
            f"namespace {tuple(namespace)} is {len(user_id)} characters joined; at most 256."
        )
    return user_id


def namespace_of(user_id: str) -> tuple[str, ...]:
    return tuple(user_id.split(SEPARATOR))


def check_value(value: object) -> dict[str, Any]:
    """A value the store can keep: a dict that JSON can hold."""
    if not isinstance(value, dict):
        raise MemoryStoreError(f"a store value is a dict, got {type(value).__name__}.")
    try:
        json.dumps(value)
    except (TypeError, ValueError) as exc:
        raise MemoryStoreError(f"a store value must be JSON-serializable: {exc}.") from exc
    return dict(value)


def index_text(value: dict[str, Any], fields: Sequence[str]) -> str | None:
    """The text archival search ranks an item by: its ``fields`` (LangGraph path syntax), one
    per line; None when none of them is present. ``$`` (the default) is the whole value as
    text a person or a model reads in a search result: a lone string field as it is
    (``{"content": "..."}``, langmem's shape), else one ``key: value`` line per field. Longer
    text than a record holds is cut (the value itself is kept whole)."""
    texts: list[str] = []
    for path in fields:
        if path == "$":
            texts.append(readable(value))
        else:
            texts.extend(get_text_at_path(value, tokenize_path(path)))
    text = "\n".join(t for t in texts if t.strip())
    return text[:MAX_TEXT_CHARS] if text else None


def readable(value: dict[str, Any]) -> str:
    if len(value) == 1 and isinstance(next(iter(value.values())), str):
        return str(next(iter(value.values())))
    return "\n".join(
        f"{key}: {field if isinstance(field, str) else json.dumps(field, ensure_ascii=False)}"
        for key, field in value.items()
    )


def stored_text(value: dict[str, Any]) -> str:
    """The record text of an item kept out of search (``index=False``): its JSON."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)[:MAX_TEXT_CHARS]


def matches_filter(value: dict[str, Any], filter: dict[str, Any] | None) -> bool:
    """Whether a value passes a store filter (exact values and ``$eq``/``$gt``/... operators)."""
    if not filter:
        return True
    return all(_compare_values(value.get(key), wanted) for key, wanted in filter.items())


def does_match(conditions: Sequence[Any], namespace: tuple[str, ...]) -> bool:
    return all(_does_match(condition, namespace) for condition in conditions)


def is_expired(metadata: dict[str, Any], now: datetime) -> bool:
    expires = metadata.get(EXPIRES)
    return isinstance(expires, str) and datetime.fromisoformat(expires) <= now


def is_hidden(metadata: dict[str, Any]) -> bool:
    """Superseded or quarantined records are left out of a store search, as out of archival
    search (a quarantined record an operator approved is searchable again)."""
    if metadata.get("superseded_at"):
        return True
    return bool(metadata.get("quarantined")) and not metadata.get("approved")


def _when(value: Any) -> datetime:
    if isinstance(value, str) and value:
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.now(UTC)


def _public(metadata: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in metadata.items() if k not in PRIVATE}


class MemGPTItem(Item):
    """A store item with ``metadata``: the record's citation (thread_id, turn, created_at,
    source), its trust level and the guard's flags (``untrusted``, ``guard_reasons``), and its
    validity (``superseded_by``, ``supersedes``). Equality ignores it, as it ignores nothing
    else of :class:`Item`."""

    __slots__ = ("metadata",)

    def __init__(self, *, metadata: dict[str, Any] | None = None, **fields: Any) -> None:
        super().__init__(**fields)
        self.metadata: dict[str, Any] = metadata or {}


class MemGPTSearchItem(SearchItem):
    """A search result with the record's ``metadata`` (see :class:`MemGPTItem`)."""

    __slots__ = ("metadata",)

    def __init__(self, *, metadata: dict[str, Any] | None = None, **fields: Any) -> None:
        super().__init__(**fields)
        self.metadata: dict[str, Any] = metadata or {}


def item_fields(hit: SearchHit, namespace: tuple[str, ...]) -> dict[str, Any]:
    """The :class:`Item` fields of a record (a keyed one, or one stored without the store)."""
    md = hit.metadata
    created = _when(md.get("created_at"))
    if KEY in md:
        key, value = str(md[KEY]), dict(md.get(VALUE) or {})
        updated = _when(md.get(UPDATED)) if md.get(UPDATED) else created
    else:
        key, value, updated = hit.id, {"content": hit.text}, created
    return {
        "namespace": namespace,
        "key": key,
        "value": value,
        "created_at": created,
        "updated_at": updated,
        "metadata": _public(md),
    }


def as_item(hit: SearchHit, namespace: tuple[str, ...]) -> MemGPTItem:
    return MemGPTItem(**item_fields(hit, namespace))


def as_search_item(
    hit: SearchHit, namespace: tuple[str, ...], score: float | None
) -> MemGPTSearchItem:
    return MemGPTSearchItem(score=score, **item_fields(hit, namespace))
