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
    """Add the guard columns and indexes where they are missing (schema 2 -> 3).

    Looks in the catalog first and alters nothing that is there: this runs on every open, and
    on Postgres even ``ADD COLUMN IF NOT EXISTS`` / ``CREATE INDEX IF NOT EXISTS`` take the
    table's lock, which queues behind (and in front of) other processes' open transactions.
    """
    for table in GUARD_TABLES:
        if postgres:
            have = {
                row[0]
                for row in conn.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = %s",
                    (table,),
                )
            }
            indexed = conn.execute(
                "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = %s",
                (f"{table}_flagged",),
            ).fetchone()
        else:
            have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            indexed = None
        for column in GUARD_COLUMNS:
            if column not in have:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")
        if indexed is None:
            conn.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_flagged ON {table} (ns, id) "
                "WHERE guard IS NOT NULL"
            )
