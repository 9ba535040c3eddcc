"""The ``langgraph-memgpt`` command: demo, chat and memory inspection.

Heavy imports (langgraph, the stores, an embedding model) happen inside the subcommands so
``--help`` answers at once. A command that cannot go on (a data directory it cannot use, a
store that is not there) prints one line and exits with code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from langgraph_memgpt.cli.chat import cmd_chat, has_unfinished_turn, stream_turn
from langgraph_memgpt.cli.datadir import CliError
from langgraph_memgpt.cli.demo import cmd_demo, run_turn
from langgraph_memgpt.cli.inspect_memory import cmd_memory
from langgraph_memgpt.configuration import DEFAULT_USER_ID

__all__ = ["build_parser", "has_unfinished_turn", "main", "run_turn", "stream_turn"]

DEFAULT_DATA_DIR = "./memgpt-data"
PROG = "langgraph-memgpt"


class _Formatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Shows every option's default and keeps the epilogs' line breaks."""


def build_parser() -> argparse.ArgumentParser:
    """The command line; every option says its default in ``--help``."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="MemGPT-style virtual context memory for LLM agents, on LangGraph.",
        formatter_class=_Formatter,
        epilog=(
            "commands:\n"
            "  demo     scripted offline walkthrough: facts saved, context evicted, fact paged back\n"
            "  chat     interactive chat; Ctrl-C keeps the turn, chat again resumes it\n"
            "  memory   show / stats / search the memory a data directory holds\n"
            f"\nrun `{PROG} COMMAND --help` for a command's options."
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def data_dir_help(default: str | None) -> str:
        where = "" if default is None else " (relative to the current directory)"
        return f"directory holding the memory stores and checkpoints{where}, or a postgresql:// URL"

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
    demo.set_defaults(func=cmd_demo)

    chat = sub.add_parser(
        "chat",
        help="interactive chat (offline driver unless a model is set)",
        description="Interactive chat on one thread. Type quit or exit (or Ctrl-D) to leave. "
        "Ctrl-C during a turn keeps what it did; chat again on the same thread finishes it.",
        formatter_class=_Formatter,
    )
    chat.add_argument("--data-dir", default=DEFAULT_DATA_DIR, help=data_dir_help(DEFAULT_DATA_DIR))
    chat.add_argument("--thread", default="main", help="conversation thread to continue")
    chat.add_argument("--user", default=DEFAULT_USER_ID, help="whose memory to read and write")
    chat.add_argument("--model", default=None, help="e.g. gpt-4o-mini (needs OPENAI_API_KEY)")
    chat.add_argument("--base-url", default=None, help="OpenAI-compatible server URL")
    chat.add_argument("--context-window", type=int, default=8192, help="tokens the model sees")
    chat.add_argument("--trace", action="store_true", help="print each node and tool call")
    chat.set_defaults(func=cmd_chat)

    mem = sub.add_parser(
        "memory",
        help="inspect the memory tiers of a data directory, or move them to Postgres",
        description="Read a data directory's memory (never creates one), or copy it to PostgreSQL.",
        epilog=(
            "actions:\n"
            "  show     the user's core memory blocks, as the model sees them\n"
            "  stats    record counts per tier\n"
            "  search   QUERY...: best archival and recall matches, with citations\n"
            "  migrate  --to postgresql://...: copy every tier (vectors included) and each\n"
            "           thread's latest checkpoint into Postgres; resumable, counts verified\n"
            "  flagged  records the memory poisoning guard flagged (-k per tier, --tier)\n"
            "  approve  ID --tier archival|recall: let a quarantined record be searched again\n"
            "  quarantine [on|off]: keep flagged records out of search until approved\n"
            "  ingest   PATH...: files/directories (text, Markdown, HTML, PDF) into archival\n"
            "           memory, chunked and cited; an unchanged file adds nothing\n"
            "  export   FILE: the user's whole memory as one agent file (Letta .af layout)\n"
            "  import   FILE: an agent file (ours or Letta's) into a user with no memory yet"
        ),
        formatter_class=_Formatter,
    )
    mem.add_argument(
        "action",
        choices=[
            "show",
            "search",
            "stats",
            "migrate",
            "ingest",
            "export",
            "import",
            "flagged",
            "approve",
            "quarantine",
        ],
        help="what to do",
    )
    mem.add_argument(
        "query",
        nargs="*",
        help="search words, ingest paths, the agent FILE, an approve ID or quarantine on|off",
    )
    mem.add_argument("--data-dir", default=DEFAULT_DATA_DIR, help=data_dir_help(DEFAULT_DATA_DIR))
    mem.add_argument("--user", default=DEFAULT_USER_ID, help="whose memory to read")
    mem.add_argument("--agent", default="default", help="agent id of the memory")
    mem.add_argument("-k", type=int, default=5, help="results per tier (search)")
    mem.add_argument("--to", default=None, help="postgresql:// URL to copy into (migrate)")
    mem.add_argument("--tier", choices=["archival", "recall"], default=None, help="flagged/approve")
    mem.add_argument(
        "--include-tools", action="store_true", help="search tool calls and results too (search)"
    )
    mem.add_argument("--vectors", action="store_true", help="include vectors (export)")
    mem.add_argument("--dry-run", action="store_true", help="check only, write nothing (import)")
    mem.set_defaults(func=cmd_memory)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a :class:`CliError` becomes one line on stderr and exit code 2."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CliError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
