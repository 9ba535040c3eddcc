"""``langgraph-memgpt memory migrate --to postgresql://...``: move a local store up to Postgres.

The copy itself is ``memory/io/migrate.py`` (resumable, verified); this is its command line: a
progress bar per table on a terminal, one line per problem otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from langgraph_memgpt.cli.datadir import CliError, describe, is_database_url, store_location


def cmd_migrate(args: argparse.Namespace) -> int:
    from langgraph_memgpt.memory.backends.postgres_db import redact
    from langgraph_memgpt.memory.io.migrate import migrate
    from langgraph_memgpt.memory.types import MemoryStoreError

    if not args.to or not is_database_url(args.to):
        raise CliError("memory migrate needs --to postgresql://... (the database to copy into)")
    source = store_location(args.data_dir)
    if not isinstance(source, Path):
        raise CliError("memory migrate copies from a local data directory; --data-dir is a URL")
    print(
        f"copying {describe(source)} to {redact(args.to)} (run it again to resume if interrupted)",
        file=sys.stderr,
    )
    try:
        report = migrate(source, args.to, stream=sys.stderr)
    except MemoryStoreError as exc:
        raise CliError(str(exc)) from None
    print(report)
    return 0
