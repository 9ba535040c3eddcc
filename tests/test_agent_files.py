"""Letta agent files of every kind: import, export back, round trip, on both backends.

The fixtures under ``tests/data/letta/`` were written from Letta's published schema
(``letta/schemas/agent_file.py``) and the files in letta-ai/agent-file: path-like labels,
oversize blocks, two agents, a document encoded twice, the layout before October 2025, tools
with source, tool returns and reasoning parts.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from langgraph_memgpt.memory import AgentFileError, Memory
from langgraph_memgpt.memory.io.agent_file import parse_agents
from langgraph_memgpt.memory.io.agent_file.seed import context_seed
from langgraph_memgpt.memory.io.portable import import_agent, read_document
from langgraph_memgpt.memory.testing import HashEmbeddings
from langgraph_memgpt.memory.tiers.core import MAX_LIMIT
from tests.cli_run import run_cli

DATA = Path(__file__).with_name("data") / "letta"
FIXTURES = sorted(p.name for p in DATA.glob("*.af"))
USER = "u"


@pytest.fixture
def mem(new_store: Callable[[str], Any]) -> Iterator[Memory]:
    with Memory.open(new_store("a"), embeddings=HashEmbeddings()) as memory:
        yield memory


@pytest.fixture
def fresh(new_store: Callable[[str], Any]) -> Iterator[Memory]:
    with Memory.open(new_store("b"), embeddings=HashEmbeddings()) as memory:
        yield memory


def _file(name: str) -> dict[str, Any]:
    doc, _ = read_document(DATA / name)
    assert isinstance(doc, dict)
    return doc


def _expected(name: str) -> list[dict[str, Any]]:
    """Per agent, what the file says (read straight from the JSON, not through our reader)."""
    doc = _file(name)
    if "agents" not in doc:  # the layout before October 2025
        agents = [
            {
                **doc,
                "blocks": doc["core_memory"],
                "tool_names": [t["name"] for t in doc["tools"]],
            }
        ]
    else:
        blocks = {b["id"]: b for b in doc["blocks"]}
        tools = {t["id"]: t["name"] for t in doc["tools"]}
        agents = [
            {
                **a,
                "blocks": [blocks[i] for i in a["block_ids"]],
                "tool_names": [tools[i] for i in a["tool_ids"]],
            }
            for a in doc["agents"]
        ]
    return [
        {
            "name": a["name"],
            "system": a["system"],
            "blocks": [(b["label"], b["value"]) for b in a["blocks"]],
            "messages": len([m for m in a["messages"] if m["role"] != "approval"]),
            "tools": a["tool_names"],
        }
        for a in agents
    ]


def _summary(document: dict[str, Any]) -> dict[str, Any]:
    agent = document["agents"][0]
    return {
        "name": agent["name"],
        "system": agent["system"],
        "blocks": [(b["label"], b["value"]) for b in document["blocks"]],
        "messages": len(agent["messages"]),
        "tools": [t["name"] for t in document["tools"]],
    }


def _normalise(doc: dict[str, Any]) -> dict[str, Any]:
    """An export apart from its times and the trust mark an import adds."""
    doc = copy.deepcopy(doc)
    doc.pop("created_at")
    doc["metadata"].pop("exported_by", None)
    doc["memgpt"].pop("exported_at")
    for passage in doc["memgpt"]["archival"]:
        passage["metadata"].pop("trust", None)
    return doc


@pytest.mark.parametrize("name", FIXTURES)
def test_every_kind_round_trips(mem: Memory, fresh: Memory, name: str) -> None:
    report = mem.import_agent(DATA / name, user_id=USER)
    expected = _expected(name)
    assert len(report.agents) == len(expected)
    for agent_report, want in zip(report.agents, expected, strict=True):
        first = mem.export_agent(user_id=USER, agent_id=agent_report.agent_id)
        assert _summary(first) == want
        again_report = fresh.import_agent(json.loads(json.dumps(first)))
        assert (again_report.user_id, again_report.agent_id) == (USER, agent_report.agent_id)
        second = fresh.export_agent(user_id=USER, agent_id=agent_report.agent_id)
        assert _normalise(second) == _normalise(first)


def test_path_labels_are_kept_and_addressed_as_written(mem: Memory) -> None:
    report = mem.import_agent(DATA / "path_labels.af", user_id=USER)
    ident = {"user_id": USER, "agent_id": report.agent_id}
    assert report.agent_id == "lettabot"
    labels = list(mem.core.get(**ident))
    # No persona/human invented: only the file's blocks.
    assert labels == [
        "system/persona/soul",
        "system/human/overview",
        "/note_directory",
        "troubleshooting/ovens",
    ]
    mem.core.append("system/human/overview", "Sam likes rye.", **ident)
    mem.core.replace("/note_directory", "notes/ovens.md", "notes/kilns.md", **ident)
    assert "Sam likes rye." in mem.core.get_block("system/human/overview", **ident).value
    assert "<system/persona/soul" in mem.core.render(**ident)
    # A later session (a new process) does not add the defaults either.
    blocks = mem.export_agent(**ident)["blocks"]
    assert [b["label"] for b in blocks] == labels
    assert blocks[2]["read_only"] is True and blocks[3]["metadata"] == {"source": "chat"}


def test_core_tools_address_path_labels(mem: Memory) -> None:
    from langgraph_memgpt.tools import create_memory_tools

    report = mem.import_agent(DATA / "path_labels.af", user_id=USER)
    tools = {t.name: t for t in create_memory_tools(mem)}
    config = {"configurable": {"user_id": USER, "agent_id": report.agent_id}}
    reply = tools["core_memory_append"].invoke(
        {"label": "troubleshooting/ovens", "content": "Use breaker B."}, config=config
    )
    assert "troubleshooting/ovens" in str(reply)
    block = mem.core.get_block("troubleshooting/ovens", user_id=USER, agent_id=report.agent_id)
    assert block.value.endswith("Use breaker B.")


def test_an_oversize_block_imports_whole_with_its_limit_raised(mem: Memory) -> None:
    doc = _file("oversize.af")
    report = mem.import_agent(doc, user_id=USER)
    blocks = mem.core.get(user_id=USER, agent_id="ezra-super")
    value = doc["blocks"][0]["value"]
    block = blocks["corrections/ezra-mistakes"]
    assert (block.value, block.limit) == (value, len(value))
    assert blocks["reference/faq"].limit == MAX_LIMIT
    text = str(report)
    assert f"holds {len(value)} characters, over its limit 100" in text
    assert f"limit 250000 is over the {MAX_LIMIT}" in text


def test_two_agents_import_each_under_a_slug_or_one_picked(mem: Memory, fresh: Memory) -> None:
    report = mem.import_agent(DATA / "two_agents.af", user_id=USER)
    assert [r.agent_id for r in report.agents] == ["evie", "companion-sleeptime_copy"]
    assert "each gets its own id: 'evie', 'companion-sleeptime_copy'" in str(report)
    assert list(mem.core.get(user_id=USER, agent_id="evie")) == ["persona", "human"]
    sleeper = mem.export_agent(user_id=USER, agent_id="companion-sleeptime_copy")
    assert sleeper["agents"][0]["tool_rules"][0]["tool_name"] == "memory_finish_edits"
    one = fresh.import_agent(DATA / "two_agents.af", user_id=USER, agent="Evie")
    assert [r.agent_id for r in one.agents] == ["evie"]
    assert not fresh.has_namespace(user_id=USER, agent_id="companion-sleeptime_copy")
    with pytest.raises(Exception, match="holds 2 agents"):
        fresh.import_agent(DATA / "two_agents.af", user_id="v", agent_id="x")


def test_a_document_encoded_twice_is_decoded_once_more(mem: Memory) -> None:
    raw = json.loads((DATA / "double_encoded.af").read_text())
    assert isinstance(raw, str)
    report = import_agent(mem, raw, user_id=USER)  # the string itself, parsed once
    assert report.agent_id == "customer_service" and report.blocks == 2
    other = mem.import_agent(DATA / "double_encoded.af", user_id="v")  # the file
    assert other.messages == 2


def test_the_layout_before_october_2025(mem: Memory) -> None:
    report = mem.import_agent(DATA / "legacy.af", user_id=USER)
    ident = {"user_id": USER, "agent_id": "deep-thought-research-agent"}
    assert report.agent_id == ident["agent_id"] and report.messages == 4
    out = mem.export_agent(**ident)
    agent = out["agents"][0]
    # in_context_message_indices [0, 2, 3] became the ids of those messages.
    assert agent["in_context_message_ids"] == ["message-0", "message-2", "message-3"]
    assert agent["metadata"] == {"owner": "lab"} and agent["version"] == "0.6.47"
    assert agent["tool_rules"][0] == {"tool_name": "send_message", "type": "exit_loop"}
    assert out["tools"][0]["source_code"].startswith("def write_final_report(")
    assert mem.core.get_block("research_plan", **ident).limit == 20000


def test_tools_and_settings_are_kept_as_data(mem: Memory) -> None:
    doc = _file("tools_with_source.af")
    mem.import_agent(doc, user_id=USER)
    out = mem.export_agent(user_id=USER, agent_id="dice-master")
    agent, source = out["agents"][0], doc["agents"][0]
    for key in ("name", "system", "tags", "tool_rules", "llm_config", "embedding_config"):
        assert agent[key] == source[key], key
    assert agent["tags"] == ["games", "dice"]
    exported = {t["name"]: t for t in out["tools"]}
    for tool in doc["tools"]:
        kept = exported[tool["name"]]
        assert kept["source_code"] == tool["source_code"]
        assert kept["json_schema"] == tool["json_schema"]
    assert agent["tool_ids"] == [t["id"] for t in out["tools"]]


def test_export_writes_the_tags_the_file_had(mem: Memory) -> None:
    """Agent tags and archival tags come back as the file has them, not as [] (compared
    with the file, not with another export)."""
    doc = _file("tools_with_source.af")
    doc["memgpt"] = {
        "format": "langgraph-memgpt-agent-file",
        "schema_version": 1,
        "archival": [
            {"text": "The d20 is in the red box.", "tags": ["dice", "storage"]},
            {"text": "Game night is on Friday.", "tags": ["schedule"]},
        ],
    }
    mem.import_agent(doc, user_id=USER, agent_id="dice")
    hits = mem.archival.search("d20 red box", user_id=USER, agent_id="dice")
    assert hits[0].metadata["tags"] == ["dice", "storage"]
    out = mem.export_agent(user_id=USER, agent_id="dice")
    assert out["agents"][0]["tags"] == doc["agents"][0]["tags"] == ["games", "dice"]
    assert [p["tags"] for p in out["memgpt"]["archival"]] == [["dice", "storage"], ["schedule"]]


def test_tool_returns_and_reasoning_parts_come_back(mem: Memory) -> None:
    for name in ("tool_returns.af", "reasoning.af"):
        mem.import_agent(DATA / name, user_id=USER)
    weather = mem.export_agent(user_id=USER, agent_id="weather-bot")["agents"][0]["messages"]
    source = _file("tool_returns.af")["agents"][0]["messages"]
    assert [m.get("tool_returns") for m in weather] == [m["tool_returns"] for m in source]
    assert weather[2]["tool_calls"][0]["function"]["name"] == "get_weather"
    assert weather[5]["tool_call_id"] == "call-w2"
    thinker = mem.export_agent(user_id=USER, agent_id="thinker")["agents"][0]["messages"]
    original = _file("reasoning.af")["agents"][0]["messages"]
    assert thinker[2]["content"] == original[2]["content"]  # reasoning part and signature
    assert thinker[4]["content"] == original[4]["content"]  # redacted and omitted reasoning
    stored = mem.recall.messages(thread_id="imported-thinker", user_id=USER, agent_id="thinker")
    assert stored[2].text == "No: 91 is 7 times 13."  # recall holds the text, not reasoning


def test_in_context_messages_seed_a_new_thread(mem: Memory) -> None:
    mem.import_agent(DATA / "tool_returns.af", user_id=USER)
    seed = context_seed(mem, user_id=USER, agent_id="weather-bot")
    # message-0 is the system prompt (the graph has its own); message-5 answers a call that is
    # not in context, so it is left out; message-6 is the last answer.
    assert [m.type for m in seed] == ["ai"]
    assert seed[0].content == "Oslo has 4C and snow; I could not find Atlantis."
    mem.import_agent(DATA / "reasoning.af", user_id=USER)
    seeded = context_seed(mem, user_id=USER, agent_id="thinker")
    assert [m.type for m in seeded] == ["human", "ai", "human", "ai"]
    assert context_seed(mem, user_id=USER, agent_id="nobody") == []


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    doc = _file("two_agents.af")
    doc["blocks"][0]["label"] = "bad\nlabel"
    doc["blocks"][1]["value"] = 5
    doc["agents"][0]["messages"][1]["role"] = "wizard"
    doc["agents"][1]["messages"][0]["content"] = [{"type": "text", "text": 3}]
    doc["agents"][1]["tool_ids"] = ["tool-9"]
    with pytest.raises(AgentFileError) as caught:
        parse_agents(doc)
    text = str(caught.value)
    for where in (
        "blocks[0].label",
        "blocks[1].value",
        "agents[0].messages[1].role",
        "agents[1].messages[0].content",
        "agents[1].tool_ids[0]",
    ):
        assert where in text, where


@pytest.mark.slow
def test_cli_imports_every_kind_and_talks_to_an_imported_agent(
    tmp_path: Path, new_store: Callable[[str], Any]
) -> None:
    store = str(new_store("cli"))
    base = ["--data-dir", store]
    for name in FIXTURES:
        out = run_cli(["memory", "import", str(DATA / name), *base], tmp_path)
        assert out.returncode == 0, (name, out.stderr)
    shown = run_cli(["memory", "show", *base, "--agent", "lettabot"], tmp_path)
    assert shown.returncode == 0 and "<system/persona/soul" in shown.stdout, shown.stderr
    # The weather is a tool's result: memory search shows tool traffic when asked for it.
    search = ["memory", "search", "Oslo", *base, "--agent", "weather-bot"]
    found = run_cli([*search, "--include-tools"], tmp_path)
    assert "Oslo: 4C" in found.stdout, found.stderr
    assert "Oslo: 4C" not in run_cli(search, tmp_path).stdout
    exported = run_cli(["memory", "export", "evie.af", *base, "--agent", "evie"], tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert json.loads((tmp_path / "evie.af").read_text())["agents"][0]["name"] == "Evie"
    chat = run_cli(["chat", *base, "--agent", "thinker"], tmp_path, stdin="hello\nquit\n")
    assert chat.returncode == 0, chat.stderr
    assert "agent 'thinker'" in chat.stdout and "starts from 4 message(s)" in chat.stdout


@pytest.mark.slow
def test_cli_two_agents_and_from_agent(tmp_path: Path) -> None:
    both = run_cli(["memory", "import", str(DATA / "two_agents.af"), "--data-dir", "a"], tmp_path)
    assert both.returncode == 0, both.stderr
    assert "'evie', 'companion-sleeptime_copy'" in both.stdout
    one = run_cli(
        ["memory", "import", str(DATA / "two_agents.af"), "--data-dir", "b"]
        + ["--from-agent", "companion-sleeptime_copy", "--agent", "sleeper"],
        tmp_path,
    )
    assert one.returncode == 0 and "agent 'sleeper'" in one.stdout, one.stderr
    missing = run_cli(
        ["memory", "import", str(DATA / "two_agents.af"), "--data-dir", "c"]
        + ["--from-agent", "nobody"],
        tmp_path,
    )
    assert missing.returncode == 2 and "no agent with id or name 'nobody'" in missing.stderr
    assert not (tmp_path / "c").exists()


@pytest.mark.slow
def test_cli_dry_run_writes_nothing(backend: str, tmp_path: Path, new_store: Any) -> None:
    store = str(new_store("dry"))
    out = run_cli(
        ["memory", "import", str(DATA / "two_agents.af"), "--data-dir", store, "--dry-run"],
        tmp_path,
    )
    assert out.returncode == 0 and out.stdout.count("would import") == 2, out.stderr
    if backend == "sqlite":
        assert not Path(store).exists()
    else:
        import psycopg

        schema = store.split("search_path%3D")[1].split(",")[0]
        with psycopg.connect(store) as conn:
            (tables,) = conn.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema=%s", (schema,)
            ).fetchone()
        assert tables == 0
    # On a store that exists, a dry run reads it and still writes nothing.
    done = run_cli(["memory", "import", str(DATA / "legacy.af"), "--data-dir", store], tmp_path)
    assert done.returncode == 0, done.stderr
    again = run_cli(
        ["memory", "import", str(DATA / "reasoning.af"), "--data-dir", store, "--dry-run"],
        tmp_path,
    )
    assert again.returncode == 0 and "would import" in again.stdout, again.stderr
    with Memory.open(store, embeddings=None) as memory:
        assert not memory.has_namespace(user_id="default-user", agent_id="thinker")


def test_a_new_thread_of_an_imported_agent_starts_from_its_context(mem: Memory) -> None:
    from langchain_core.messages import AIMessage

    from langgraph_memgpt import create_memgpt_agent
    from tests.conftest import ScriptedChatModel

    mem.import_agent(DATA / "reasoning.af", user_id=USER)
    ident = {"user_id": USER, "agent_id": "thinker"}
    before = mem.recall.count(**ident)
    model = ScriptedChatModel(script=[AIMessage("101 is prime too.")])
    graph = create_memgpt_agent(model, memory=mem, checkpointer=None)
    seed = context_seed(mem, **ident)
    config = {"configurable": {"thread_id": "t-new", **ident}}
    graph.invoke({"messages": [*seed, ("user", "And 101?")]}, config)
    prompt = [str(m.content) for m in model.prompts[0]]
    assert "No: 91 is 7 times 13." in prompt and "And 97?" in prompt
    assert prompt.index("Is 91 prime?") < prompt.index("And 101?")
    # The seeded messages are recall's own: only the new question and answer are added.
    assert mem.recall.count(**ident) == before + 2


def test_agent_ids_are_slugs_of_names() -> None:
    from langgraph_memgpt.memory.io.portable import slug

    assert slug("Nameless Agent-sleeptime") == "nameless-agent-sleeptime"
    assert slug("Évie 2") == "evie-2"
    assert slug("🙂") == "agent"
