"""``langgraph dev`` serves the graph of ``langgraph.json``; langgraph-sdk drives it.

The in-memory dev server runs on a free port of 127.0.0.1, offline: no LangSmith (tracing off,
no API key, CLI analytics off), the offline driver (no OPENAI_API_KEY) and a temporary
``MEMGPT_DATA_DIR``. It is stopped when the module's tests end.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

#: Slow (a whole benchmark, process kills or a fresh install): `scripts/test.sh --quick` skips it.
pytestmark = pytest.mark.slow

pytest.importorskip("langgraph_api", reason="needs langgraph-cli[inmem]")
pytest.importorskip("langgraph_sdk", reason="needs langgraph-sdk")

from langgraph_sdk import get_sync_client  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
GRAPH_ID = "memgpt"
STARTUP_SECONDS = 90
# Anything that would send the dev server (or the model) to the network is removed.
NETWORK_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "MEMGPT_MODEL",
    "LANGSMITH_API_KEY",
    "LANGCHAIN_API_KEY",
    "LANGSMITH_ENDPOINT",
    "LANGGRAPH_CLOUD_LICENSE_KEY",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NETWORK_ENV}
    env.update(
        LANGSMITH_TRACING="false",
        LANGCHAIN_TRACING_V2="false",
        LANGGRAPH_CLI_NO_ANALYTICS="1",
        MEMGPT_DATA_DIR=str(data_dir),
        MEMGPT_EMBEDDINGS="none",  # lexical archival search: no model to load, faster start
        HF_HUB_OFFLINE="1",
    )
    return env


def wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"langgraph dev exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/ok", timeout=2) as response:
                if json.loads(response.read()).get("ok"):
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"langgraph dev did not answer in {STARTUP_SECONDS}s:\n{log.read_text()[-4000:]}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server's process group (it was started in a session of its own)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a running ``langgraph dev`` serving this repo's langgraph.json."""
    work = tmp_path_factory.mktemp("langgraph-dev")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = work / "server.log"
    cli = Path(sys.executable).with_name("langgraph")
    command = [
        str(cli),
        "dev",
        "--no-browser",
        "--no-reload",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--config",
        str(REPO / "langgraph.json"),
    ]
    with log.open("wb") as sink:
        # cwd is the temp dir: the dev server writes its .langgraph_api/ state there.
        proc = subprocess.Popen(
            command,
            cwd=work,
            env=server_env(work / "data"),
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_until_up(url, proc, log)
            yield url
        finally:
            stop(proc)


def ask(client: Any, thread_id: str, text: str, **context: Any) -> dict[str, Any]:
    """One turn through the server; returns the thread's final state values."""
    result = client.runs.wait(
        thread_id,
        GRAPH_ID,
        input={"messages": [{"role": "user", "content": text}]},
        context=context,
    )
    assert isinstance(result, dict), result
    return result


def final_answer(values: dict[str, Any]) -> str:
    last = values["messages"][-1]
    assert last["type"] == "ai" and not last.get("tool_calls"), last
    return str(last["content"])


def test_studio_sees_the_graph_and_its_context_schema(server: str) -> None:
    client = get_sync_client(url=server)
    assistants = client.assistants.search(graph_id=GRAPH_ID)
    assert assistants, "langgraph.json's graph is not registered"
    assistant_id = assistants[0]["assistant_id"]
    schemas = client.assistants.get_schemas(assistant_id)
    fields = schemas["context_schema"]["properties"]
    assert {"user_id", "agent_id", "context_window"} <= set(fields)
    drawn = client.assistants.get_graph(assistant_id)
    nodes = {node["id"] for node in drawn["nodes"]}
    assert {"compact", "reason", "memory_interrupt", "execute_tool"} <= nodes


def test_a_fact_stored_in_one_thread_is_paged_back_in_another(server: str) -> None:
    client = get_sync_client(url=server)
    first = client.threads.create()["thread_id"]
    stored = ask(client, first, "Remember that the Q3 launch moved to May 14.", user_id="alice")
    calls = [c["name"] for m in stored["messages"] for c in m.get("tool_calls") or []]
    assert "archival_memory_insert" in calls
    # The platform's checkpointer holds the thread: the next turn continues it.
    again = ask(client, first, "Thanks!", user_id="alice", context_window=4096)
    assert again["turn"] == 2
    assert again["context_tokens"] <= 4096
    saved = client.threads.get_state(first)["values"]
    assert len(saved["messages"]) == len(again["messages"]) > len(stored["messages"])

    second = client.threads.create()["thread_id"]  # a new thread of the same user
    answer = final_answer(ask(client, second, "When is the Q3 launch?", user_id="alice"))
    assert "May 14" in answer
    assert f"thread {first}" in answer  # the citation points at the first thread

    other = client.threads.create()["thread_id"]  # another user sees nothing of Alice's
    assert "May 14" not in final_answer(ask(client, other, "When is the Q3 launch?", user_id="bob"))


def test_studio_gets_the_input_and_state_schemas(server: str) -> None:
    client = get_sync_client(url=server)
    assistant_id = client.assistants.search(graph_id=GRAPH_ID)[0]["assistant_id"]
    schemas = client.assistants.get_schemas(assistant_id)
    assert schemas["input_schema"] and "messages" in schemas["input_schema"]["properties"]
    assert schemas["state_schema"] and "summary" in schemas["state_schema"]["properties"]
