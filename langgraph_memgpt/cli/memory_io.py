"""``langgraph-memgpt memory ingest|export|import``: documents in, memory out and back in.

The work is ``memory/io/ingest.py`` and ``memory/io/portable.py``; this is their command line. The
progress bar of an ingest shows only on a terminal (stderr), so logs and pipes stay clean.
"""

from __future__ import annotations

import argparse
import sys

from langgraph_memgpt.cli.datadir import CliError, NoStoreError, describe, open_memory


def cmd_ingest(args: argparse.Namespace) -> int:
    """Ingest files and directories into the user's archival memory; exit 1 if any failed."""
    from langgraph_memgpt.memory import MemoryStoreError

    if not args.query:
        raise CliError("memory ingest needs one or more files or directories")
    memory = open_memory(args.data_dir, create=True)
    try:
        report = memory.ingest(
            args.query,
            user_id=args.user,
            agent_id=args.agent,
            stream=sys.stderr,
        )
    except MemoryStoreError as exc:
        raise CliError(str(exc)) from None
    finally:
        memory.close()
    print(report)
    return 1 if report.failed else 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write one user's memory to an agent file."""
    from langgraph_memgpt.memory import MemoryStoreError

    if len(args.query) != 1:
        raise CliError("memory export needs exactly one FILE to write")
    memory = open_memory(args.data_dir, create=False)
    try:
        if not memory.has_namespace(user_id=args.user, agent_id=args.agent):
            raise CliError(f"no memory for user {args.user!r} (agent {args.agent!r}) to export")
        path = memory.export_agent(
            args.query[0], user_id=args.user, agent_id=args.agent, vectors=args.vectors
        )
    except MemoryStoreError as exc:
        raise CliError(str(exc)) from None
    finally:
        memory.close()
    print(f"exported user {args.user!r} (agent {args.agent!r}) to {path}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Import an agent file (ours or Letta's) into a user with no memory yet."""
    from langgraph_memgpt.memory import MemoryStoreError
    from langgraph_memgpt.memory.io.portable import read_document

    if len(args.query) != 1:
        raise CliError("memory import needs exactly one agent FILE to read")
    from langgraph_memgpt.memory.io.agent_file import parse

    try:  # a broken file is reported before any store is opened or created
        document, digest = read_document(args.query[0])
        parse(document, where=args.query[0])
    except MemoryStoreError as exc:
        raise CliError(str(exc)) from None
    try:  # a dry run opens an existing store read-only: it never creates a directory or schema
        memory = open_memory(args.data_dir, create=not args.dry_run)
    except NoStoreError:
        if not args.dry_run:
            raise
        return _check_only(document, args)
    try:
        from langgraph_memgpt.memory.io.portable import import_agent

        report = import_agent(
            memory,
            document,
            user_id=args.user,
            agent_id=args.agent,
            dry_run=args.dry_run,
            digest=digest,
            where=args.query[0],
        )
    except MemoryStoreError as exc:
        raise CliError(str(exc)) from None
    finally:
        memory.close()
    print(report)
    return 0


def _check_only(document: object, args: argparse.Namespace) -> int:
    """A dry run against a store that does not exist yet: the file is checked, nothing made."""
    from langgraph_memgpt.memory import MemoryStoreError
    from langgraph_memgpt.memory.io.agent_file import parse

    try:
        plan = parse(document, where=args.query[0])
    except MemoryStoreError as exc:
        raise CliError(str(exc)) from None
    print(
        f"would import {len(plan.blocks)} core block(s), {len(plan.messages)} message(s), "
        f"{len(plan.passages)} archival record(s) into user {args.user!r} (agent "
        f"{args.agent!r}) of a new store at {describe(args.data_dir)}"
    )
    return 0
