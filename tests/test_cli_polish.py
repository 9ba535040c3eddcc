"""Trying the command line as a new user: no traceback, no silent loss, no surprise.

Each test here is a surprise a user met (help listing the commands twice, an error saying
"cannot open" twice, "1 chunks", ...) that now behaves as a user expects.
"""

from __future__ import annotations

from pathlib import Path

from langgraph_memgpt.cli import build_parser
from tests.cli_run import run_cli


def test_help_lists_each_command_once() -> None:
    text = build_parser().format_help()
    for command in ("demo", "chat", "memory", "mcp"):
        listed = [line for line in text.splitlines() if line.strip().startswith(command + " ")]
        assert len(listed) == 1, text
    assert "COMMAND --help" in text


def test_an_unreachable_database_says_cannot_open_once(tmp_path: Path) -> None:
    url = f"postgresql:///nodb?host={tmp_path / 'nosocket'}&port=1"
    result = run_cli(["memory", "stats", "--data-dir", url], tmp_path)
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("langgraph-memgpt: error: cannot open the Postgres memory store")
    assert line.count("cannot open") == 1, line


def test_mcp_http_on_a_port_in_use_is_one_line_and_creates_no_store(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli(
            ["mcp", "--http", "--port", str(port), "--data-dir", "d"], tmp_path, timeout=60
        )
    assert result.returncode == 2, (result.stdout, result.stderr)
    (line,) = result.stderr.strip().splitlines()
    assert f"cannot serve MCP on 127.0.0.1:{port}: address already in use" in line
    assert "--port" in line
    assert not (tmp_path / "d").exists()  # refused before any store was created


def _files(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*") if p.is_file()
    }


def test_reading_commands_work_on_a_read_only_directory_and_write_nothing(tmp_path: Path) -> None:
    from langgraph_memgpt import Memory
    from tests.cli_run import read_only

    store = tmp_path / "store"
    with Memory.open(store, embeddings=None) as memory:
        memory.core.append("human", "Name: Erin", user_id="default-user")
        memory.archival.insert("The wifi password is hunter2.", user_id="default-user")
    before = _files(store)
    with read_only(store):
        for args, expected in (
            (["memory", "show"], "Name: Erin"),
            (["memory", "search", "wifi"], "hunter2"),
            (["memory", "stats"], "archival: 1"),
            (["memory", "flagged"], "no flagged records"),
        ):
            result = run_cli([*args, "--data-dir", "store"], tmp_path)
            assert result.returncode == 0, (args, result.stderr)
            assert expected in result.stdout
            assert "store is not writable: the store is opened read-only" in result.stderr
        export = run_cli(
            ["memory", "export", str(tmp_path / "out.af"), "--data-dir", "store"], tmp_path
        )
        assert export.returncode == 0, export.stderr
        ingest = run_cli(["memory", "ingest", "--data-dir", "store", str(tmp_path)], tmp_path)
        assert ingest.returncode == 2 and "not writable" in ingest.stderr
    assert _files(store) == before


def test_quarantine_with_a_word_other_than_on_or_off_is_refused(tmp_path: Path) -> None:
    from langgraph_memgpt import Memory

    with Memory.open(tmp_path / "store", embeddings=None) as memory:
        memory.core.append("human", "Name: Erin", user_id="default-user")
    result = run_cli(["memory", "quarantine", "yes", "--data-dir", "store"], tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "takes on or off, not 'yes'" in result.stderr
    shown = run_cli(["memory", "quarantine", "--data-dir", "store"], tmp_path)
    assert shown.returncode == 0 and shown.stdout.strip() == "quarantine: off"
