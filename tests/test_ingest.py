"""Document ingestion: citations, idempotence, changed files, formats, progress bar, CLI."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from langgraph_memgpt.memory import Memory, MemoryStoreError
from langgraph_memgpt.memory.io import ingest as ingest_module
from langgraph_memgpt.memory.io.ingest import Ingester
from langgraph_memgpt.memory.testing import HashEmbeddings
from langgraph_memgpt.tools import format_hits
from tests.cli_run import run_cli
from tests.documents import minimal_pdf, prose

USER = "reader"
NEEDLE = (
    "The lighthouse keeper Oswin Marrow buried the brass key under the third juniper tree "
    "behind the chapel."
)


@pytest.fixture
def mem(store: Any) -> Iterator[Memory]:
    with Memory.open(store, embeddings=HashEmbeddings()) as memory:
        yield memory


def _records(mem: Memory, source: Path | None = None, *, superseded: bool = False) -> list[Any]:
    """The current records (of ``source``), or with ``superseded`` the superseded ones."""
    where = None if source is None else str(source.resolve())
    return [
        r
        for r in mem.archival.records(user_id=USER, source=where)
        if bool(r.metadata.get("superseded_at")) == superseded
    ]


def _doc(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    paragraphs = prose(12)
    (docs / "guide.md").write_text(
        "# Guide\n\n"
        + "\n\n".join(paragraphs[:4])
        + "\n\n## Storage\n\nThe spare fuses are kept in the blue cabinet on floor two.\n\n"
        + "\n\n".join(paragraphs[4:8])
    )
    (docs / "page.html").write_text(
        "<html><head><style>p{}</style><script>var secret = 'do not index';</script></head>"
        "<body><h1>Visitors</h1><p>The museum opens at nine on Sundays.</p></body></html>"
    )
    (docs / "notes.txt").write_text("\n\n".join(paragraphs[8:]))
    return docs


def test_every_chunk_carries_its_citation(mem: Memory, tmp_path: Path) -> None:
    docs = _doc(tmp_path)
    report = mem.ingest(docs, user_id=USER, chunk_chars=400, overlap=40)
    assert [f.status for f in report.files] == ["added", "added", "added"]
    guide = _records(mem, docs / "guide.md")
    assert len(guide) > 3
    assert [r.metadata["chunk"] for r in guide] == list(range(len(guide)))
    assert {r.metadata["chunks"] for r in guide} == {len(guide)}
    assert {r.metadata["source"] for r in guide} == {str((docs / "guide.md").resolve())}
    assert len({r.metadata["created_at"] for r in guide}) == 1
    assert {r.metadata["heading"] for r in guide} == {"Guide", "Guide > Storage"}
    assert all("document" in r.metadata["tags"] for r in guide)
    hit = mem.archival.search("where are the spare fuses kept", user_id=USER, k=1)[0]
    assert "blue cabinet" in hit.text
    assert hit.metadata["heading"] == "Guide > Storage"
    cited = str(hit.citation)
    assert "guide.md" in cited and "section 'Guide > Storage'" in cited
    assert f"chunk {hit.metadata['chunk'] + 1}/{len(guide)}" in cited
    # The model sees the same citation in archival_memory_search results.
    assert cited in format_hits([hit], tier="archival memory", query="fuses", page=0)
    html = _records(mem, docs / "page.html")
    assert html[0].metadata["heading"] == "Visitors"
    assert "museum opens at nine" in html[0].text
    assert all("do not index" not in r.text for r in _records(mem))


def test_pdf_chunks_cite_their_page(mem: Memory, tmp_path: Path) -> None:
    pdf = tmp_path / "manual.pdf"
    pdf.write_bytes(
        minimal_pdf(["Chapter one is about rivers.", "The pump needs oil every spring."])
    )
    report = mem.ingest(pdf, user_id=USER)
    assert report.files[0].status == "added"
    hit = mem.archival.search("how often does the pump need oil", user_id=USER, k=1)[0]
    assert hit.metadata["page"] == 2
    assert "page 2" in str(hit.citation)


def test_a_long_document_finds_one_sentence_deep_inside(mem: Memory, tmp_path: Path) -> None:
    paragraphs = prose(2200)  # ~100k tokens of similar-looking prose
    paragraphs.insert(1650, NEEDLE)
    doc = tmp_path / "chronicle.md"
    doc.write_text("# Chronicle\n\n" + "\n\n".join(paragraphs))
    assert len(doc.read_text()) / 4 > 100_000
    report = mem.ingest(doc, user_id=USER)
    total = report.files[0].chunks
    assert total > 400
    hits = mem.archival.search("Where did the lighthouse keeper bury the key?", user_id=USER, k=3)
    found = [h for h in hits if "Oswin Marrow" in h.text]
    assert found, [h.text[:80] for h in hits]
    assert found[0].metadata["chunk"] > total * 0.6  # deep inside, not near the start
    assert str(doc.resolve()) in str(found[0].citation)


def test_reingesting_an_unchanged_file_adds_nothing(mem: Memory, tmp_path: Path) -> None:
    docs = _doc(tmp_path)
    first = mem.ingest(docs, user_id=USER)
    before = [(r.id, r.text) for r in _records(mem)]
    assert isinstance(mem.archival.embeddings, HashEmbeddings)
    calls = mem.archival.embeddings.calls
    again = mem.ingest([docs, docs / "guide.md"], user_id=USER)
    assert [f.status for f in again.files] == ["unchanged"] * 3
    assert again.added == 0 and first.added == len(before)
    assert [(r.id, r.text) for r in _records(mem)] == before
    assert mem.archival.embeddings.calls == calls  # nothing embedded either
    # Another user ingesting the same file gets their own chunks.
    other = mem.ingest(docs, user_id="someone-else")
    assert other.added == first.added
    assert len(_records(mem)) == len(before)


def test_a_changed_file_replaces_its_old_chunks(mem: Memory, tmp_path: Path) -> None:
    docs = _doc(tmp_path)
    mem.ingest(docs, user_id=USER)
    guide = docs / "guide.md"
    old = _records(mem, guide)
    untouched = [
        (r.id, r.text) for r in _records(mem) if r.metadata["source"] != str(guide.resolve())
    ]
    guide.write_text("# Guide\n\n## Storage\n\nThe spare fuses moved to the red drawer.\n")
    report = mem.ingest(docs, user_id=USER)
    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name["guide.md"].status == "replaced"
    assert by_name["guide.md"].retired == len(old)
    new = _records(mem, guide)
    assert len(new) == 1 and "red drawer" in new[0].text
    assert not {r.id for r in old} & {r.id for r in new}
    hits = mem.archival.search("spare fuses", user_id=USER, k=5)
    assert all("blue cabinet" not in h.text for h in hits)
    # Superseded, not deleted: the old version is kept and says what replaced it.
    kept = _records(mem, guide, superseded=True)
    assert sorted(r.id for r in kept) == sorted(r.id for r in old)
    assert {r.metadata["superseded_by"] for r in kept} <= {r.id for r in new}
    everything = mem.archival.search("spare fuses", user_id=USER, k=10, include_superseded=True)
    assert any("blue cabinet" in h.text for h in everything)
    assert [
        (r.id, r.text) for r in _records(mem) if r.metadata["source"] != str(guide.resolve())
    ] == untouched


def test_old_chunks_go_through_the_one_seam(
    mem: Memory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text("First version of the text.")
    mem.ingest(doc, user_id=USER)
    old_ids = [r.id for r in _records(mem, doc)]
    calls: list[dict[str, Any]] = []
    real = ingest_module.retire_old_chunks

    def spy(archival: Any, old: Any, new: Any, **kw: Any) -> int:
        calls.append({"old": list(old), "new": list(new), **kw})
        return real(archival, old, new, **kw)

    monkeypatch.setattr(ingest_module, "retire_old_chunks", spy)
    doc.write_text("Second version of the text.")
    mem.ingest(doc, user_id=USER)
    new_ids = [r.id for r in _records(mem, doc)]
    assert calls == [
        {
            "old": old_ids,
            "new": new_ids,
            "reason": f"document changed: {doc.resolve()}",
            "user_id": USER,
            "agent_id": "default",
        }
    ]


def test_a_crash_between_store_and_retire_is_finished_by_the_next_run(
    mem: Memory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text("Old text about apples.")
    mem.ingest(doc, user_id=USER)

    def crash(*args: Any, **kwargs: Any) -> int:
        raise MemoryStoreError("simulated crash")

    monkeypatch.setattr(ingest_module, "retire_old_chunks", crash)
    doc.write_text("New text about pears.")
    report = mem.ingest(doc, user_id=USER)
    assert report.files[0].status == "failed"
    assert len(_records(mem, doc)) == 2  # both versions: nothing lost
    monkeypatch.undo()
    report = mem.ingest(doc, user_id=USER)
    assert (report.files[0].status, report.files[0].retired) == ("unchanged", 1)
    assert [r.text for r in _records(mem, doc)] == ["New text about pears."]


def test_directories_skip_hidden_and_unknown_files_and_bad_files_fail_alone(
    mem: Memory, tmp_path: Path
) -> None:
    docs = tmp_path / "d"
    (docs / ".git").mkdir(parents=True)
    (docs / ".git" / "notes.md").write_text("hidden")
    (docs / "image.png").write_bytes(b"\x89PNG\x00\x00")
    (docs / "ok.md").write_text("Fine text.")
    (docs / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    (docs / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (docs / "empty.md").write_text("   \n")
    report = mem.ingest(docs, user_id=USER)
    status = {Path(f.path).name: f.status for f in report.files}
    assert status == {
        "broken.txt": "failed",
        "empty.md": "empty",
        "latin1.txt": "failed",
        "ok.md": "added",
    }
    errors = {Path(f.path).name: f.error for f in report.failed}
    assert "binary" in str(errors["broken.txt"]) and "UTF-8" in str(errors["latin1.txt"])
    assert [r.text for r in _records(mem)] == ["Fine text."]
    with pytest.raises(MemoryStoreError, match="no such file"):
        mem.ingest(tmp_path / "missing", user_id=USER)
    with pytest.raises(MemoryStoreError, match="overlap"):
        mem.ingest(docs, user_id=USER, chunk_chars=200, overlap=300)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("terminal", [True, False])
def test_progress_bar_only_on_a_terminal(mem: Memory, tmp_path: Path, terminal: bool) -> None:
    doc = tmp_path / "long.txt"
    doc.write_text("\n\n".join(prose(60)))
    stream = _Terminal() if terminal else io.StringIO()
    report = Ingester(mem.archival, user_id=USER, stream=stream, batch_size=8).ingest([doc])
    assert report.added > 8
    output = stream.getvalue()
    if terminal:
        assert "long.txt" in output and f"{report.added}/{report.added}" in output
    else:
        assert output == ""


def test_cli_ingests_once_and_shows_no_bar_in_a_pipe(tmp_path: Path) -> None:
    docs = _doc(tmp_path)
    first = run_cli(["memory", "ingest", str(docs), "--data-dir", "st", "--user", "u"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "3 added" in first.stdout
    assert "chunks/s" not in first.stderr and "%|" not in first.stderr
    again = run_cli(["memory", "ingest", str(docs), "--data-dir", "st", "--user", "u"], tmp_path)
    assert "3 unchanged" in again.stdout and "0 chunks stored" in again.stdout
    found = run_cli(
        ["memory", "search", "spare", "fuses", "--data-dir", "st", "--user", "u"], tmp_path
    )
    assert "blue cabinet" in found.stdout and "section 'Guide > Storage'" in found.stdout
    missing = run_cli(["memory", "ingest", "nope", "--data-dir", "st"], tmp_path)
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_the_same_document_under_two_paths_is_stored_once(mem: Memory, tmp_path: Path) -> None:
    docs = _doc(tmp_path)
    copy = tmp_path / "elsewhere" / "guide-copy.md"
    copy.parent.mkdir()
    copy.write_bytes((docs / "guide.md").read_bytes())
    first = mem.ingest(docs / "guide.md", user_id=USER)
    stored = len(_records(mem))
    report = mem.ingest(copy, user_id=USER)
    (result,) = report.files
    assert result.status == "duplicate"
    assert result.same_as == str((docs / "guide.md").resolve())
    assert result.chunks == first.files[0].chunks
    assert len(_records(mem)) == stored  # nothing added
    text = str(report)
    assert f"already stored as {(docs / 'guide.md').resolve()}" in text
    assert "1 duplicate" in text and "0 chunks stored" in text
    # Both paths in one run: the second is found a duplicate of the first, stored just now.
    (tmp_path / "n2.txt").write_bytes((docs / "notes.txt").read_bytes())
    both = mem.ingest([docs / "notes.txt", tmp_path / "n2.txt"], user_id="someone")
    assert [f.status for f in both.files] == ["added", "duplicate"]
    # Per user: another user's copy is that user's own.
    assert [f.status for f in mem.ingest(copy, user_id="someone").files] == ["added"]


def test_one_chunk_and_one_file_are_singular(mem: Memory, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("The spare key is under the mat.")
    text = str(mem.ingest(note, user_id=USER))
    assert "note.txt: 1 chunk\n" in text
    assert "1 file: 1 added" in text and "; 1 chunk stored" in text
    assert "1 chunks" not in text and "1 file(s)" not in text
