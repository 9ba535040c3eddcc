"""MemGPTStore where LangGraph apps use a store: langmem's memory tools, a prebuilt ReAct agent
with an ``InjectedStore`` tool, and the LangGraph server's store API (``langgraph dev``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import pytest
from langchain_core.messages import AIMessage
from langchain_core.tools import tool
from langgraph.prebuilt import InjectedStore
from langgraph.store.base import BaseStore

from langgraph_memgpt import MemGPTStore, Memory
from tests.conftest import ScriptedChatModel, tool_call

langmem = pytest.importorskip("langmem", reason="langmem is in the bench extra")


def test_langmem_memory_tools_work_on_our_store(memory: Memory) -> None:
    store = MemGPTStore(memory)
    namespace = ("memories", "{langgraph_user_id}")
    manage = langmem.create_manage_memory_tool(namespace=namespace, store=store)
    search = langmem.create_search_memory_tool(namespace=namespace, store=store)
    alice = {"configurable": {"langgraph_user_id": "alice"}}
    bob = {"configurable": {"langgraph_user_id": "bob"}}

    created = manage.invoke({"content": "Alice prefers window seats on trains"}, alice)
    memory_id = created.split()[-1]
    manage.invoke({"content": "Alice is allergic to peanuts"}, alice)
    manage.invoke({"content": "Bob prefers aisle seats"}, bob)
    manage.invoke(
        {"action": "update", "id": memory_id, "content": "Alice prefers aisle seats now"}, alice
    )

    found = json.loads(search.invoke({"query": "seats"}, alice))
    assert [hit["value"]["content"] for hit in found][0] == "Alice prefers aisle seats now"
    assert all(hit["namespace"] == ["memories", "alice"] for hit in found)
    assert "window" not in json.dumps(found)
    # langmem's items are archival records: the MemGPT agent's own search finds them
    hits = memory.archival.search("peanuts", user_id="memories.alice")
    assert hits and hits[0].text == "Alice is allergic to peanuts"

    manage.invoke({"action": "delete", "id": memory_id}, alice)
    remaining = json.loads(search.invoke({"query": "seats"}, alice))
    assert all(hit["key"] != memory_id for hit in remaining)


@pytest.mark.filterwarnings("ignore:create_react_agent has been moved")
def test_react_agent_with_injected_store_tool(memory: Memory) -> None:
    from langgraph.prebuilt import create_react_agent

    @tool
    def remember(fact: str, store: Annotated[BaseStore, InjectedStore()]) -> str:
        """Save a fact about the user."""
        store.put(("facts",), f"fact-{len(store.search(('facts',)))}", {"content": fact})
        return "saved"

    @tool
    def recall(query: str, store: Annotated[BaseStore, InjectedStore()]) -> str:
        """Look facts up."""
        return "; ".join(item.value["content"] for item in store.search(("facts",), query=query))

    model = ScriptedChatModel(
        script=[
            AIMessage("", tool_calls=[tool_call("remember", "c1", fact="The user's dog is Rex")]),
            AIMessage("", tool_calls=[tool_call("recall", "c2", query="dog name")]),
            lambda messages: AIMessage(f"Your dog is called {messages[-1].content}"),
        ]
    )
    store = MemGPTStore(memory)
    agent = create_react_agent(model, [remember, recall], store=store)
    result = agent.invoke(
        {"messages": [{"role": "user", "content": "My dog is Rex."}]},
        {"configurable": {"thread_id": "t-7"}},
    )
    assert "Rex" in result["messages"][-1].content
    item = store.get(("facts",), "fact-0")
    assert item is not None and item.value == {"content": "The user's dog is Rex"}
    assert item.metadata["thread_id"] == "t-7"  # cited with the run that wrote it


@pytest.mark.filterwarnings("ignore:create_react_agent has been moved")
def test_langmem_agent_remembers_across_threads(memory: Memory) -> None:
    """langmem's tools inside an agent find the store through get_store(), as documented."""
    from langgraph.prebuilt import create_react_agent

    namespace = ("memories", "{langgraph_user_id}")
    tools = [
        langmem.create_manage_memory_tool(namespace=namespace),
        langmem.create_search_memory_tool(namespace=namespace),
    ]

    def answer(messages: list[Any]) -> AIMessage:
        found = json.loads(messages[-1].content)
        return AIMessage(f"You said: {found[0]['value']['content']}" if found else "No idea.")

    model = ScriptedChatModel(
        script=[
            AIMessage(
                "",
                tool_calls=[tool_call("manage_memory", "c1", content="Zoe's train is at 7:05")],
            ),
            AIMessage("Noted."),
            AIMessage("", tool_calls=[tool_call("search_memory", "c2", query="train")]),
            answer,
        ]
    )
    agent = create_react_agent(model, tools, store=MemGPTStore(memory))
    zoe = {"langgraph_user_id": "zoe"}
    agent.invoke(
        {"messages": [{"role": "user", "content": "My train is at 7:05."}]},
        {"configurable": {**zoe, "thread_id": "a"}},
    )
    result = agent.invoke(
        {"messages": [{"role": "user", "content": "When is my train?"}]},
        {"configurable": {**zoe, "thread_id": "b"}},
    )
    assert result["messages"][-1].content == "You said: Zoe's train is at 7:05"
    hits = memory.archival.search("train", user_id="memories.zoe")
    assert hits[0].metadata["thread_id"] == "a"  # cited with the thread that stored it


@pytest.mark.slow
def test_langgraph_dev_serves_our_store(tmp_path: Path) -> None:
    """The server loads langgraph.json's store; the SDK's store client writes our memory."""
    pytest.importorskip("langgraph_api", reason="needs langgraph-cli[inmem]")
    from langgraph_sdk import get_sync_client

    from tests.test_langgraph_dev import REPO, free_port, server_env, stop, wait_until_up

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    cli = Path(sys.executable).with_name("langgraph")
    command = [str(cli), "dev", "--no-browser", "--no-reload", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--config", str(REPO / "langgraph.json")]
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            command,
            cwd=tmp_path,
            env=server_env(tmp_path / "data"),
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_until_up(url, proc, log)
            client = get_sync_client(url=url)
            client.store.put_item(["prefs", "alice"], "drink", {"content": "Alice drinks oolong"})
            client.store.put_item(["prefs", "bob"], "drink", {"content": "Bob drinks cocoa"})
            got: Any = client.store.get_item(["prefs", "alice"], "drink")
            assert got["value"] == {"content": "Alice drinks oolong"}
            found: Any = client.store.search_items(["prefs"], query="oolong")
            assert [i["key"] for i in found["items"]] == ["drink"]
            assert found["items"][0]["namespace"] == ["prefs", "alice"]
            listed: Any = client.store.list_namespaces(prefix=["prefs"])
            assert sorted(map(tuple, listed["namespaces"])) == [
                ("prefs", "alice"),
                ("prefs", "bob"),
            ]
        finally:
            stop(proc)
    with Memory.open(tmp_path / "data", embeddings=None) as memory:  # the graph's own memory
        hits = memory.archival.search("oolong", user_id="prefs.alice")
        assert [hit.text for hit in hits] == ["Alice drinks oolong"]
