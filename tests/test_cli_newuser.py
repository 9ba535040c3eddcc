"""Surprises a new user met trying the command line and the Python API, on both backends.

Each test is one thing that broke or surprised when the project was tried from its README and
docs pages as a newcomer would; it now behaves as the docs say.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.runnables import RunnableConfig

from langgraph_memgpt import Memory
from langgraph_memgpt.cli import main


def test_quarantine_is_store_wide_and_needs_no_user(
    new_store: Callable[[str], Any], capsys: Any
) -> None:
    """`memory quarantine on|off` sets a store-wide switch (docs/guard.md): it must not be
    refused because the default `--user` has no memory there."""
    store = str(new_store("q"))
    with Memory.open(store, embeddings=None) as memory:
        memory.core.append("human", "Name: Alice", user_id="alice")
    assert main(["memory", "quarantine", "on", "--data-dir", store]) == 0
    assert capsys.readouterr().out.strip() == "quarantine: on"
    with Memory.open(store, embeddings=None) as memory:
        assert memory.guard.quarantine is True
    assert main(["memory", "quarantine", "--data-dir", store, "--user", "nobody"]) == 0
    assert capsys.readouterr().out.strip() == "quarantine: on"
    assert main(["memory", "quarantine", "off", "--data-dir", store]) == 0
    assert capsys.readouterr().out.strip() == "quarantine: off"
    # Per-user actions still name the users that exist when the user has no memory.
    assert main(["memory", "flagged", "--data-dir", store]) == 2
    assert "users there: alice" in capsys.readouterr().err


def test_a_save_outside_the_graph_does_not_say_turn_none(memory: Memory) -> None:
    """The memory tools used without the graph (the MCP server, `create_agent`) have no turn:
    the reply names the thread only, never `turn None`."""
    from langgraph_memgpt.tools import create_memory_tools

    tools = {tool.name: tool for tool in create_memory_tools(memory)}
    call = {
        "type": "tool_call",
        "name": "archival_memory_insert",
        "args": {"content": "The boiler code is 4411."},
        "id": "c1",
    }
    config: RunnableConfig = {"configurable": {"user_id": "u", "thread_id": "mcp"}}
    reply = tools["archival_memory_insert"].invoke(call, config).content
    assert reply.startswith("Stored in archival memory as record ")
    assert reply.endswith(" (thread mcp).")
    config = {"configurable": {"user_id": "u", "thread_id": "mcp", "memgpt_turn": 3}}
    call.update(args={"content": "The gate code is 12."}, id="c2")
    within = tools["archival_memory_insert"].invoke(call, config).content
    assert within.endswith(" (thread mcp, turn 3).")


def test_a_too_small_context_window_is_one_line_not_a_traceback(
    new_store: Callable[[str], Any], capsys: Any
) -> None:
    """`chat`/`demo --context-window N` below what the prompt and tools need: one line that
    says what to do (exit code 2), never a ValueError traceback."""
    store = str(new_store("w"))
    for args in (
        ["chat", "--context-window", "100"],
        ["chat", "--context-window", "1000"],
        ["demo", "--context-window", "300"],
        ["demo", "--context-window", "1000"],
    ):
        assert main([*args, "--data-dir", store]) == 2, args
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1, err
        assert err.startswith(f"langgraph-memgpt: error: --context-window {args[2]} is too small")
        assert "larger" in err


def test_the_chat_prompt_never_asks_the_terminal_for_the_cursor_position() -> None:
    """After Ctrl-C stopped a turn, the first Ctrl-D at the prompt was lost (a second one
    was needed to leave) in tmux: the terminal's answer to prompt_toolkit's cursor position
    request (CPR) is what went astray. The chat's prompt needs no CPR (no menus below the
    line), so it never sends one; with PROMPT_TOOLKIT_NO_CPR=1 the same session left at once."""
    import io

    from langgraph_memgpt.cli.prompt import _session

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

        def fileno(self) -> int:
            return 1

    session = _session(Tty())
    assert session is not None
    assert session.output.responds_to_cpr is False
