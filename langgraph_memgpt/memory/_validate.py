"""Input checks and time handling shared by the memory tiers.

Every check raises :class:`MemoryStoreError` with a message a model can act on, because the
graph's tools pass these messages back to the model verbatim as tool results.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from langgraph_memgpt.memory.types import MemoryStoreError

MAX_K = 100
DATE_FORMAT_HELP = (
    "'YYYY-MM-DD' (e.g. '2024-03-31') or an ISO 8601 datetime (e.g. '2024-03-31T14:05:00Z')"
)
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check_id(value: object, what: str) -> str:
    """A namespace or thread identifier: a non-empty string (never guessed, never coerced)."""
    if not isinstance(value, str) or not value.strip():
        raise MemoryStoreError(f"{what} must be a non-empty string, got {value!r}.")
    if len(value) > 256:
        raise MemoryStoreError(f"{what} is {len(value)} characters long; the maximum is 256.")
    return check_storable(value, what)


def check_text(value: object, what: str, max_chars: int, *, allow_empty: bool = False) -> str:
    """Text to store or search: a string, non-empty unless allowed, at most ``max_chars``."""
    if not isinstance(value, str):
        raise MemoryStoreError(f"{what} must be a string, got {type(value).__name__}.")
    if not allow_empty and not value.strip():
        raise MemoryStoreError(f"{what} is empty; pass some text.")
    if len(value) > max_chars:
        raise MemoryStoreError(
            f"{what} is {len(value)} characters long; the maximum is {max_chars}. "
            "Split it into several shorter pieces."
        )
    return check_storable(value, what)


def check_storable(value: str, what: str) -> str:
    """Text every backend can store: no NUL (Postgres text cannot hold it) and valid UTF-8
    (no lone surrogates), refused the same way everywhere."""
    if "\x00" in value:
        raise MemoryStoreError(f"{what} contains a NUL character (\\x00); remove it.")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise MemoryStoreError(
                f"{what} is not valid Unicode ({exc.reason} at character {exc.start}); "
                "send it as UTF-8 text."
            ) from exc
    return value


def check_k_page(k: object, page: object) -> tuple[int, int]:
    """Page size and page number: 1 <= k <= MAX_K, page >= 0 (bools are not numbers here)."""
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise MemoryStoreError(f"k must be an integer from 1 to {MAX_K}, got {k!r}.")
    if isinstance(page, bool) or not isinstance(page, int) or page < 0:
        raise MemoryStoreError(f"page must be an integer >= 0 (0 is the first page), got {page!r}.")
    return k, page


def check_turn(turn: object) -> int | None:
    if turn is None:
        return None
    if isinstance(turn, bool) or not isinstance(turn, int):
        raise MemoryStoreError(f"turn must be an integer or None, got {turn!r}.")
    return turn


def check_tags(tags: object) -> list[str]:
    """Tags: a list of short non-empty strings, deduplicated in order."""
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list | tuple | set | frozenset):
        raise MemoryStoreError(f"tags must be a list of strings, got {type(tags).__name__}.")
    out: list[str] = []
    for tag in tags:
        if not isinstance(tag, str) or not tag.strip() or len(tag) > 64:
            raise MemoryStoreError(
                f"tags must each be a non-empty string of at most 64 characters, got {tag!r}."
            )
        check_storable(tag, "tags")
        if tag.strip() not in out:
            out.append(tag.strip())
    if len(out) > 32:
        raise MemoryStoreError(f"at most 32 tags per record, got {len(out)}.")
    return out


def to_json(value: Any, what: str) -> str:
    if isinstance(value, dict) and not value:
        return "{}"  # most records' metadata, once the citation keys are taken out
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise MemoryStoreError(f"{what} must be JSON-serializable: {exc}.") from exc


def utc_iso(moment: datetime) -> str:
    """ISO 8601 in UTC with fixed width, so stored strings sort chronologically."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def now_iso() -> str:
    return utc_iso(datetime.now(UTC))


def parse_when(value: object, what: str, *, end_of_day: bool = False) -> str:
    """A date or datetime as a stored-format UTC string.

    A bare date means the whole day: as a range start it is 00:00, as an inclusive range end
    (``end_of_day``) it is the last microsecond of that day. Naive datetimes are taken as UTC.
    """
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, date):
        moment = datetime(value.year, value.month, value.day, tzinfo=UTC)
        if end_of_day:
            moment += timedelta(days=1) - timedelta(microseconds=1)
        return utc_iso(moment)
    if isinstance(value, str):
        text = value.strip()
        try:
            if _DATE_ONLY.match(text):
                return parse_when(date.fromisoformat(text), what, end_of_day=end_of_day)
            return utc_iso(datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            pass
    raise MemoryStoreError(f"{what} {value!r} is not a date; use {DATE_FORMAT_HELP}.")


def page_past_end(total: int, k: int, page: int) -> MemoryStoreError:
    """The error for a page beyond the last one, telling how many pages exist."""
    pages = math.ceil(total / k)
    if pages == 0:
        return MemoryStoreError(
            f"page {page} is past the end: there are no results for this query."
        )
    return MemoryStoreError(
        f"page {page} is past the end: there are {total} results in {pages} page(s) of {k} "
        f"(pages 0 to {pages - 1})."
    )


BASE_POOL = 100


def pool_size(k: int, page: int) -> int:
    """Candidates taken from each ranker: 100, doubled until it covers the requested page.

    Fixed steps (not exactly (page+1)*k) keep the fused order identical across the pages
    that share a pool, so paging through results neither repeats nor skips records.
    """
    pool = BASE_POOL
    while pool < (page + 1) * k:
        pool *= 2
    return pool
