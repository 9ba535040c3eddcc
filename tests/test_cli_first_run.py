"""The command line as a new user meets it, through the real command in a subprocess.

Bad data directories are one line and exit code 2; reading commands never create a store and
name the users that exist; one default user everywhere; large messages are shown shortened;
search says when nothing matched; help shows defaults; quit ends chat; the demo's trace is
whole words with no empty lines and leaves nothing in the temp directory.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from langgraph_memgpt import Memory
from langgraph_memgpt.cli import build_parser
from langgraph_memgpt.configuration import DEFAULT_USER_ID, resolve_identity
from tests.cli_run import run_cli

#: Slow (a whole benchmark, process kills or a fresh install): `scripts/test.sh --quick` skips it.
pytestmark = pytest.mark.slow


def one_error_line(result, *fragments: str) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("langgraph-memgpt: error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def make_store(data: Path, user: str = DEFAULT_USER_ID) -> None:
    with Memory.open(data, embeddings=None) as memory:
        memory.core.append("human", "Name: Erin", user_id=user)
        memory.archival.insert("The wifi password is hunter2.", user_id=user)


# -- 2. data directories that cannot be used ---------------------------------------------


def test_a_file_as_data_directory_or_as_its_parent_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    for command in (["chat"], ["memory", "show"], ["demo"]):
        one_error_line(run_cli([*command, "--data-dir", "afile"], tmp_path), "afile", "is a file")
        one_error_line(
            run_cli([*command, "--data-dir", "afile/sub/d"], tmp_path), "afile", "is a file"
        )


def test_a_read_only_or_uncreatable_directory_is_one_line(tmp_path: Path) -> None:
    from tests.cli_run import read_only

    locked = tmp_path / "locked"
    locked.mkdir()
    make_store(locked / "store")
    with read_only(locked):
        one_error_line(
            run_cli(["chat", "--data-dir", "locked/new/d"], tmp_path),
            "cannot create data directory",
            "not writable",
        )
        one_error_line(run_cli(["demo", "--data-dir", "locked/d"], tmp_path), "not writable")
    with read_only(locked / "store"):
        one_error_line(run_cli(["chat", "--data-dir", "locked/store"], tmp_path), "not writable")
        # Reading a read-only store works (opened with SQLite's mode=ro) and says so.
        stats = run_cli(["memory", "stats", "--data-dir", "locked/store"], tmp_path)
        assert stats.returncode == 0, stats.stderr
        assert "archival: 1" in stats.stdout
        assert "is not writable: the store is opened read-only" in stats.stderr


# -- 3. reading commands and the default user ----------------------------------------------


def test_reading_commands_refuse_a_directory_without_a_store(tmp_path: Path) -> None:
    for action in (["show"], ["stats"], ["search", "wifi"]):
        one_error_line(
            run_cli(["memory", *action, "--data-dir", "typo-dir"], tmp_path),
            "typo-dir does not exist",
        )
    assert not (tmp_path / "typo-dir").exists()
    (tmp_path / "empty").mkdir()
    one_error_line(
        run_cli(["memory", "show", "--data-dir", "empty"], tmp_path), "holds no memory store"
    )
    assert list((tmp_path / "empty").iterdir()) == []


def test_a_wrong_user_lists_the_users_that_exist(tmp_path: Path) -> None:
    make_store(tmp_path / "d", user="alice")
    make_store(tmp_path / "d", user="bob")
    line = one_error_line(
        run_cli(["memory", "show", "--data-dir", "d", "--user", "alcie"], tmp_path),
        "no memory for user 'alcie'",
    )
    assert line.endswith("users there: alice, bob")
    shown = run_cli(["memory", "show", "--data-dir", "d", "--user", "alice"], tmp_path)
    assert shown.returncode == 0 and "Name: Erin" in shown.stdout


def test_one_default_user_for_chat_demo_memory_and_the_api(tmp_path: Path) -> None:
    parser = build_parser()
    for command in (["demo"], ["chat"], ["memory", "show"]):
        assert parser.parse_args(command).user == DEFAULT_USER_ID
    assert resolve_identity({}).user_id == DEFAULT_USER_ID == "default-user"
    chat = run_cli(["chat", "--data-dir", "d"], tmp_path, stdin="My name is Erin.\n")
    assert chat.returncode == 0, chat.stderr
    shown = run_cli(["memory", "show", "--data-dir", "d"], tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "Erin" in shown.stdout


# -- 4. large messages ---------------------------------------------------------------------


def test_a_huge_message_is_saved_in_pieces_and_shown_shortened(tmp_path: Path) -> None:
    # 100 KB, to a model with a 128k window: the model copies all of it into the tool call
    message = "Remember that the wifi password is " + " ".join(["hunter"] * 17_000) + "\n"
    assert len(message) > 100_000
    result = run_cli(
        ["chat", "--data-dir", "d", "--context-window", "131072"], tmp_path, stdin=message
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    calls = [line for line in lines if "-> archival_memory_insert(" in line]
    assert calls and all(len(line) < 300 for line in calls)
    results = [line for line in lines if "<- archival_memory_insert" in line]
    assert len(results) == 1 and "[ok]" in results[0]
    stored = re.search(r"stored in archival memory as (\d+) records", results[0])
    assert stored and int(stored.group(1)) > 1
    assert not [line for line in lines if line.strip() in ("", "<-") or line.endswith("] ")]


# -- 5. search results --------------------------------------------------------------------


def test_memory_search_says_when_nothing_matched_well(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers", reason="needs the local embedding model")
    make_store(tmp_path / "d")
    result = run_cli(
        ["memory", "search", "peanuts", "--data-dir", "d"], tmp_path, MEMGPT_EMBEDDINGS="local"
    )
    assert result.returncode == 0, result.stderr
    assert "wifi" not in result.stdout
    assert result.stdout.count("Nothing matched well.") == 2  # archival and recall
    # the one-time notice that the local model loads (a few seconds), on stderr
    assert result.stderr.count("loading the local embedding model") == 1
    found = run_cli(
        ["memory", "search", "internet", "login", "--data-dir", "d"],
        tmp_path,
        MEMGPT_EMBEDDINGS="local",
    )
    assert "The wifi password is hunter2." in found.stdout


# -- 6. help and feel ---------------------------------------------------------------------


def test_help_shows_defaults_and_what_each_action_does(tmp_path: Path) -> None:
    chat = run_cli(["chat", "--help"], tmp_path)
    assert chat.returncode == 0
    text = " ".join(chat.stdout.split())
    assert "(default: ./memgpt-data)" in text and "relative to the current directory" in text
    assert f"(default: {DEFAULT_USER_ID})" in text and "quit" in text
    memory = " ".join(run_cli(["memory", "--help"], tmp_path).stdout.split())
    for action in ("show the user's core memory blocks", "stats record counts", "search best"):
        assert action in memory
    top = " ".join(run_cli(["--help"], tmp_path).stdout.split())
    assert "demo scripted offline walkthrough" in top and "chat interactive chat" in top


@pytest.mark.parametrize("word", ["quit", "exit", "Exit"])
def test_quit_and_exit_end_chat_without_reaching_the_model(tmp_path: Path, word: str) -> None:
    result = run_cli(["chat", "--data-dir", "d"], tmp_path, stdin=f"{word}\nMy name is Erin.\n")
    assert result.returncode == 0, result.stderr
    assert "assistant>" not in result.stdout
    with Memory.open(tmp_path / "d", embeddings=None) as memory:
        assert memory.recall.count(user_id=DEFAULT_USER_ID) == 0


def test_chat_says_once_that_the_local_model_loads(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers", reason="needs the local embedding model")
    result = run_cli(
        ["chat", "--data-dir", "d"],
        tmp_path,
        stdin="Remember that the boat leaves at 9.\nWhen does the boat leave?\n",
        MEMGPT_EMBEDDINGS="local",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("loading the local embedding model") == 1
    answer = result.stdout.split("When does the boat leave?")[-1]
    assert "According to archival memory" in answer and "The boat leaves at 9." in answer


def test_the_demo_trace_is_whole_words_with_no_empty_lines_and_no_leftovers(
    tmp_path: Path,
) -> None:
    result = run_cli(["demo"], tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(line == line.rstrip() for line in lines)
    assert not [line for line in lines if re.fullmatch(r"\s*\[\w+\]", line)]
    alerts = [line for line in lines if "[memory pressure]" in line]
    assert alerts and all(line.endswith("to archival or core memory now.") for line in alerts)
    for line in lines:  # a shortened line ends at a word, and says so
        if "…" in line:
            assert re.search(r"\w… \(\+\d+ chars\)", line), line
    assert "May 14" in result.stdout.split("final answer:")[-1]
    assert list((tmp_path / "tmpdir").iterdir()) == []  # the temporary data dir is removed
