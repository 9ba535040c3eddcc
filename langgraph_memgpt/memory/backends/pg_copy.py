"""Bulk writes on Postgres: rows by one binary ``COPY``, ids by one statement.

A batch of records written an ``INSERT`` at a time costs a statement (and, outside a
pipeline, a round trip) per row: about 1.4k archival records a second. ``COPY ... FROM STDIN``
streams any number of rows as one statement; binary format sends integers, bytes and pgvector
vectors as they are, without formatting 384 floats as text per row. Ids come first, from the
table's identity sequence in one ``nextval`` over a series, so the rows can be copied with
them and their children (tags, lexical index, validity) written in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

_COLUMN_TYPES: dict[tuple[str, tuple[str, ...]], list[str]] = {}


def column_types(raw: Any, table: str, columns: tuple[str, ...]) -> list[str]:
    """The columns' type names, which a binary ``COPY`` needs (read once per process: every
    store has the same schema)."""
    key = (table, columns)
    found = _COLUMN_TYPES.get(key)
    if found is None:
        rows = raw.execute(
            "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute "
            "WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped",
            (table,),
            prepare=False,
        ).fetchall()
        names = {str(r[0]): str(r[1]) for r in rows}
        found = [names[c] for c in columns]
        _COLUMN_TYPES[key] = found
    return found


def copy_rows(raw: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write ``rows`` into ``table`` with one binary ``COPY`` on the psycopg connection ``raw``
    (inside the caller's transaction). ``table`` and ``columns`` are constants of ours."""
    types = column_types(raw, table, tuple(columns))
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def new_ids(raw: Any, table: str, count: int) -> list[int]:
    """``count`` fresh values of ``table``'s ``id`` identity sequence, in one statement."""
    rows = raw.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        (table, count),
        prepare=False,
    ).fetchall()
    return [int(r[0]) for r in rows]
