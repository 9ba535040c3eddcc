"""Export and import of an agent's memory: round trip, Letta .af, hostile files, no overwrite."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from langgraph_memgpt.memory import (
    IMPORTED_TRUST,
    TRUST_KEY,
    AgentFileError,
    Memory,
    MemoryStoreError,
)
from langgraph_memgpt.memory.io.agent_file import FORMAT, SCHEMA_VERSION
from langgraph_memgpt.memory.testing import HashEmbeddings
from tests.cli_run import run_cli

USER = "ada"
LETTA_FILE = Path(__file__).with_name("data") / "letta_agent.af"
QUERIES = ["tea", "favourite drink", "Berlin office", "spare fuses cabinet", "weekend plans"]


def _fill(mem: Memory, tmp_path: Path) -> None:
    ident = {"user_id": USER}
    mem.core.append("human", "Name: Ada. Drinks tea.", **ident)
    mem.core.create_block("project", value="Analytical engine notes", limit=500, **ident)
    mem.recall.append_messages(
        [
            HumanMessage("My favourite drink is green tea.", id="m1"),
            AIMessage(
                "",
                id="m2",
                tool_calls=[
                    {"name": "archival_memory_insert", "args": {"content": "tea"}, "id": "c1"}
                ],
            ),
            ToolMessage("stored", tool_call_id="c1", name="archival_memory_insert", id="m3"),
            AIMessage("Saved: you like green tea.", id="m4"),
        ],
        thread_id="t1",
        turn=1,
        **ident,
    )
    mem.recall.append_messages(
        [
            HumanMessage(
                "The office moved to Berlin.",
                id="m5",
                additional_kwargs={"created_at": "2024-05-07T10:00:00+00:00"},
            ),
            AIMessage("Noted the move to Berlin.", id="m6"),
        ],
        thread_id="t2",
        turn=4,
        **ident,
    )
    mem.archival.insert(
        "Ada's favourite drink is green tea",
        tags=["preference"],
        metadata={"thread_id": "t1", "turn": 1, "source": "chat", "confidence": 0.9},
        **ident,
    )
    mem.archival.insert(
        "Weekend plans: visit Babbage",
        metadata={"created_at": "2024-05-01", "valid": True, "nested": {"a": [1, 2]}},
        **ident,
    )
    doc = tmp_path / "guide.md"
    doc.write_text("# Guide\n\nThe spare fuses are in the blue cabinet.\n\n## Office\n\nBerlin.")
    mem.ingest(doc, user_id=USER)


def _normalise(doc: dict[str, Any]) -> dict[str, Any]:
    """The document apart from ids, times and the trust mark an import adds."""
    doc = copy.deepcopy(doc)
    doc.pop("created_at")
    doc["metadata"].pop("exported_by", None)
    ext = doc["memgpt"]
    ext.pop("exported_at")
    for passage in ext["archival"]:
        passage["metadata"].pop(TRUST_KEY, None)
        passage["metadata"].pop("created_at", None)
    agent = doc["agents"][0]
    for message in agent["messages"]:
        for call in message.get("tool_calls", []):
            call.pop("id")
        message.pop("tool_call_id", None)
    return doc


@pytest.fixture
def mem(new_store: Callable[[str], Any]) -> Iterator[Memory]:
    with Memory.open(new_store("a"), embeddings=HashEmbeddings()) as memory:
        yield memory


@pytest.fixture
def fresh(new_store: Callable[[str], Any]) -> Iterator[Memory]:
    with Memory.open(new_store("b"), embeddings=HashEmbeddings()) as memory:
        yield memory


def _texts(hits: list[Any]) -> list[str]:
    return [h.text for h in hits]


def test_round_trip_gives_the_same_document_and_searches(
    mem: Memory, fresh: Memory, tmp_path: Path
) -> None:
    _fill(mem, tmp_path)
    first = mem.export_agent(user_id=USER)
    assert first["memgpt"]["format"] == FORMAT
    assert first["memgpt"]["schema_version"] == SCHEMA_VERSION
    assert first["memgpt"]["embedding_model"].endswith("hash-64")
    report = fresh.import_agent(json.loads(json.dumps(first)))
    assert (report.user_id, report.blocks, report.messages, report.archival) == (USER, 3, 6, 4)
    second = fresh.export_agent(user_id=USER)
    assert _normalise(second) == _normalise(first)
    # Times of messages and records survive (only ids are new).
    assert [m["created_at"] for m in second["agents"][0]["messages"]] == [
        m["created_at"] for m in first["agents"][0]["messages"]
    ]
    for query in QUERIES:
        assert _texts(fresh.archival.search(query, user_id=USER)) == _texts(
            mem.archival.search(query, user_id=USER)
        )
        assert _texts(fresh.recall.search(query, user_id=USER)) == _texts(
            mem.recall.search(query, user_id=USER)
        )
    may = fresh.recall.search_by_date("2024-05-07", "2024-05-07", user_id=USER)
    assert _texts(may) == ["The office moved to Berlin."]
    hit = fresh.archival.search("spare fuses", user_id=USER, k=1)[0]
    assert "section 'Guide'" in str(hit.citation)
    assert hit.metadata[TRUST_KEY] == IMPORTED_TRUST
    assert fresh.core.get_block("project", user_id=USER).limit == 500


def test_validity_and_trust_survive_the_round_trip(mem: Memory, fresh: Memory) -> None:
    old = mem.archival.insert("Maya lives in Lisbon.", user_id=USER)
    new = mem.archival.insert("Maya moved to Porto.", user_id=USER)
    mem.archival.supersede(old, by=new, reason="moved", user_id=USER)
    doc = mem.export_agent(user_id=USER)
    passages = {p["text"]: p for p in doc["memgpt"]["archival"]}
    # The file refers to its own passage ids, never to the store's.
    assert (
        passages["Maya lives in Lisbon."]["metadata"]["superseded_by"]
        == (passages["Maya moved to Porto."]["id"])
    )
    fresh.import_agent(json.loads(json.dumps(doc)))
    assert _texts(fresh.archival.search("Where does Maya live?", user_id=USER)) == [
        "Maya moved to Porto."
    ]
    everything = fresh.archival.search("Maya", user_id=USER, include_superseded=True)
    stale = next(h for h in everything if h.text == "Maya lives in Lisbon.")
    current = next(h for h in everything if h.text == "Maya moved to Porto.")
    assert stale.metadata["superseded_by"] == current.id
    assert stale.metadata["superseded_reason"] == "moved"
    # Imported text is the guard's lowest trust tier, on both tiers, whatever the file says.
    assert {h.metadata["trust"] for h in everything} == {IMPORTED_TRUST}
    first, again = _normalise(doc), _normalise(fresh.export_agent(user_id=USER))
    for passage in [*first["memgpt"]["archival"], *again["memgpt"]["archival"]]:
        passage["metadata"].pop("superseded_at", None)  # a time: the import's own
    assert again == first


def test_a_record_superseded_by_nothing_stays_superseded(mem: Memory, fresh: Memory) -> None:
    """A fact that stopped being true (superseded by no record, as consolidation does to an
    archived core line a newer one replaced) is imported hidden, not current again; so is
    one whose successor the file does not hold."""
    gone = mem.archival.insert("Maya's locker code is 11.", user_id=USER)
    mem.archival.insert("Maya's bike is red.", user_id=USER)
    mem.archival.supersede(gone, by=None, reason="no longer true", user_id=USER)
    doc = mem.export_agent(user_id=USER)
    passages = {p["text"]: p for p in doc["memgpt"]["archival"]}
    orphan = copy.deepcopy(passages["Maya's bike is red."])
    orphan.update(id="passage-orphan", text="Maya's bike is blue.")
    orphan["metadata"].update(
        superseded_by="passage-not-in-this-file",
        superseded_at="2026-01-01T00:00:00+00:00",
        superseded_reason="repainted",
    )
    doc["memgpt"]["archival"].append(orphan)
    fresh.import_agent(json.loads(json.dumps(doc)))
    assert _texts(fresh.archival.search("Maya locker code bike", user_id=USER)) == [
        "Maya's bike is red."
    ]
    everything = fresh.archival.search("Maya locker bike", user_id=USER, include_superseded=True)
    hidden = {h.text: h.metadata for h in everything if h.metadata.get("superseded_at")}
    assert set(hidden) == {"Maya's locker code is 11.", "Maya's bike is blue."}
    assert hidden["Maya's locker code is 11."]["superseded_reason"] == "no longer true"
    assert hidden["Maya's bike is blue."]["superseded_by"] is None
    assert hidden["Maya's bike is blue."]["superseded_reason"] == "repainted"


def test_vectors_are_reused_only_from_the_same_model(
    mem: Memory, new_store: Callable[[str], Any], tmp_path: Path
) -> None:
    _fill(mem, tmp_path)
    document = mem.export_agent(user_id=USER, vectors=True)
    assert all(len(p["vector"]) == 64 for p in document["memgpt"]["archival"])
    same = HashEmbeddings()
    with Memory.open(new_store("same"), embeddings=same) as target:
        report = target.import_agent(document)
        assert not report.reembedded and same.calls == 0
        assert _texts(target.archival.search("tea", user_id=USER, mode="dense")) == _texts(
            mem.archival.search("tea", user_id=USER, mode="dense")
        )
    other = HashEmbeddings(dim=32)
    with Memory.open(new_store("other"), embeddings=other) as target:
        report = target.import_agent(document)
        assert report.reembedded and other.calls > 0
        assert "hash-64" in str(report)
        assert target.archival.search("spare fuses", user_id=USER, mode="dense")


def test_letta_agent_file_imports_blocks_and_messages(fresh: Memory) -> None:
    report = fresh.import_agent(LETTA_FILE, user_id="dorothea")
    assert (report.kind, report.agent_id) == ("letta", "research-buddy")
    ident = {"user_id": "dorothea", "agent_id": "research-buddy"}
    blocks = fresh.core.get(**ident)
    assert list(blocks) == ["persona", "human", "reading_list"]
    assert blocks["reading_list"].value == "1. Middlemarch\n2. Bleak House"
    assert (blocks["human"].limit, blocks["reading_list"].limit) == (5000, 3000)
    messages = fresh.recall.messages(thread_id="imported-research-buddy", **ident)
    assert [m.metadata["role"] for m in messages] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
    ]
    assert messages[1].text == "I am reading Middlemarch by George Eliot this month."
    assert messages[1].metadata["created_at"] == "2025-03-01T09:01:00.000000+00:00"
    assert messages[2].metadata["tool_calls"][0]["args"] == {
        "label": "human",
        "content": "Reading Middlemarch",
    }
    assert messages[3].metadata["tool_call_id"] == "call_abc123"
    # File-local ids are never stored: they were remapped.
    assert not any(m.id.startswith("message-") for m in messages)
    assert "Middlemarch" in _texts(fresh.recall.search("Middlemarch", **ident))[0]
    assert "5 message(s) were in the agent's context" in str(report)


def _valid() -> dict[str, Any]:
    return json.loads(LETTA_FILE.read_text())


def _break(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    doc = _valid()
    change(doc)
    return doc


BROKEN: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "no agents": (lambda d: d.pop("agents"), "agents: is missing"),
    "bad role": (
        lambda d: d["agents"][0]["messages"][1].update(role="wizard"),
        "agents[0].messages[1].role",
    ),
    "block over the store's maximum": (
        lambda d: d["blocks"][2].update(value="x" * 100_001),
        "blocks[2].value: value is 100001 characters long",
    ),
    "path in a label": (lambda d: d["blocks"][0].update(label="../../etc"), "blocks[0].label"),
    "dangling block id": (
        lambda d: d["agents"][0]["block_ids"].append("block-9"),
        "agents[0].block_ids[3]",
    ),
    "dangling context id": (
        lambda d: d["agents"][0]["in_context_message_ids"].append("message-77"),
        "in_context_message_ids[5]",
    ),
    "bad tool arguments": (
        lambda d: d["agents"][0]["messages"][2]["tool_calls"][0]["function"].update(arguments="{"),
        "function.arguments: is not valid JSON",
    ),
    "bad time": (
        lambda d: d["agents"][0]["messages"][0].update(created_at="yesterday"),
        "messages[0].created_at",
    ),
    "NUL in text": (
        lambda d: d["agents"][0]["messages"][4].update(content="a\x00b"),
        "NUL",
    ),
    "newer schema": (
        lambda d: d.update(memgpt={"format": FORMAT, "schema_version": SCHEMA_VERSION + 1}),
        "newer than this langgraph-memgpt reads",
    ),
    "another user's id in metadata": (
        lambda d: d.update(
            memgpt={
                "format": FORMAT,
                "schema_version": 1,
                "archival": [{"text": "x", "metadata": {"user_id": "victim"}}],
            }
        ),
        "memgpt.archival[0].metadata: may not set user_id",
    ),
    "NaN vector": (
        lambda d: d.update(
            memgpt={
                "format": FORMAT,
                "schema_version": 1,
                "archival": [{"text": "x", "vector": [float("nan")]}],
            }
        ),
        "vector: must be a non-empty list of finite numbers",
    ),
    "picked agent missing": (
        lambda d: d["agents"].append(dict(d["agents"][0], id="agent-1", name="other")),
        "no agent with id or name 'nobody'",
    ),
}


PICK = {"picked agent missing": "nobody"}


def _nothing_written(memory: Memory) -> None:
    for user in ("dorothea", USER, "default-user"):
        for agent in ("research-buddy", "default"):
            assert not memory.has_namespace(user_id=user, agent_id=agent)


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_documents_are_refused_with_a_clear_error(fresh: Memory, case: str) -> None:
    change, expected = BROKEN[case]
    with pytest.raises(AgentFileError) as caught:
        fresh.import_agent(_break(change), user_id="dorothea", agent=PICK.get(case))
    assert expected in str(caught.value)
    _nothing_written(fresh)


def test_a_dry_run_reports_every_problem_at_once(fresh: Memory) -> None:
    def many(d: dict[str, Any]) -> None:
        for name in ("bad role", "bad tool arguments", "bad time", "dangling block id"):
            BROKEN[name][0](d)

    with pytest.raises(AgentFileError) as caught:
        fresh.import_agent(_break(many), user_id="dorothea", dry_run=True)
    assert len(caught.value.problems) == 4
    report = fresh.import_agent(_valid(), user_id="dorothea", dry_run=True)
    assert report.dry_run and report.messages == 5
    _nothing_written(fresh)


@pytest.mark.parametrize(
    "content",
    [b"", b"not json", b"[1, 2]", b'{"agents": [', b"[" * 200_000, b"\xff\xfe\x00garbage"],
    ids=["empty", "text", "list", "truncated", "deeply nested", "binary"],
)
def test_malformed_and_truncated_files(fresh: Memory, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.af"
    path.write_bytes(content)
    with pytest.raises(AgentFileError, match="nothing was imported"):
        fresh.import_agent(path)
    _nothing_written(fresh)


def test_a_truncated_export_is_refused(mem: Memory, fresh: Memory, tmp_path: Path) -> None:
    _fill(mem, tmp_path)
    path = tmp_path / "export.af"
    mem.export_agent(path, user_id=USER)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(AgentFileError, match="truncated"):
        fresh.import_agent(path)
    _nothing_written(fresh)


def test_import_never_overwrites_or_mixes_into_existing_memory(
    mem: Memory, fresh: Memory, tmp_path: Path
) -> None:
    _fill(mem, tmp_path)
    document = mem.export_agent(user_id=USER)
    fresh.core.append("human", "Name: the real Ada", user_id=USER)
    fresh.archival.insert("Ada's own note", user_id=USER)
    with pytest.raises(MemoryStoreError, match="already has memory"):
        fresh.import_agent(document)
    assert fresh.core.get_block("human", user_id=USER).value == "Name: the real Ada"
    assert _texts(list(fresh.archival.records(user_id=USER))) == ["Ada's own note"]
    report = fresh.import_agent(document, user_id="ada-copy")
    assert report.user_id == "ada-copy"
    assert fresh.core.get_block("human", user_id=USER).value == "Name: the real Ada"
    assert fresh.archival.count(user_id="ada-copy") == 4


def test_an_interrupted_import_finishes_on_the_same_file_without_duplicates(
    mem: Memory, fresh: Memory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(mem, tmp_path)
    path = tmp_path / "export.af"
    mem.export_agent(path, user_id=USER)
    real = fresh.archival.insert_many
    calls = {"n": 0}

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise MemoryStoreError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(fresh.archival, "insert_many", flaky)
    with pytest.raises(MemoryStoreError, match="run the same import again"):
        fresh.import_agent(path)
    monkeypatch.undo()
    partial = fresh.archival.count(user_id=USER)
    assert 0 < partial < 4
    report = fresh.import_agent(path)
    assert report.skipped_archival == partial
    assert fresh.archival.count(user_id=USER) == 4
    assert fresh.recall.count(user_id=USER) == 6
    again = fresh.import_agent(path)  # the same file once more adds nothing
    assert again.skipped_archival == 4 and fresh.recall.count(user_id=USER) == 6


def test_cli_export_import_round_trip(tmp_path: Path) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text("# Notes\n\nThe harbour master's name is Quill.")
    assert (
        run_cli(
            ["memory", "ingest", str(doc), "--data-dir", "a", "--user", "u"], tmp_path
        ).returncode
        == 0
    )
    out = run_cli(["memory", "export", "u.af", "--data-dir", "a", "--user", "u"], tmp_path)
    assert out.returncode == 0 and "exported" in out.stdout, out.stderr
    dry = run_cli(["memory", "import", "u.af", "--data-dir", "b", "--dry-run"], tmp_path)
    assert dry.returncode == 0 and "would import" in dry.stdout and not (tmp_path / "b").exists()
    done = run_cli(["memory", "import", "u.af", "--data-dir", "b", "--user", "v"], tmp_path)
    assert done.returncode == 0 and "1 archival record(s)" in done.stdout, done.stderr
    found = run_cli(
        ["memory", "search", "harbour", "master", "--data-dir", "b", "--user", "v"], tmp_path
    )
    assert "Quill" in found.stdout
    twice = run_cli(["memory", "import", "a.af", "--data-dir", "b", "--user", "v"], tmp_path)
    assert twice.returncode == 2 and "a.af" in twice.stderr
    (tmp_path / "bad.af").write_text('{"agents": [{"id": "agent-0", "messages": [{"role": 5}]}]}')
    bad = run_cli(["memory", "import", "bad.af", "--data-dir", "c"], tmp_path)
    assert bad.returncode == 2 and "role" in bad.stderr and not (tmp_path / "c").exists()
    nobody = run_cli(["memory", "export", "x.af", "--data-dir", "a", "--user", "nobody"], tmp_path)
    assert nobody.returncode == 2 and "no memory for user 'nobody'" in nobody.stderr
    # An existing file is someone's: export refuses to overwrite it unless told to.
    (tmp_path / "notes.txt").write_text("my notes")
    kept = run_cli(["memory", "export", "notes.txt", "--data-dir", "a", "--user", "u"], tmp_path)
    assert kept.returncode == 2 and "--force" in kept.stderr
    assert (tmp_path / "notes.txt").read_text() == "my notes"
    forced = run_cli(
        ["memory", "export", "notes.txt", "--force", "--data-dir", "a", "--user", "u"], tmp_path
    )
    assert forced.returncode == 0 and "Quill" in (tmp_path / "notes.txt").read_text()


def test_letta_roles_without_a_conversation_text_are_mapped_or_left_out(fresh: Memory) -> None:
    doc = _valid()
    messages = doc["agents"][0]["messages"]
    messages.append({"id": "message-5", "role": "approval", "approve": True, "content": None})
    messages.append(
        {"id": "message-6", "role": "function", "content": "42", "tool_call_id": "call_old"}
    )
    report = fresh.import_agent(doc, user_id="dorothea")
    assert report.messages == 6  # the approval is left out, the function result kept as tool
    stored = fresh.recall.messages(
        thread_id="imported-research-buddy", user_id="dorothea", agent_id="research-buddy"
    )
    assert [m.metadata["role"] for m in stored][-1] == "tool"
    assert stored[-1].metadata["tool_call_id"] == "call_old"
