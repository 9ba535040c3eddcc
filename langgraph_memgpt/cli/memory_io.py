"""``langgraph-memgpt memory ingest|export|import``: documents in, memory out and back in.

The work is ``memory/io/ingest.py`` and ``memory/io/portable.py``; this is their command line. The
progress bar of an ingest shows only on a terminal (stderr), so logs and pipes stay clean.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from langgraph_memgpt.cli.datadir import CliError, open_memory


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
    target = Path(args.query[0])
    if target.exists() and not args.force:
        raise CliError(f"{target} exists: pass --force to overwrite it")
    memory = open_memory(args.data_dir, create=False, read_only=True)
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
    """Import an agent file (ours or Letta's) into a user with no memory yet: every agent of
    the file, each under its own id, or the one ``--from-agent`` names."""
    from langgraph_memgpt.memory import MemoryStoreError
    from langgraph_memgpt.memory.io.agent_file import parse_agents
    from langgraph_memgpt.memory.io.portable import import_agent, read_document

    if len(args.query) != 1:
        raise CliError("memory import needs exactly one agent FILE to read")
    try:  # a broken file is reported before any store is opened or created
        document, digest = read_document(args.query[0])
        plans = parse_agents(document, agent=args.from_agent, where=args.query[0])
        if args.dry_run and not _store_exists(args.data_dir):
            return _check_only(plans, args)
    except MemoryStoreError as exc:
        raise CliError(str(exc)) from None
    memory = open_memory(args.data_dir, create=not args.dry_run)
    try:
        report = import_agent(
            memory,
            document,
            user_id=args.user,
            agent_id=args.agent,
            agent=args.from_agent,
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


def _store_exists(location: str) -> bool:
    """Whether a store is there, found without creating one (no directory, no schema)."""
    from pathlib import Path

    from langgraph_memgpt.cli.datadir import STORE_FILE, is_database_url

    if is_database_url(location):
        from langgraph_memgpt.memory.backends.postgres_db import has_store

        return has_store(location)
    return (Path(location) / STORE_FILE).is_file()


def _check_only(plans: list[Any], args: argparse.Namespace) -> int:
    """A dry run against a store that does not exist yet: the file is checked, nothing made."""
    from langgraph_memgpt.memory.io.portable import targets_of

    for plan, (user, agent) in zip(plans, targets_of(plans, args.user, args.agent), strict=True):
        print(
            f"would import {plan.agent_name!r}: {len(plan.blocks)} core block(s), "
            f"{len(plan.messages)} message(s), {len(plan.passages)} archival record(s), "
            f"{len(plan.profile.get('tools', []))} tool(s) as data into user {user!r} "
            f"(agent {agent!r}) of a new store at {redacted(args.data_dir)}"
        )
        for warning in plan.warnings:
            print(warning)
    return 0


def redacted(location: str) -> str:
    from langgraph_memgpt.cli.datadir import is_database_url

    if is_database_url(location):
        from langgraph_memgpt.memory.backends.postgres_db import redact

        return redact(location)
    return location
