"""The ``langgraph-memgpt`` command line: every command and ``memory`` action with its options.

Each ``memory`` action is its own subcommand, so ``memory ACTION --help`` lists exactly the
options that action takes. Nothing heavy is imported here: ``--help`` answers at once.
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable
from typing import Any

from langgraph_memgpt.cli.mcp_cmd import add_mcp_parser
from langgraph_memgpt.defaults import DEFAULT_DATA_DIR, DEFAULT_USER_ID

PROG = "langgraph-memgpt"

Command = Callable[[argparse.Namespace], int]


class _Formatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Shows every option's default and keeps the epilogs' line breaks."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if not action.option_strings or action.default is None:  # "none given" is no news
            return action.help
        return super()._get_help_string(action)


def _lazy(module: str, name: str) -> Command:
    """A command function imported only when the command runs (``--help`` imports none)."""

    def run(args: argparse.Namespace) -> int:
        import importlib

        return int(getattr(importlib.import_module(module), name)(args))

    return run


def data_dir_help(default: str | None) -> str:
    where = "" if default is None else " (relative to the current directory)"
    return f"directory holding the memory stores and checkpoints{where}, or a postgresql:// URL"


#: (action, summary, (positional metavar, its help) or None, the options it takes).
#: Positional words always land in ``args.query`` (a list), as the commands expect.
MEMORY_ACTIONS: list[tuple[str, str, tuple[str, str] | None, list[str]]] = [
    ("show", "the user's core memory blocks, as the model sees them", None, []),
    ("stats", "record counts per tier", None, []),
    (
        "search",
        "best archival and recall matches, with citations (what people said; tool calls and "
        "results with --include-tools)",
        ("QUERY", "words to search for"),
        ["k", "include_tools"],
    ),
    (
        "migrate",
        "copy every tier (vectors included) and each thread's latest checkpoint of a local "
        "data directory into Postgres; resumable, counts verified",
        None,
        ["to"],
    ),
    (
        "flagged",
        "records the memory poisoning guard flagged, newest first",
        None,
        ["k", "tier"],
    ),
    (
        "approve",
        "let a quarantined record be searched again",
        ("ID", "the record id `flagged` shows"),
        ["tier"],
    ),
    (
        "quarantine",
        "show, or set with on|off, whether flagged records are kept out of search until approved",
        ("on|off", "the new setting (none: show it)"),
        [],
    ),
    (
        "ingest",
        "files/directories (text, Markdown, HTML, PDF) into archival memory, chunked and "
        "cited; an unchanged file adds nothing; creates the store if needed",
        ("PATH", "files or directories to ingest"),
        [],
    ),
    (
        "export",
        "the user's whole memory as one agent file (Letta .af layout)",
        ("FILE", "the agent file to write (an existing file only with --force)"),
        ["vectors", "force"],
    ),
    (
        "import",
        "an agent file (ours or Letta's) into a user with no memory yet; a file with several "
        "agents imports each (or --from-agent NAME); creates the store if needed (--dry-run "
        "checks only and creates nothing)",
        ("FILE", "the agent file to read"),
        ["dry_run", "from_agent"],
    ),
]

#: Every option a memory action may read, with its default (set on every action).
OPTION_DEFAULTS: dict[str, Any] = {
    "k": 5,
    "include_tools": False,
    "to": None,
    "tier": None,
    "vectors": False,
    "force": False,
    "dry_run": False,
    "from_agent": None,
}


def _add_option(parser: argparse.ArgumentParser, name: str, action: str) -> None:
    if name == "k":
        what = "results per tier" if action == "search" else "records per tier"
        parser.add_argument("-k", type=int, default=5, help=what)
    elif name == "include_tools":
        parser.add_argument(
            "--include-tools", action="store_true", help="search tool calls and results too"
        )
    elif name == "to":
        parser.add_argument("--to", default=None, help="postgresql:// URL to copy into")
    elif name == "tier":
        parser.add_argument(
            "--tier",
            choices=["archival", "recall"],
            default=None,
            help="the tier of the record (required)" if action == "approve" else "only this tier",
        )
    elif name == "vectors":
        parser.add_argument("--vectors", action="store_true", help="include the vectors")
    elif name == "force":
        parser.add_argument("--force", action="store_true", help="overwrite an existing FILE")
    elif name == "from_agent":
        parser.add_argument(
            "--from-agent", default=None, help="the agent (name or id) of a file with several"
        )
    elif name == "dry_run":
        parser.add_argument(
            "--dry-run", action="store_true", help="check only: write and create nothing"
        )


def _memory_parser(sub: Any) -> None:
    mem = sub.add_parser(
        "memory",
        help="inspect, search, ingest, export/import a store's memory, or move it to Postgres",
        description=textwrap.fill(
            "Work on the memory a data directory (or postgresql:// URL) holds. Reading "
            "actions (show, stats, search, flagged, export, import --dry-run) never create a "
            "store; ingest and import create one if needed.",
            80,
        ),
        epilog=f"run `{PROG} memory ACTION --help` for an action's options.",
        formatter_class=_Formatter,
    )
    actions = mem.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, summary, positional, options in MEMORY_ACTIONS:
        action = actions.add_parser(
            name,
            help=summary,
            description=textwrap.fill(summary[0].upper() + summary[1:] + ".", 80),
            formatter_class=_Formatter,
        )
        if positional is not None:
            metavar, what = positional
            action.add_argument("query", nargs="*", metavar=metavar, help=what)
        where = "the local data directory to copy from" if name == "migrate" else None
        action.add_argument(
            "--data-dir", default=DEFAULT_DATA_DIR, help=where or data_dir_help(DEFAULT_DATA_DIR)
        )
        action.add_argument("--user", default=DEFAULT_USER_ID, help="whose memory")
        if name == "import":
            action.add_argument(
                "--agent",
                default=None,
                help="agent id to import into (default: the file's, or a slug of each agent's name)",
            )
        else:
            action.add_argument("--agent", default="default", help="agent id of the memory")
        for option in options:
            _add_option(action, option, name)
        action.set_defaults(
            func=_lazy("langgraph_memgpt.cli.inspect_memory", "cmd_memory"),
            query=[],
            **{k: v for k, v in OPTION_DEFAULTS.items() if k not in options},
        )


def build_parser() -> argparse.ArgumentParser:
    """The command line; every option says its default in ``--help``."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="MemGPT-style virtual context memory for LLM agents, on LangGraph.",
        formatter_class=_Formatter,
        # The subcommands list themselves (with their help) under COMMAND: no second list.
        epilog=f"run `{PROG} COMMAND --help` for a command's options.",
    )
    sub = parser.add_subparsers(title="commands", dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="scripted offline walkthrough of paging memory in and out",
        description="Scripted offline walkthrough (offline driver, not an LLM): facts go to "
        "core and archival memory, small talk overflows the context (alert, eviction, "
        "summary), then a new thread pages the fact back in with its citation.",
        formatter_class=_Formatter,
    )
    demo.add_argument(
        "--data-dir", default=None, help=data_dir_help(None) + "; default: a temporary one, removed"
    )
    demo.add_argument("--user", default=DEFAULT_USER_ID, help="whose memory the demo writes")
    demo.add_argument("--context-window", type=int, default=2400, help="tokens; small on purpose")
    demo.add_argument("--filler-turns", type=int, default=8, help="small-talk turns to overflow")
    demo.set_defaults(func=_lazy("langgraph_memgpt.cli.demo", "cmd_demo"))

    chat = sub.add_parser(
        "chat",
        help="interactive chat (offline driver unless a model is set); Ctrl-C stops a turn",
        description="Interactive chat on one thread. Type quit or exit (or press Ctrl-D) to "
        "leave; Ctrl-C at the prompt clears the line. A multi-line paste is read whole. "
        "Ctrl-C during a turn stops it, keeps what it did and returns to the prompt: Enter, "
        "or your next message, finishes it first (so does chat again on the same thread).",
        formatter_class=_Formatter,
    )
    chat.add_argument("--data-dir", default=DEFAULT_DATA_DIR, help=data_dir_help(DEFAULT_DATA_DIR))
    chat.add_argument("--thread", default="main", help="conversation thread to continue")
    chat.add_argument("--user", default=DEFAULT_USER_ID, help="whose memory to read and write")
    chat.add_argument("--agent", default="default", help="agent id (e.g. one imported from a file)")
    chat.add_argument("--model", default=None, help="e.g. gpt-4o-mini (needs OPENAI_API_KEY)")
    chat.add_argument("--base-url", default=None, help="OpenAI-compatible server URL")
    chat.add_argument("--context-window", type=int, default=8192, help="tokens the model sees")
    chat.add_argument("--trace", action="store_true", help="print each node and tool call")
    chat.set_defaults(func=_lazy("langgraph_memgpt.cli.chat", "cmd_chat"))

    _memory_parser(sub)
    add_mcp_parser(sub, data_dir_default=DEFAULT_DATA_DIR, formatter=_Formatter)
    return parser
