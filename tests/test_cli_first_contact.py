"""First contact (issue 26): what a newcomer meets on the command line, on both backends.

Every command that takes ``--data-dir`` is run as a subprocess with a SQLite directory and
with a ``postgresql://`` URL; with a URL nothing may appear in the working directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from langgraph_memgpt import Memory
from tests.cli_run import run_cli


def _seed(store: Any) -> None:
    """A user with a conversation that used a tool: what people said and tool traffic."""
    with Memory.open(store, embeddings=None) as memory:
        memory.core.append("human", "Name: Alice.", user_id="alice")
        memory.recall.append_messages(
            [
                HumanMessage("My sister Ingrid lives in Bergen.", id="h1"),
                AIMessage(
                    "",
                    id="a1",
                    tool_calls=[
                        {"name": "conversation_search", "args": {"query": "sister"}, "id": "c"}
                    ],
                ),
                ToolMessage("1. sister sister Ingrid (sister)", tool_call_id="c", id="t1"),
            ],
            user_id="alice",
            thread_id="t",
            turn=1,
        )


def test_memory_search_shows_what_people_said_unless_tools_are_asked_for(
    store: Any, tmp_path: Path
) -> None:
    _seed(store)
    base = ["memory", "search", "sister", "--user", "alice", "--data-dir", str(store)]
    said = run_cli(base, tmp_path)
    assert said.returncode == 0, said.stderr
    recall = said.stdout.split("== recall ==")[1]
    assert "Ingrid lives in Bergen" in recall and "sister sister" not in recall
    everything = run_cli([*base, "--include-tools"], tmp_path)
    assert "sister sister" in everything.stdout.split("== recall ==")[1]


# -- 1. one reading of --data-dir: a postgresql:// URL is a database, never a directory ------
def _files(where: Path) -> set[str]:
    return {p.name for p in where.iterdir()} - {"tmpdir"}


def _tables(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchone()
    return int(row[0]) if row else 0


def _agent_file(tmp_path: Path, store: Any) -> Path:
    target = tmp_path / "agent.af"
    with Memory.open(store, embeddings=None) as memory:
        memory.export_agent(target, user_id="alice")
    return target


WRITING = {
    "demo": ["demo", "--filler-turns", "1"],
    "chat": ["chat"],
    "ingest": ["memory", "ingest", "NOTE"],
    "import": ["memory", "import", "AGENT"],
}
READING = {
    "show": ["memory", "show"],
    "stats": ["memory", "stats"],
    "search": ["memory", "search", "Bergen"],
    "flagged": ["memory", "flagged"],
    "quarantine": ["memory", "quarantine"],
    "export": ["memory", "export", "OUT"],
}


def _args(command: list[str], tmp_path: Path, data: str, files: Path) -> list[str]:
    names = {"NOTE": str(files / "note.txt"), "AGENT": str(files / "agent.af")}
    names["OUT"] = str(files / "out.af")
    return [names.get(a, a) for a in command] + ["--data-dir", data, "--user", "alice"]


def test_every_command_uses_a_postgresql_data_dir_and_writes_no_local_file(
    pg_store: Any, tmp_path: Path
) -> None:
    files = tmp_path / "files"
    files.mkdir()
    (files / "note.txt").write_text("The lighthouse keeper is called Ingrid.")
    seeded = pg_store("seeded")
    _seed(seeded)
    _agent_file(files, seeded)
    work = tmp_path / "work"
    work.mkdir()
    for name, command in {**WRITING, **READING}.items():
        url = seeded if name in READING else pg_store(name)
        result = run_cli(_args(command, tmp_path, url, files), work, stdin="Hi there\nquit\n")
        assert result.returncode == 0, (name, result.stdout, result.stderr)
        assert _files(work) == set(), (name, _files(work))
        if name in WRITING:
            assert _tables(url) > 0, name  # the database got the store
    migrate = run_cli(["memory", "migrate", "--to", seeded, "--data-dir", seeded], work)
    assert migrate.returncode == 2 and "local data directory" in migrate.stderr
    assert _files(work) == set()


def test_a_data_dir_with_another_scheme_is_one_line(tmp_path: Path) -> None:
    result = run_cli(["memory", "show", "--data-dir", "mysql://db/x"], tmp_path)
    assert result.returncode == 2 and "postgresql://" in result.stderr
    assert "Traceback" not in result.stderr and _files(tmp_path) == set()


# -- 2. reading commands never write ---------------------------------------------------------
def test_reading_commands_refuse_an_unknown_user_and_write_nothing(
    store: Any, tmp_path: Path
) -> None:
    _seed(store)
    with Memory.open(store, embeddings=None) as memory:
        before = memory.users()
    for action in ("show", "stats", "flagged"):
        result = run_cli(["memory", action, "--user", "bob", "--data-dir", str(store)], tmp_path)
        assert result.returncode == 2, (action, result.stdout)
        assert "no memory for user 'bob'" in result.stderr and "alice" in result.stderr
    with Memory.open(store, embeddings=None) as memory:
        assert memory.users() == before


def test_import_dry_run_creates_no_store(new_store: Any, tmp_path: Path) -> None:
    source = new_store("source")
    _seed(source)
    agent = _agent_file(tmp_path, source)
    fresh = new_store("fresh")
    result = run_cli(
        ["memory", "import", str(agent), "--dry-run", "--data-dir", str(fresh)], tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "would import" in result.stdout
    if isinstance(fresh, str):
        assert _tables(fresh) == 0
    else:
        assert not Path(fresh).exists()


def test_memory_open_create_false_never_creates(new_store: Any) -> None:
    import pytest

    from langgraph_memgpt.memory import StoreNotFoundError

    fresh = new_store("fresh")
    with pytest.raises(StoreNotFoundError):
        Memory.open(fresh, embeddings=None, create=False)
    if isinstance(fresh, str):
        assert _tables(fresh) == 0
    else:
        assert not Path(fresh).exists()
    Memory.open(fresh, embeddings=None).close()
    with Memory.open(fresh, embeddings=None, create=False) as memory:
        assert memory.users() == []


# -- 3. a URL's schema is its own, whatever else the search path holds -----------------------
def _path_url(server: str, *schemas: str) -> str:
    joiner = "&" if "?" in server else "?"
    return f"{server}{joiner}options=-csearch_path%3D{'%2C'.join(schemas)}"


def test_a_store_later_on_the_search_path_is_never_used(postgres_url: str) -> None:
    """Someone's store in a schema after ours on the path (``public`` on a used server): ours
    is created in our schema, theirs is neither read nor written."""
    from langgraph_memgpt.memory.testing import Schemas

    schemas = Schemas(postgres_url, prefix="path")
    try:
        theirs = schemas.new("theirs").split("search_path%3D")[1].split(",")[0]
        ours = schemas.new("ours").split("search_path%3D")[1].split(",")[0]
        with Memory.open(_path_url(postgres_url, theirs, "public"), embeddings=None) as memory:
            memory.core.append("human", "Name: Someone else.", user_id="u")
        url = _path_url(postgres_url, ours, theirs, "public")
        with Memory.open(url, embeddings=None) as memory:
            assert memory.users() == []
            memory.core.append("human", "Name: Alice.", user_id="u")
            assert "Someone else" not in memory.core.render(user_id="u")
        with Memory.open(_path_url(postgres_url, theirs, "public"), embeddings=None) as memory:
            assert "Alice" not in memory.core.render(user_id="u")
    finally:
        schemas.drop_all()


def test_a_url_naming_a_missing_schema_gets_it_created_or_refused(postgres_url: str) -> None:
    import uuid

    import psycopg
    import pytest

    from langgraph_memgpt.memory import StoreNotFoundError

    name = f"missing_{uuid.uuid4().hex[:10]}"
    url = _path_url(postgres_url, name, "public")
    try:
        with pytest.raises(StoreNotFoundError, match=name):
            Memory.open(url, embeddings=None, create=False)
        with Memory.open(url, embeddings=None) as memory:
            memory.core.append("human", "Name: Alice.", user_id="u")
        with psycopg.connect(postgres_url) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = %s", (name,)
            ).fetchone()
        assert row is not None and row[0] > 0
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def test_a_path_without_pgvectors_schema_is_one_actionable_line(
    postgres_url: str, tmp_path: Path
) -> None:
    """A URL naming only the store's schema hides pgvector's types (in ``public``): the CLI
    says which schema to add instead of "type vector does not exist"."""
    import uuid

    import psycopg

    name = f"novec_{uuid.uuid4().hex[:10]}"
    try:
        result = run_cli(["chat", "--data-dir", _path_url(postgres_url, name)], tmp_path)
        assert result.returncode != 0 and "Traceback" not in result.stderr
        assert "search_path" in result.stderr and f"{name},public" not in result.stderr
        assert "<store schema>,public" in result.stderr
        with Memory.open(_path_url(postgres_url, name, "public"), embeddings=None) as memory:
            memory.core.append("human", "Name: Alice.", user_id="u")
            assert "Alice" in memory.core.render(user_id="u")
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


# -- 4. a model that cannot be used is one line ----------------------------------------------
def test_chat_with_a_model_and_no_api_key_is_one_line(tmp_path: Path) -> None:
    result = run_cli(["chat", "--model", "gpt-4o-mini", "--data-dir", "d"], tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "model error" in lines[0] and "OPENAI_API_KEY" in lines[0]
    assert "Traceback" not in result.stderr and _files(tmp_path) == set()


@pytest.mark.parametrize("url", ["not a url", "localhost:8000/v1", "ftp://host/v1"])
def test_chat_with_a_base_url_that_is_not_one_is_one_line_before_any_turn(
    tmp_path: Path, url: str
) -> None:
    """A base URL the OpenAI client cannot use used to be accepted at start-up and fail at the
    first turn, after the user had typed it; it is now refused before anything is created."""
    result = run_cli(["chat", "--base-url", url, "--data-dir", "d"], tmp_path, stdin="hello\n")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "model error" in lines[0] and "http://127.0.0.1" in lines[0]
    assert "Traceback" not in result.stderr and _files(tmp_path) == set()


# -- 5. a long paste arrives whole; Ctrl-C clears the line, Ctrl-D leaves (in a terminal) ---
def test_a_long_multi_line_paste_in_a_terminal_is_one_whole_message(tmp_path: Path) -> None:
    import sys

    import pytest

    pexpect = pytest.importorskip("pexpect")
    from tests.cli_run import cli_env

    env = cli_env(tmp_path, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "langgraph_memgpt", "chat", "--data-dir", "d"],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 160),
    )
    lines = [f"line {i} of a long note about nothing much at all " + "z" * 50 for i in range(60)]
    paste = "\n".join([*lines, "And the last line says the gate code is 4417."])
    assert len(paste) > 4095  # what a terminal's line discipline cuts a line to
    child.expect_exact("you>")
    child.send("\x1b[200~" + paste + "\x1b[201~")  # bracketed paste, as terminals send it
    child.send("\r")
    child.expect_exact("assistant>")
    child.expect_exact("you>")
    child.send("half a thought")
    child.send("\x03")  # Ctrl-C: the line is dropped, the chat goes on
    child.expect_exact("you>")
    child.send("\x04")  # Ctrl-D on an empty line: leave
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    with Memory.open(tmp_path / "d", embeddings=None) as memory:
        said = [
            h.text
            for h in memory.recall.messages(user_id="default-user", thread_id="main")
            if h.metadata["role"] == "user"
        ]
    assert said == [paste]


# -- 8. help and terminal safety -------------------------------------------------------------
def test_each_memory_action_has_its_own_help(tmp_path: Path) -> None:
    def helps(*words: str) -> str:
        result = run_cli([*words, "--help"], tmp_path)
        assert result.returncode == 0, result.stderr
        return " ".join(result.stdout.split())

    search = helps("memory", "search")
    assert "--include-tools" in search and "-k K" in search and "--dry-run" not in search
    importing = helps("memory", "import")
    assert "--dry-run" in importing and "--vectors" not in importing
    assert "creates the store if needed" in importing
    assert "--vectors" in helps("memory", "export")
    assert "--tier {archival,recall} the tier of the record (required)" in helps(
        "memory", "approve"
    )
    memory = helps("memory")
    assert "never create a store; ingest and import create one" in memory
    assert "never creates" not in memory


def test_help_imports_no_langchain() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from langgraph_memgpt.cli import main\n"
        "for argv in (['--help'], ['memory', 'search', '--help'], ['chat', '--help']):\n"
        "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('langchain_core', 'langgraph', 'numpy', 'openai')]\n"
        "assert not heavy, heavy\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr


def test_escape_sequences_are_stripped_on_display_and_kept_in_memory(
    store: Any, tmp_path: Path
) -> None:
    hostile = "Likes \x1b[31mred\x1b[0m and \x1b]0;pwned\x07titles\rover"
    with Memory.open(store, embeddings=None) as memory:
        memory.core.append("human", hostile, user_id="alice")
    shown = run_cli(["memory", "show", "--user", "alice", "--data-dir", str(store)], tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "\x1b" not in shown.stdout and "\r" not in shown.stdout and "\x07" not in shown.stdout
    assert "Likes red and titles\ufffdover" in shown.stdout
    with Memory.open(store, embeddings=None) as memory:
        assert hostile in memory.core.render(user_id="alice")


def test_chat_echoes_no_escape_sequence_and_keeps_a_fact_with_a_nul(tmp_path: Path) -> None:
    said = "My name is Bo\x00b.\nMy favourite colour is \x1b[2J\x1b[31mteal\x1b[0m.\nquit\n"
    chat = run_cli(["chat", "--data-dir", "d"], tmp_path, stdin=said)
    assert chat.returncode == 0, chat.stderr
    assert "\x1b" not in chat.stdout and "\x00" not in chat.stdout
    assert "NUL" not in chat.stdout
    with Memory.open(tmp_path / "d", embeddings=None) as memory:
        core = memory.core.render(user_id="default-user")
    assert "Bo\ufffdb" in core


def test_memory_show_into_a_closed_pipe_is_quiet(store: Any, tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.cli_run import cli_env

    _seed(store)
    command = (
        f"'{sys.executable}' -m langgraph_memgpt memory show --user alice --data-dir '{store}'"
    )
    result = subprocess.run(
        f"{command} | head -n 0",
        shell=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=cli_env(tmp_path),
        timeout=120,
    )
    assert "BrokenPipeError" not in result.stderr and "Traceback" not in result.stderr
    assert result.stderr == ""


def test_ingest_says_which_files_of_a_directory_it_skipped(store: Any, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "note.txt").write_text("The ferry to Hvar leaves at noon.")
    (docs / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    result = run_cli(["memory", "ingest", str(docs), "--data-dir", str(store)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "photo.png: not a document type (.png)" in result.stdout
    assert "1 skipped" in result.stdout and "note.txt" in result.stdout


def test_a_truncated_agent_file_is_reported_in_whole_phrases(tmp_path: Path) -> None:
    (tmp_path / "bad.af").write_text('{"agents": [{"name": "x", "core_memory": [{"value": "ab')
    result = run_cli(["memory", "import", "bad.af", "--data-dir", "d"], tmp_path)
    assert result.returncode == 2
    assert "Unterminated string starting at line 1 column" in result.stderr
    assert "truncated" in result.stderr


# -- 7. the offline driver: sentences, dates, wrapped PDF lines, the best hit -----------------
SENTENCES = [
    (
        "I see Dr. Hansen at his clinic. It is near.",
        ["I see Dr. Hansen at his clinic.", "It is near."],
    ),
    ("J. R. R. Tolkien wrote it. I loved it.", ["J. R. R. Tolkien wrote it.", "I loved it."]),
    ("Rates rose to 3.5 percent. Then fell.", ["Rates rose to 3.5 percent.", "Then fell."]),
    (
        "We met at 10 a.m. in the U.S. office. Fine.",
        ["We met at 10 a.m. in the U.S. office.", "Fine."],
    ),
    (
        "See https://example.com/a.b?c=d. It helps.",
        ["See https://example.com/a.b?c=d.", "It helps."],
    ),
    (
        "Mr. Smith and Mrs. Jones came, e.g. on Monday.",
        ["Mr. Smith and Mrs. Jones came, e.g. on Monday."],
    ),
    ("Version 2.0.1 is out! Get it? Yes.", ["Version 2.0.1 is out!", "Get it?", "Yes."]),
    ("first line\nsecond line; a clause", ["first line", "second line", "a clause"]),
]


def test_the_sentence_splitter_knows_abbreviations_initials_decimals_and_urls() -> None:
    from langgraph_memgpt.models.offline.text import sentences

    for text, expected in SENTENCES:
        assert sentences(text) == expected, text


def test_relative_dates_are_stored_with_the_day_they_mean() -> None:
    from datetime import date

    from langgraph_memgpt.models.offline.dates import date_relative_phrases

    monday = date(2026, 12, 7)
    cases = {
        "It is next Tuesday.": "It is next Tuesday (2026-12-08).",
        "I saw her last Friday": "I saw her last Friday (2026-12-04)",
        "next Monday": "next Monday (2026-12-14)",
        "We met yesterday, see you tomorrow": "We met yesterday (2026-12-06), see you tomorrow (2026-12-08)",
        "I moved two weeks ago": "I moved two weeks ago (2026-11-23)",
        "The launch is in 3 days": "The launch is in 3 days (2026-12-10)",
        "next month": "next month (2027-01)",
        "next Tuesday (2026-12-08)": "next Tuesday (2026-12-08)",
    }
    for text, expected in cases.items():
        assert date_relative_phrases(text, monday) == expected
    assert date_relative_phrases("next Tuesday", None) == "next Tuesday"


def test_chat_stores_a_title_abbreviation_and_a_relative_date_whole(
    store: Any, tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    said = "My dentist appointment is at Dr. Hansen's clinic next Tuesday.\nquit\n"
    chat = run_cli(["chat", "--data-dir", str(store)], tmp_path, stdin=said)
    assert chat.returncode == 0, chat.stderr
    today = datetime.now(UTC).date()  # the prompt's "Today is" (context.py)
    tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    with Memory.open(store, embeddings=None) as memory:
        core = memory.core.render(user_id="default-user")
    assert f"at Dr. Hansen's clinic next Tuesday ({tuesday.isoformat()})" in core


# -- 9. a fact only core memory holds is answered from core memory --------------------------
def test_a_fact_only_in_core_memory_is_answered_from_it(store: Any, tmp_path: Path) -> None:
    with Memory.open(store, embeddings=None) as memory:  # written by the API: not in recall
        memory.core.append("human", "Name: Alice.", user_id="default-user")
        memory.core.append(
            "human", "User's dentist is Dr. Hansen in Bergen.", user_id="default-user"
        )
    asked = "Which dentist do I go to?\nWhat is my sister's name?\nquit\n"
    chat = run_cli(["chat", "--data-dir", str(store), "--thread", "new"], tmp_path, stdin=asked)
    assert chat.returncode == 0, chat.stderr
    answers = [line for line in chat.stdout.splitlines() if line.startswith("assistant>")]
    assert len(answers) == 2, chat.stdout
    assert "core memory" in answers[0] and "Dr. Hansen" in answers[0]
    assert "Alice" not in answers[1] and "don't know" in answers[1]


REPORT = (
    "Expedition Report\n"
    "The captain of the Aurora was Ingrid Solberg, who sailed\n"
    "in 1921 from Bergen to Reykjavik with a crew of twelve and a\n"
    "cargo of timber. The voyage took nine days.\n"
    "Crew\n"
    "- Ingrid Solberg, captain\n"
    "- Ole Berg, mate"
)


def test_wrapped_pdf_lines_are_joined_into_the_sentences_they_print(
    store: Any, tmp_path: Path
) -> None:
    from tests.documents import minimal_pdf

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "report.pdf").write_bytes(minimal_pdf([REPORT]))
    ingested = run_cli(["memory", "ingest", str(docs), "--data-dir", str(store)], tmp_path)
    assert ingested.returncode == 0, ingested.stderr
    with Memory.open(store, embeddings=None) as memory:
        (record,) = list(memory.archival.records(user_id="default-user"))
    assert record.text.splitlines() == [
        "Expedition Report",
        "The captain of the Aurora was Ingrid Solberg, who sailed in 1921 from Bergen to "
        "Reykjavik with a crew of twelve and a cargo of timber. The voyage took nine days.",
        "Crew",
        "- Ingrid Solberg, captain",
        "- Ole Berg, mate",
    ]
    asked = "Who was the captain of the Aurora?\nquit\n"
    chat = run_cli(["chat", "--data-dir", str(store)], tmp_path, stdin=asked)
    answer = next(line for line in chat.stdout.splitlines() if line.startswith("assistant>"))
    assert "Ingrid Solberg, who sailed in 1921 from Bergen to Reykjavik" in answer


def test_joining_wrapped_lines_keeps_paragraphs_lists_and_headings() -> None:
    from langgraph_memgpt.memory.io.loaders import join_wrapped_lines

    assert join_wrapped_lines("a long line of text that wraps\nhere. End.") == (
        "a long line of text that wraps here. End."
    )
    assert join_wrapped_lines("Title\nA first paragraph that is long enough.\n\nNext.") == (
        "Title\nA first paragraph that is long enough.\n\nNext."
    )
    assert join_wrapped_lines("the infor-\nmation we need is here") == (
        "the information we need is here"
    )
    assert join_wrapped_lines("Items that follow here:\n- one\n- two") == (
        "Items that follow here:\n- one\n- two"
    )


def test_serving_commands_say_when_they_created_the_store(tmp_path: Path) -> None:
    """chat and mcp create a store where none is: a mistyped --data-dir must say so (on
    stderr for mcp, whose stdout is the protocol), and an existing store is not called new."""
    first = run_cli(["mcp", "--data-dir", "typo", "--user", "bob"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "new and empty: created now" in first.stderr and "serving MCP on stdio" in first.stderr
    assert first.stdout == ""
    again = run_cli(["mcp", "--data-dir", "typo", "--user", "bob"], tmp_path)
    assert "new and empty" not in again.stderr and "serving MCP on stdio" in again.stderr
    chat = run_cli(["chat", "--data-dir", "other", "--user", "bob"], tmp_path, stdin="")
    assert "new and empty: created now" in chat.stdout + chat.stderr


def test_chat_waits_for_the_model_still_loading_before_it_exits() -> None:
    """Leaving chat while the embedding model loads in the background must not let the
    interpreter tear ONNX Runtime down under that thread (the process aborted, status 134)."""
    import io
    import threading
    import time

    from langgraph_memgpt.cli.chat import finish_warm_up

    loading = threading.Thread(target=time.sleep, args=(0.3,), daemon=True)
    loading.start()
    out = io.StringIO()
    finish_warm_up(loading, out)
    assert not loading.is_alive()
    assert "waiting for the embedding model" in out.getvalue()
    quiet = io.StringIO()
    finish_warm_up(None, quiet)
    finish_warm_up(loading, quiet)  # already done: nothing to say
    assert quiet.getvalue() == ""


@pytest.mark.slow  # 20 s: 12,000 key presses under tracemalloc
def test_a_long_text_typed_key_by_key_keeps_memory_bounded() -> None:
    """A paste in a terminal without bracketed paste arrives as key presses; prompt_toolkit
    kept the whole text at every undo step (12,000 characters: about 75 MB). The chat's
    prompt keeps the last steps only, and the text still arrives whole."""
    import tracemalloc

    import pytest

    pytest.importorskip("prompt_toolkit")
    from prompt_toolkit import PromptSession
    from prompt_toolkit.buffer import Buffer
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from langgraph_memgpt.cli.prompt import UNDO_STEPS, bound_undo

    typed = "word " * 2400
    with create_pipe_input() as keys:
        keys.send_text(typed + "\r")
        session: PromptSession[str] = PromptSession(input=keys, output=DummyOutput())
        bound_undo(session.default_buffer)
        tracemalloc.start()
        try:
            text = session.prompt("you> ")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert text == typed
    assert peak < 30 * 2**20, f"{peak / 2**20:.0f} MB for {len(typed)} typed characters"
    buffer = Buffer()
    bound_undo(buffer)
    for _ in range(UNDO_STEPS * 2):
        buffer.text += "x"
        buffer.save_to_undo_stack()
    assert len(buffer._undo_stack) == UNDO_STEPS
    buffer.undo()  # the recent steps still undo
    assert buffer.text == "x" * (UNDO_STEPS * 2 - 1)
