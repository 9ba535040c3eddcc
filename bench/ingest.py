"""Document ingestion: a 100k-token document into archival memory, and finding one sentence.

Two documents of about ``--tokens`` MiniLM word pieces each (counted with the embedding model's
own tokenizer), from two different sources so nothing is tuned to one kind of text:

* ``python-reference``: the Python language reference that ships with CPython
  (``pydoc_data.topics``), as Markdown with one ``#`` heading per topic;
* ``locomo-transcript``: the LoCoMo conversations (``../shared/data/locomo``) as a Markdown
  transcript with one heading per session (skipped when the data is absent).

Into each, five *needle* sentences are inserted at 10/30/50/70/90 % depth; each is then asked
for by a question that paraphrases it. Side by side, on the same chunks and the local MiniLM
embeddings:

* **ours**: ``Memory.ingest`` (LangChain recursive splitter, batches of 64 through the
  embedder, one transaction per file);
* **baseline**: the same chunks stored one ``archival.insert`` at a time, i.e. what the agent's
  own ``archival_memory_insert`` tool does per passage (one embedding call and one
  transaction each).

Reported: seconds and chunks/s (median of ``--repeats`` for ours), their ratio, re-ingest of
the unchanged file (nothing added), and for each needle the rank of its chunk in
``archival_memory_search``-style hybrid search and the citation it comes back with.

    python bench/ingest.py                 # both documents, ~100k tokens each
    python bench/ingest.py --tokens 20000 --repeats 1   # quick
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common_memory import RESULTS, machine, markdown_table, write_results  # noqa: E402
from _locomo import DEFAULT_DATA, conversation_files, load_conversation  # noqa: E402

from langgraph_memgpt.memory import Memory  # noqa: E402
from langgraph_memgpt.memory.io.ingest import Ingester, split_sections  # noqa: E402
from langgraph_memgpt.memory.io.loaders import load_sections  # noqa: E402
from langgraph_memgpt.memory.search.embeddings import LocalMiniLMEmbeddings  # noqa: E402

USER = "bench"
NEEDLES = [
    (
        "The night ferry to Vellmar Island leaves from pier nineteen at 23:40 every Thursday.",
        "When does the night ferry to Vellmar Island depart?",
    ),
    (
        "Ingrid Solberg keeps the spare greenhouse key inside a hollow ceramic frog.",
        "Where is the spare key to the greenhouse hidden?",
    ),
    (
        "The committee chose cobalt blue for the new tram livery after a vote of 7 to 2.",
        "What colour did the committee pick for the trams?",
    ),
    (
        "Professor Adeyemi's sourdough starter is named Bartholomew and is fed rye flour.",
        "What is the name of the professor's sourdough starter?",
    ),
    (
        "Our backup generator needs a new fuel filter after every 250 hours of running.",
        "How often must the generator's fuel filter be replaced?",
    ),
]
DEPTHS = (0.1, 0.3, 0.5, 0.7, 0.9)


def python_reference() -> list[tuple[str, str]]:
    """(heading, text) sections of the Python language reference."""
    from pydoc_data.topics import topics

    return [(name, text) for name, text in sorted(topics.items())]


def locomo_transcript(data: Path) -> list[tuple[str, str]]:
    sections = []
    for path in conversation_files(data):
        conversation = load_conversation(path)
        sessions: dict[int, list[str]] = {}
        dates: dict[int, str] = {}
        for turn in conversation.turns:
            sessions.setdefault(turn.session, []).append(turn.line())
            dates[turn.session] = turn.date
        for number, lines in sessions.items():
            title = f"Conversation {conversation.name}, session {number} ({dates[number]})"
            sections.append((title, "\n\n".join(lines)))
    return sections


def build_document(
    sections: list[tuple[str, str]], tokens: int, count: Callable[[str], int]
) -> tuple[str, int]:
    """Markdown of the first sections adding up to ``tokens`` (repeated if short), with the
    needles inserted between paragraphs at their depths; returns (text, token count)."""
    paragraphs: list[str] = []
    total = 0
    i = 0
    while total < tokens:
        heading, text = sections[i % len(sections)]
        block = [f"# {heading}"] + [p for p in text.split("\n\n") if p.strip()]
        for paragraph in block:
            paragraphs.append(paragraph)
            total += count(paragraph)
            if total >= tokens:
                break
        i += 1
    for depth, (needle, _question) in sorted(
        zip(DEPTHS, NEEDLES, strict=True), key=lambda x: -x[0]
    ):
        at = int(len(paragraphs) * depth)
        while paragraphs[at].startswith("#"):
            at += 1
        paragraphs.insert(at, needle)
    text = "\n\n".join(paragraphs)
    return text, count(text)


def ingest_ours(store: Path, doc: Path, embeddings: Any) -> tuple[float, float, int, Memory]:
    """(wall seconds, CPU seconds of this process, chunks, the open store)."""
    memory = Memory.open(store, embeddings=embeddings)
    start, cpu = time.perf_counter(), time.process_time()
    report = Ingester(memory.archival, user_id=USER, progress=False).ingest([doc])
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert report.files[0].status == "added", report
    return seconds, cpu, report.added, memory


def ingest_baseline(store: Path, doc: Path, embeddings: Any) -> tuple[float, float, int]:
    """The same chunks, one ``archival.insert`` (one embedding call, one transaction) each."""
    with Memory.open(store, embeddings=embeddings) as memory:
        start, cpu = time.perf_counter(), time.process_time()
        chunks = split_sections(load_sections(doc, doc.read_bytes()))
        for chunk in chunks:
            memory.archival.insert(
                chunk.text,
                user_id=USER,
                metadata={"source": str(doc), "chunk": chunk.index, "heading": chunk.heading},
            )
        return time.perf_counter() - start, time.process_time() - cpu, len(chunks)


def needle_ranks(memory: Memory, k: int = 10) -> list[dict[str, Any]]:
    out = []
    for needle, question in NEEDLES:
        hits = memory.archival.search(question, user_id=USER, k=k)
        rank = next((i + 1 for i, h in enumerate(hits) if needle in h.text), None)
        found = hits[rank - 1] if rank else None
        out.append(
            {
                "question": question,
                "rank": rank,
                "citation": None if found is None else str(found.citation),
            }
        )
    return out


def run_document(
    name: str, sections: list[tuple[str, str]], args: argparse.Namespace, embeddings: Any
) -> dict[str, Any]:
    tokenizer = embeddings._model().tokenizer

    def count(text: str) -> int:
        return len(tokenizer(text, add_special_tokens=False, truncation=False)["input_ids"])

    text, tokens = build_document(sections, args.tokens, count)
    with tempfile.TemporaryDirectory() as tmp:
        doc = Path(tmp) / f"{name}.md"
        doc.write_text(text)
        ours: list[float] = []
        ours_cpu: list[float] = []
        chunks = 0
        ranks: list[dict[str, Any]] = []
        reingest = 0.0
        for repeat in range(args.repeats):
            seconds, cpu, chunks, memory = ingest_ours(
                Path(tmp) / f"ours-{repeat}", doc, embeddings
            )
            print(f"  {name}: ours {seconds:.1f} s ({cpu:.1f} CPU s), {chunks} chunks", flush=True)
            ours.append(seconds)
            ours_cpu.append(cpu)
            if repeat == 0:
                ranks = needle_ranks(memory)
                start = time.perf_counter()
                again = memory.ingest(doc, user_id=USER, progress=False)
                reingest = time.perf_counter() - start
                assert again.added == 0
            memory.close()
        base_seconds, base_cpu, base_chunks = ingest_baseline(
            Path(tmp) / "baseline", doc, embeddings
        )
    median = statistics.median(ours)
    return {
        "document": name,
        "tokens": tokens,
        "characters": len(text),
        "chunks": chunks,
        "ours_seconds": ours,
        "ours_median_seconds": median,
        "ours_chunks_per_second": chunks / median,
        "ours_cpu_seconds": ours_cpu,
        "ours_median_cpu_seconds": statistics.median(ours_cpu),
        "baseline_cpu_seconds": base_cpu,
        "load_average": os.getloadavg(),
        "baseline_seconds": base_seconds,
        "baseline_chunks": base_chunks,
        "baseline_chunks_per_second": base_chunks / base_seconds,
        "speedup": base_seconds / median,
        "reingest_unchanged_seconds": reingest,
        "needles": ranks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tokens", type=int, default=100_000, help="per document (MiniLM)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of ours (median)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="LoCoMo directory")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    embeddings = LocalMiniLMEmbeddings()
    embeddings.embed_query("warm up")  # model loading is not ingestion
    sources = [("python-reference", python_reference())]
    if args.data.is_dir():
        sources.append(("locomo-transcript", locomo_transcript(args.data)))
    else:
        print(f"LoCoMo data not found at {args.data}; one document only", file=sys.stderr)
    results = []
    for name, sections in sources:
        result = run_document(name, sections, args, embeddings)
        results.append(result)
        print(
            f"{name}: {result['tokens']} tokens, {result['chunks']} chunks, ours "
            f"{result['ours_median_seconds']:.1f} s vs one-by-one "
            f"{result['baseline_seconds']:.1f} s ({result['speedup']:.1f}x); needle ranks "
            f"{[n['rank'] for n in result['needles']]}",
            flush=True,
        )
        report(results, args)  # after each document, so a long run keeps what it measured


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    rows = [
        [
            r["document"],
            r["tokens"],
            r["chunks"],
            f"{r['ours_median_seconds']:.1f}",
            f"{r['ours_median_cpu_seconds']:.1f}",
            f"{r['ours_chunks_per_second']:.1f}",
            f"{r['baseline_seconds']:.1f}",
            f"{r['baseline_cpu_seconds']:.1f}",
            f"{r['baseline_chunks_per_second']:.1f}",
            f"{r['speedup']:.2f}x",
            f"{r['reingest_unchanged_seconds']:.2f}",
        ]
        for r in results
    ]
    needle_rows = [
        [r["document"], n["question"], n["rank"] or f">{10}", n["citation"] or "-"]
        for r in results
        for n in r["needles"]
    ]
    found = sum(n["rank"] is not None for r in results for n in r["needles"])
    top1 = sum(n["rank"] == 1 for r in results for n in r["needles"])
    total = sum(len(r["needles"]) for r in results)
    markdown = "\n\n".join(
        [
            "# Document ingestion (local MiniLM embeddings)",
            f"Median of {args.repeats} run(s) for ours; the baseline stores the same chunks one "
            "`archival.insert` at a time. Model loading excluded. Tokens counted with MiniLM's "
            f"own tokenizer. Load average at the end: {os.getloadavg()[0]:.1f} on "
            f"{os.cpu_count()} CPUs (the machine is shared by other jobs, so wall time is "
            "inflated; CPU s is this process's own CPU time, torch using up to 2 threads).",
            markdown_table(
                [
                    "document",
                    "tokens",
                    "chunks",
                    "ours s",
                    "ours CPU s",
                    "ours chunks/s",
                    "one-by-one s",
                    "one-by-one CPU s",
                    "one-by-one chunks/s",
                    "speedup",
                    "re-ingest unchanged s",
                ],
                rows,
            ),
            f"## Needles: a paraphrased question per sentence, hybrid search, top 10\n\n"
            f"Found {found}/{total} (rank 1: {top1}/{total}).",
            markdown_table(["document", "question", "rank", "citation"], needle_rows),
        ]
    )
    payload = {"machine": machine(), "args": {"tokens": args.tokens, "repeats": args.repeats}}
    payload["load_average_at_end"] = os.getloadavg()
    payload["documents"] = results
    write_results("ingest", payload, markdown, args.out)


if __name__ == "__main__":
    main()
