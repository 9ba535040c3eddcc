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

import numpy as np

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


#: Binary ``COPY`` widths of the integer types a numeric table may have.
_INTEGER_TYPES = {"bigint": ">i8", "integer": ">i4", "smallint": ">i2"}
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8  # header, flags, no extension area
_TRAILER = b"\xff\xff"


def binary_copy_data(types: Sequence[str], matrix: np.ndarray) -> bytes | None:
    """The whole binary ``COPY`` stream of an integer ``matrix`` (a row per tuple), built by
    NumPy in one pass; None if a column is not an integer type. psycopg's ``write_row``
    formats a row in Python (about 4 us each): a merge of the lexical tail writes ~10k
    postings a batch, and bulk inserts spent a fifth of their time there."""
    fields = [_INTEGER_TYPES.get(t) for t in types]
    if any(f is None for f in fields) or matrix.ndim != 2 or matrix.shape[1] != len(types):
        return None
    return _SIGNATURE + _fixed_parts([str(f) for f in fields], matrix).tobytes() + _TRAILER


def _fixed_parts(
    fields: Sequence[str], matrix: np.ndarray, blob_sizes: list[int] | None = None
) -> np.ndarray:
    """Each row's fixed part of a binary ``COPY``, one NumPy record a row: the field count,
    then each integer field's size and value, then (``blob_sizes``) the length word of a
    trailing ``bytea`` whose bytes the caller appends."""
    layout: list[tuple[str, str]] = [("count", ">i2")]
    for i, field in enumerate(fields):
        layout += [(f"size{i}", ">i4"), (f"value{i}", field)]
    if blob_sizes is not None:
        layout.append(("blob", ">i4"))
    out = np.empty(len(matrix), dtype=np.dtype(layout))
    out["count"] = len(fields) + (blob_sizes is not None)
    for i, field in enumerate(fields):
        out[f"size{i}"] = np.dtype(field).itemsize
        out[f"value{i}"] = matrix[:, i]
    if blob_sizes is not None:
        out["blob"] = blob_sizes
    return out


def binary_copy_with_blobs(types: Sequence[str], matrix: np.ndarray, blobs: list[bytes]) -> bytes:
    """:func:`binary_copy_data` with one more column, a ``bytea`` holding ``blobs`` (one a
    row): the integer fields by NumPy, then each row's bytes appended to its fixed part."""
    out = _fixed_parts([_INTEGER_TYPES[t] for t in types], matrix, [len(b) for b in blobs])
    fixed, width = out.tobytes(), out.dtype.itemsize
    rows = [fixed[i : i + width] for i in range(0, len(fixed), width)]
    return b"".join(
        [_SIGNATURE, *(part for pair in zip(rows, blobs, strict=True) for part in pair), _TRAILER]
    )


def copy_matrix_blobs(
    raw: Any, table: str, columns: Sequence[str], matrix: np.ndarray, blobs: list[bytes]
) -> None:
    """Rows of integer ``matrix`` columns and a last ``bytea`` column by one binary ``COPY``
    built without Python work per field (the lexical index's posting blocks)."""
    types = column_types(raw, table, tuple(columns[:-1]))
    data = binary_copy_with_blobs(types, np.asarray(matrix), blobs)
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(data)


def array_literal(values: Iterable[Any]) -> str:
    """A Postgres array literal (``{1,2,3}``) of integers, or of already quoted elements, sent
    as one text parameter and cast: psycopg's list dumper costs ~10 us an element."""
    return "{" + ",".join(map(str, values)) + "}"


def copy_matrix(raw: Any, table: str, columns: Sequence[str], matrix: np.ndarray) -> None:
    """:func:`copy_rows` for an integer matrix (a row per tuple), formatted by NumPy."""
    types = column_types(raw, table, tuple(columns))
    data = binary_copy_data(types, np.asarray(matrix))
    if data is None:
        copy_rows(raw, table, columns, np.asarray(matrix).tolist())
        return
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(data)


def upsert_matrix(
    raw: Any, table: str, columns: Sequence[str], matrix: np.ndarray, tail: str, returning: str = ""
) -> list[tuple[Any, ...]]:
    """``INSERT INTO table(columns) ... tail`` of an integer matrix as one array parameter per
    column (``unnest``): one short statement whatever the rows, where a ``VALUES`` list of
    thousands of placeholders cost psycopg more to parse than the server to run. With
    ``returning``, the rows it returns."""
    types = column_types(raw, table, tuple(columns))
    arrays = ", ".join(f"%s::{t}[]" for t in types)
    cursor = raw.execute(
        f"INSERT INTO {table}({', '.join(columns)}) SELECT * FROM unnest({arrays}) {tail}"
        + (f" RETURNING {returning}" if returning else ""),
        [array_literal(np.asarray(matrix)[:, i].tolist()) for i in range(len(columns))],
        prepare=False,
    )
    return [tuple(row) for row in cursor.fetchall()] if returning else []


def new_ids(raw: Any, table: str, count: int) -> list[int]:
    """``count`` fresh values of ``table``'s ``id`` identity sequence, in one statement."""
    rows = raw.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        (table, count),
        prepare=False,
    ).fetchall()
    return [int(r[0]) for r in rows]
