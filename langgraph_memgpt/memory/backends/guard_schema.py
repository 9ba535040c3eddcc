"""Schema of the memory poisoning guard: two nullable columns on ``recall`` and ``archival``.

- ``trust``: where the text came from (``guard_policy.TRUST_LEVELS``); NULL on rows written
  before schema 3, read as the tier's default (the role's tier for recall, ``external`` for
  archival), so an upgraded store is never trusted more than it was.
- ``guard``: NULL for a clean text, else a JSON object ``{"reasons": [...], "quarantined":
  bool, "approved": bool}`` written when the scanner flagged it on write.

Self-contained so it merges with other schema changes: ``add_guard_columns`` adds what is
missing (idempotent, inside the caller's schema transaction) on both engines; it runs on
every open, so a new store and an upgraded one end up with the same columns. The partial
indexes serve ``memory flagged`` (only flagged rows are indexed).
"""

from __future__ import annotations

from typing import Any

GUARD_TABLES = ("recall", "archival")
GUARD_COLUMNS = ("trust", "guard")


def add_guard_columns(conn: Any, *, postgres: bool = False) -> None:
    """Add the guard columns and indexes where they are missing (schema 2 -> 3)."""
    for table in GUARD_TABLES:
        if postgres:
            for column in GUARD_COLUMNS:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} TEXT")
        else:
            have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            for column in GUARD_COLUMNS:
                if column not in have:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")
        conn.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_flagged ON {table} (ns, id) WHERE guard IS NOT NULL"
        )
