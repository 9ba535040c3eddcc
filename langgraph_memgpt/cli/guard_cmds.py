"""``langgraph-memgpt memory flagged|approve|quarantine``: the operator's review of the guard.

``flagged`` lists the records the memory poisoning guard flagged on write (newest first, per
tier) with their reasons and quarantine state; ``approve ID --tier archival|recall`` lets a
quarantined record be found by search again; ``quarantine on|off`` sets whether flagged
records written from now on are kept out of search until approved.
"""

from __future__ import annotations

import argparse
from typing import Any

from langgraph_memgpt.cli.datadir import CliError


def _state(row: dict[str, Any]) -> str:
    if row["quarantined"] and not row["approved"]:
        return "quarantined"
    return "approved" if row["approved"] else "searchable"


def cmd_guard(memory: Any, args: argparse.Namespace, ident: dict[str, str]) -> int:
    """Run one guard action on an open store."""
    from langgraph_memgpt import MemoryStoreError

    words = list(args.query)
    try:
        if args.action == "quarantine":
            if words and (len(words) > 1 or words[0] not in ("on", "off")):
                raise CliError(f"memory quarantine takes on or off, not {' '.join(words)!r}")
            if words:
                memory.guard.quarantine = words[0] == "on"
            print(f"quarantine: {'on' if memory.guard.quarantine else 'off'}")
        elif args.action == "approve":
            if len(words) != 1 or args.tier is None:
                raise CliError("memory approve needs one record id and --tier archival|recall")
            memory.guard.approve(words[0], tier=args.tier, **ident)
            print(f"approved {args.tier} record {words[0]}: search finds it again")
        else:
            tiers = (args.tier,) if args.tier else ("archival", "recall")
            rows = memory.guard.flagged(tiers=tiers, limit=args.k, **ident)
            for row in rows:
                text = " ".join(str(row["text"]).split())
                if len(text) > 200:
                    text = text[:199] + "…"
                print(
                    f"{row['tier']} {row['id']} [{_state(row)}; trust {row['trust']}; "
                    f"{', '.join(row['reasons'])}] {row['created_at']}: {text}"
                )
            if not rows:
                print("no flagged records")
    except MemoryStoreError as exc:
        raise CliError(str(exc)) from None
    return 0
