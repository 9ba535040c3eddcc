"""Runs the command line and sends this very process a real signal at one node boundary.

Usage: ``python tests/crash_harness.py SIGNAL AT CLI-ARGS...`` where SIGNAL is INT (what Ctrl-C
sends) or KILL, and AT is either N, counting node boundaries (the start and the end of each
node function) from 1, with 0 to send nothing and only log them, or a boundary's name such as
``start:compact`` for its first occurrence. Each boundary is appended to ``$HARNESS_LOG``.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
from typing import Any

import langgraph_memgpt.graph as graph_module

SIGNALS = {"INT": signal.SIGINT, "KILL": signal.SIGKILL}
NODE_FACTORIES = (
    "make_reason_node",
    "make_compact_node",
    "make_memory_interrupt_node",
    "make_execute_tool_node",
)


def install(sig: signal.Signals, target: str, log_path: str) -> None:
    count = 0
    sent = False

    def boundary(name: str) -> None:
        nonlocal count, sent
        count += 1
        with open(log_path, "a") as log:
            log.write(f"{count} {name}\n")
        if not sent and target in (str(count), name.replace(" ", ":")):
            sent = True
            os.kill(os.getpid(), sig)

    def wrap(factory_name: str) -> None:
        factory = getattr(graph_module, factory_name)

        def wrapped_factory(*args: Any, **kwargs: Any) -> Any:
            node = factory(*args, **kwargs)

            @functools.wraps(node)
            def wrapped_node(*node_args: Any, **node_kwargs: Any) -> Any:
                boundary(f"start {node.__name__}")
                result = node(*node_args, **node_kwargs)
                boundary(f"end {node.__name__}")
                return result

            return wrapped_node

        setattr(graph_module, factory_name, wrapped_factory)

    for factory_name in NODE_FACTORIES:
        wrap(factory_name)


if __name__ == "__main__":
    install(SIGNALS[sys.argv[1]], sys.argv[2], os.environ["HARNESS_LOG"])
    from langgraph_memgpt.cli import main

    raise SystemExit(main(sys.argv[3:]))
