"""``langgraph-memgpt mcp``: serve one user's memory to MCP clients (``integrations/mcp_server``).

stdio by default (what Claude Code and Claude Desktop start); ``--http`` serves streamable HTTP
on 127.0.0.1 unless ``--host`` says otherwise. Nothing but the protocol goes to stdout.
"""

from __future__ import annotations

import argparse
import errno
import sys
from typing import Any

from langgraph_memgpt.cli.datadir import CliError, open_creating
from langgraph_memgpt.defaults import DEFAULT_USER_ID


def add_mcp_parser(sub: Any, *, data_dir_default: str, formatter: Any) -> None:
    """The ``mcp`` subcommand's options."""
    mcp = sub.add_parser(
        "mcp",
        help="serve the memory tools and core blocks over MCP (stdio, or --http)",
        description="An MCP server with the graph's memory tools (core_memory_append, "
        "core_memory_replace, archival_memory_insert, archival_memory_search, "
        "conversation_search, conversation_search_date) and the core blocks as resources, "
        "for one user of a data directory or Postgres database. Writes are user-trusted.",
        formatter_class=formatter,
    )
    mcp.add_argument(
        "--data-dir",
        default=data_dir_default,
        help="directory holding the memory store, or a postgresql:// URL",
    )
    mcp.add_argument("--user", default=DEFAULT_USER_ID, help="whose memory to serve")
    mcp.add_argument("--agent", default="default", help="agent id of the memory")
    mcp.add_argument("--thread", default="mcp", help="thread id cited on what clients write")
    mcp.add_argument("--http", action="store_true", help="streamable HTTP instead of stdio")
    mcp.add_argument("--host", default="127.0.0.1", help="address to bind (--http)")
    mcp.add_argument("--port", type=int, default=8000, help="port (--http)")
    mcp.set_defaults(func=cmd_mcp)


def check_bindable(host: str, port: int) -> None:
    """Refuse, in one line, an address the HTTP server could not listen on (a port in use, a
    host that is not this machine's): uvicorn would log its own error and exit with code 3.

    The socket is bound as uvicorn binds it (``SO_REUSEADDR``) and closed at once, so a port
    that only lingers in TIME_WAIT from a previous run is not refused.
    """
    import socket

    if not 0 <= port <= 65535:
        raise CliError(f"--port {port} is not a port number (0-65535)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
    except OSError as exc:
        why = exc.strerror or str(exc)
        hint = "another program is listening there: choose a free one with --port"
        if exc.errno != errno.EADDRINUSE:
            hint = "check --host and --port"
        raise CliError(f"cannot serve MCP on {host}:{port}: {why.lower()}; {hint}") from None


def cmd_mcp(args: argparse.Namespace) -> int:
    try:
        from langgraph_memgpt.integrations.mcp_server import serve
    except ImportError as exc:  # the mcp SDK is a dependency; a broken install says so
        raise CliError(f"the MCP server needs the 'mcp' package ({exc}).") from None
    if args.http:  # before a store is opened (or created) for a server that cannot start
        check_bindable(args.host, args.port)
    memory, where = open_creating(args.data_dir)
    # stdout is the protocol's channel on stdio: what the operator must know goes to stderr.
    served = f"http://{args.host}:{args.port}/mcp" if args.http else "stdio"
    print(f"memory: {where}; serving MCP on {served}", file=sys.stderr)
    try:
        serve(
            memory,
            user_id=args.user,
            agent_id=args.agent,
            http=args.http,
            host=args.host,
            port=args.port,
            thread_id=args.thread,
        )
    except KeyboardInterrupt:
        pass
    finally:
        memory.close()
    return 0
