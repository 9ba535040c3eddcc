"""``langgraph-memgpt memory show|stats|search``: read a data directory, never create one.

A directory without a store is refused (a typo must not create an empty store), and a user
with nothing stored gets the list of users that do have memory there, so a wrong ``--user``
does not look like an empty memory.
"""

from __future__ import annotations

import argparse
import sys

from langgraph_memgpt.cli.chat import warm_up_embeddings
from langgraph_memgpt.cli.datadir import CliError, DataDirError, open_memory, unknown_user_message
from langgraph_memgpt.tools import NO_GOOD_MATCH

DEFAULT_AGENT_ID = "default"  # memory.types.DEFAULT_AGENT_ID, without importing the stores


def cmd_memory(args: argparse.Namespace) -> int:
    """Print core blocks, record counts, or search results of one user."""
    from langgraph_memgpt import MemoryStoreError

    if args.agent is None and args.action != "import":  # import names it after the file
        args.agent = DEFAULT_AGENT_ID
    if args.action == "migrate":
        from langgraph_memgpt.cli.migrate_memory import cmd_migrate

        return cmd_migrate(args)
    if args.action in ("ingest", "export", "import"):
        from langgraph_memgpt.cli import memory_io

        return int(getattr(memory_io, f"cmd_{args.action}")(args))
    if args.action == "search" and not args.query:
        print("langgraph-memgpt: error: memory search needs a query", file=sys.stderr)
        return 2
    # Reading actions read a store in a directory that is not writable (opened read-only).
    reading = args.action in ("show", "stats", "search", "flagged")
    memory = open_memory(args.data_dir, create=False, read_only=reading)
    try:
        ident = {"user_id": args.user, "agent_id": args.agent}
        # The quarantine switch is the store's, not a user's: no user need have memory.
        if args.action != "quarantine" and not memory.has_namespace(**ident):
            raise DataDirError(unknown_user_message(memory, args.user, args.agent))
        if args.action in ("flagged", "approve", "quarantine"):
            from langgraph_memgpt.cli.guard_cmds import cmd_guard

            return cmd_guard(memory, args, ident)
        if args.action == "show":
            print(memory.core.render(**ident))
        elif args.action == "stats":
            try:
                counts = memory.stats(**ident)
            except MemoryStoreError as exc:  # the database went away: one line, no traceback
                raise CliError(str(exc)) from None
            for tier, count in counts.items():
                print(f"{tier}: {count}")
        else:
            query = " ".join(args.query)
            warm_up_embeddings(memory, sys.stderr, background=False)
            try:
                for tier, hits in (
                    ("archival", memory.archival.search(query, k=args.k, **ident)),
                    (
                        "recall",
                        memory.recall.search(
                            query, k=args.k, include_tools=args.include_tools, **ident
                        ),
                    ),
                ):
                    print(f"== {tier} ==")
                    for hit in hits:
                        print(f"[{hit.score:.3f}] ({hit.citation}) {hit.text}")
                    if not hits:
                        print(NO_GOOD_MATCH)
            except MemoryStoreError as exc:
                raise CliError(str(exc)) from None
    finally:
        memory.close()
    return 0
