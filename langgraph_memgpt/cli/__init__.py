"""The ``langgraph-memgpt`` command: demo, chat and memory inspection.

Heavy imports (langgraph, the stores, an embedding model) happen inside the commands so
``--help`` answers at once (the parser is ``cli/parser.py``). A command that cannot go on (a
data directory it cannot use, a store that is not there) prints one line and exits with code
2, never a traceback; output cut short by a closed pipe (``memory show | head``) ends quietly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from langgraph_memgpt.cli.chat import has_unfinished_turn, stream_turn
from langgraph_memgpt.cli.datadir import CliError
from langgraph_memgpt.cli.demo import run_turn
from langgraph_memgpt.cli.display import SafeStream, safe
from langgraph_memgpt.cli.parser import PROG, build_parser
from langgraph_memgpt.defaults import DEFAULT_DATA_DIR

__all__ = [
    "DEFAULT_DATA_DIR",
    "build_parser",
    "has_unfinished_turn",
    "main",
    "run_turn",
    "stream_turn",
]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a :class:`CliError` becomes one line on stderr and exit code 2.

    Everything the command prints goes through :func:`display.safe`: text from memory or
    the user never reaches the terminal as escape sequences.
    """
    args = build_parser().parse_args(argv)
    stdout = sys.stdout
    if args.command != "mcp":  # the MCP server's stdout is the protocol, not a terminal
        sys.stdout = SafeStream(stdout)
    try:
        return int(args.func(args))
    except CliError as exc:
        print(f"{PROG}: error: {safe(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C while a command starts or ends: no traceback
        print(file=sys.stderr)
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader left (``| head``): stop quietly. Python would report the pipe again
        # when flushing stdout at exit, so stdout is pointed at /dev/null first.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stdout.fileno())
        return 0
    finally:
        sys.stdout = stdout
