"""End-to-end recall through the agent on LoCoMo: ingestion, eviction, policy and retrieval.

Where ``retrieval_locomo.py`` measures the archival search alone (every turn indexed, the
question searched directly: the ceiling), this plays a whole LoCoMo conversation into our agent
turn by turn, with the offline driver (rule-based, not an LLM) and a small context window so
that most of it is evicted, then asks each question of categories 1-4 in a *new thread* of the
same user and scores what the agent did with no LLM involved:

* **answer cites evidence**: the fraction of questions whose final answer cites (thread, turn)
  of at least one evidence turn; the cited turn is mapped back to its ``dia_id`` with the
  turn -> dia_id table kept while playing;
* **evidence recall (retrieved)**: |evidence ∩ dia_ids of every hit the agent's searches
  returned for the question| / |evidence|, averaged over questions.

By default each question is asked against a copy of the memory directory as the conversation
left it (``--no-isolate`` asks them one after another instead, so earlier questions and answers
land in recall memory and can crowd later searches).

    python bench/agent_recall.py                          # every conversation in --data
    python bench/agent_recall.py --conversations 26,30
    python bench/agent_recall.py --before old/agent_recall.json --before-label "main at abc123"

The results keep a ``before`` section (an earlier run's scores, from ``--before`` or carried
over from the file being replaced) and the Markdown table starts with before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _fakes import TimedEmbeddings  # noqa: E402
from _locomo import (  # noqa: E402
    DEFAULT_DATA,
    RESULTS,
    Conversation,
    Turn,
    conversation_files,
    evidence_ids,
    load_conversation,
)
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage  # noqa: E402

from langgraph_memgpt import MemGPTConfig, Memory, OfflineDriver, create_memgpt_agent  # noqa: E402
from langgraph_memgpt.memory.tiers.recall import SEARCH_EMBED_CAP  # noqa: E402

DEFAULT_BUDGET = 3000
QUESTION_THREAD = "questions"
CATEGORY_NAMES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop"}
_CITATION_RE = re.compile(r"thread ([^,()\s]+), turn (\d+)")


def message_text(turn: Turn) -> str:
    """What the user "says" at a turn: the session date, then ``"<speaker>: <text>"``.

    The date is a parenthesised aside, which the offline driver strips before it extracts
    facts, so the saved fact reads as the speaker's words.
    """
    return f"({turn.date}) {turn.line()}"


def session_time(turn: Turn) -> dict[str, str]:
    """The session's date as the message's own ``created_at``, so recall can search by it."""
    for layout in ("%I:%M %p on %d %B, %Y", "%I:%M %p on %d %b, %Y"):
        try:
            return {"created_at": datetime.strptime(turn.date, layout).isoformat()}
        except ValueError:
            continue
    return {}


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


@dataclass
class Played:
    """What playing one conversation left behind."""

    directory: Path
    user_id: str
    thread_id: str
    turn_to_dia: dict[tuple[str, int], str]
    dia_text: dict[str, str]
    seconds: float
    per_turn_ms: list[float]
    model_ms: float
    embed_ms: float
    tool_calls: Counter[str] = field(default_factory=Counter)
    saved_dia: set[str] = field(default_factory=set)
    inserts_citing_another_turn: int = 0
    evicted_messages: int = 0
    fifo_user_turns: int = 0
    summary: str = ""


def _open(directory: Path) -> tuple[Memory, TimedEmbeddings | None]:
    memory = Memory.open(directory)  # the embedded default ("auto": local MiniLM)
    embedder = memory.archival.embeddings
    timer = TimedEmbeddings(embedder) if embedder is not None else None
    if timer is not None:
        # Timed in place: the stored embedder identity is unchanged.
        memory.archival.embeddings = timer
    return memory, timer


def _agent(memory: Memory, model: OfflineDriver, budget: int) -> Any:
    return create_memgpt_agent(model, memory=memory, config=MemGPTConfig(context_window=budget))


def _timed_model(model: OfflineDriver) -> list[float]:
    """Patch the driver instance to add up its own time, so per-turn figures exclude it."""
    spent: list[float] = [0.0]
    respond = model.respond

    def timed(messages: Any, tools: Any = None) -> AIMessage:
        start = time.perf_counter()
        try:
            return respond(messages, tools=tools)
        finally:
            spent[0] += time.perf_counter() - start

    object.__setattr__(model, "respond", timed)
    return spent


def play(conversation: Conversation, directory: Path, budget: int, max_turns: int | None) -> Played:
    """Feed every turn of ``conversation`` to a fresh agent, one user message per turn."""
    model = OfflineDriver()
    model_time = _timed_model(model)
    memory, timer = _open(directory)
    agent = _agent(memory, model, budget)
    user_id = f"locomo-{conversation.name}"
    thread_id = f"conv-{conversation.name}"
    config = {"configurable": {"thread_id": thread_id, "user_id": user_id}}
    turns = conversation.turns[:max_turns] if max_turns else conversation.turns
    turn_to_dia: dict[tuple[str, int], str] = {}
    per_turn: list[float] = []
    calls: Counter[str] = Counter()
    saved: set[str] = set()
    citing_other = 0
    recent: deque[tuple[str, str]] = deque(maxlen=200)
    state: dict[str, Any] = {}
    started = time.perf_counter()
    for index, turn in enumerate(turns):
        message = HumanMessage(
            content=message_text(turn),
            id=f"{thread_id}-{index}",
            additional_kwargs=session_time(turn),
        )
        model_before = model_time[0]
        embed_before = timer.seconds if timer else 0.0
        t0 = time.perf_counter()
        state = agent.invoke({"messages": [message]}, config)
        wall = time.perf_counter() - t0
        spent = model_time[0] - model_before + ((timer.seconds if timer else 0.0) - embed_before)
        per_turn.append((wall - spent) * 1000)
        turn_to_dia[(thread_id, int(state["turn"]))] = turn.dia_id
        recent.append((turn.dia_id, _norm(message_text(turn))))
        for m in _this_turn(state["messages"], message.id):
            if not isinstance(m, AIMessage):
                continue
            calls.update(c["name"] for c in m.tool_calls)
            for call in m.tool_calls:
                if call["name"] != "archival_memory_insert":
                    continue
                source = _source_turn(str(call["args"].get("content", "")), recent)
                saved.add(source or turn.dia_id)
                if source is not None and source != turn.dia_id:
                    citing_other += 1  # saved on the pressure alert: cites the alert's turn
    seconds = time.perf_counter() - started
    fifo_users = sum(
        1 for m in state.get("messages", []) if isinstance(m, HumanMessage) and m.name is None
    )
    played = Played(
        directory=directory,
        user_id=user_id,
        thread_id=thread_id,
        turn_to_dia=turn_to_dia,
        dia_text={t.dia_id: message_text(t) for t in turns},
        seconds=seconds,
        per_turn_ms=per_turn,
        model_ms=model_time[0] * 1000,
        embed_ms=(timer.seconds if timer else 0.0) * 1000,
        tool_calls=calls,
        saved_dia=saved,
        inserts_citing_another_turn=citing_other,
        evicted_messages=int(state.get("evicted_total", 0)),
        fifo_user_turns=fifo_users,
        summary=str(state.get("summary", "")),
    )
    _embed_backlog(memory, user_id)
    memory.close()
    return played


def _embed_backlog(memory: Memory, user_id: str) -> None:
    """Embed every recall message the background embedder has not reached yet, once.

    Each question is asked on a copy of this directory, and a recall search embeds up to
    ``SEARCH_EMBED_CAP`` waiting messages before it answers: left waiting, the backlog would
    be embedded again in every copy (minutes per conversation), and cut off at the cap. Asked
    later, as questions are in real use, the embedder has long caught up: this is that state.
    """
    rounds = memory.recall.count(user_id=user_id) // SEARCH_EMBED_CAP + 2
    for _ in range(rounds):
        memory.recall.search("backlog", user_id=user_id, k=1)


_SPEAKER_RE = re.compile(r"^([A-Z][\w'-]*(?: [A-Z][\w'-]*)?):\s+")


def _head(content: str) -> tuple[str, str]:
    """(speaker, start of the text) of a saved passage, normalised for matching: the driver
    saves each sentence of a "Speaker: ..." line with its speaker, so the passage is the
    speaker plus words that appear further on in the turn."""
    match = _SPEAKER_RE.match(content)
    speaker = _norm(match.group(1)) if match else ""
    return speaker, _norm(content[match.end() :] if match else content)[:60]


def _holds(text: str, content: str) -> bool:
    """Whether a played turn's normalised ``text`` holds the saved passage ``content``."""
    speaker, head = _head(content)
    return bool(head) and head in text and (not speaker or speaker in text)


def _source_turn(content: str, recent: Sequence[tuple[str, str]]) -> str | None:
    """The newest played turn whose text holds ``content`` (what an archival insert saved)."""
    for dia_id, text in reversed(recent):
        if _holds(text, content):
            return dia_id
    return None


def _this_turn(messages: Sequence[Any], message_id: str | None) -> list[Any]:
    """Messages from the one with ``message_id`` on (the current turn is never evicted)."""
    for i, m in enumerate(messages):
        if m.id == message_id:
            return list(messages[i + 1 :])
    return []


def ask(
    played: Played,
    questions: list[dict[str, Any]],
    budget: int,
    isolate: bool,
    scratch: Path,
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Ask every question in a new thread of the same user; score answers and retrievals."""
    model = OfflineDriver()
    model_time = _timed_model(model)
    config = {"configurable": {"thread_id": QUESTION_THREAD, "user_id": played.user_id}}
    results: list[dict[str, Any]] = []
    timings = {"setup_ms": 0.0, "ask_ms": 0.0, "embed_ms": 0.0}
    memory: Memory | None = None
    agent: Any = None
    timer: TimedEmbeddings | None = None
    for index, question in enumerate(questions):
        t0 = time.perf_counter()
        if isolate or memory is None:
            if memory is not None:
                memory.close()
            # A pristine copy of the memory as the conversation left it, every time.
            shutil.rmtree(scratch, ignore_errors=True)
            shutil.copytree(played.directory, scratch)
            memory, timer = _open(scratch)
            agent = _agent(memory, model, budget)
        t1 = time.perf_counter()
        embed_before = timer.seconds if timer else 0.0
        message = HumanMessage(content=str(question["question"]), id=f"q-{index}")
        state = agent.invoke({"messages": [message]}, config)
        t2 = time.perf_counter()
        timings["setup_ms"] += (t1 - t0) * 1000
        timings["ask_ms"] += (t2 - t1) * 1000
        timings["embed_ms"] += ((timer.seconds if timer else 0.0) - embed_before) * 1000
        results.append(score(played, question, _this_turn(state["messages"], message.id)))
    if memory is not None:
        memory.close()
    timings["model_ms"] = model_time[0] * 1000
    return results, timings


def score(played: Played, question: dict[str, Any], turn: list[Any]) -> dict[str, Any]:
    """Evidence cited by the answer and evidence among everything the searches returned."""
    evidence = evidence_ids(question.get("evidence", []))
    answers = [m for m in turn if isinstance(m, AIMessage) and not m.tool_calls]
    answer = str(answers[-1].content) if answers else ""
    cited = [
        played.turn_to_dia[(thread, int(n))]
        for thread, n in _CITATION_RE.findall(answer)
        if (thread, int(n)) in played.turn_to_dia
    ]
    retrieved: list[str] = []
    hits = 0
    miscited = 0
    tools: list[str] = []
    for m in turn:
        if isinstance(m, AIMessage):
            tools.extend(c["name"] for c in m.tool_calls)
        if not isinstance(m, ToolMessage) or not isinstance(m.artifact, dict):
            continue
        for hit in m.artifact.get("hits", []):
            hits += 1
            meta = hit.get("metadata") or {}
            if meta.get("turn") is None:
                continue
            dia = played.turn_to_dia.get((str(meta.get("thread_id")), int(meta["turn"])))
            if dia is None:
                continue
            retrieved.append(dia)
            text = str(hit.get("text", ""))
            if _head(text)[1] and not _holds(_norm(played.dia_text.get(dia, "")), text):
                miscited += 1  # e.g. a fact saved on the pressure alert cites the alert's turn
    found = set(evidence) & set(retrieved)
    return {
        "question": question["question"],
        "category": question.get("category"),
        "evidence": evidence,
        "answer": answer,
        "cited": sorted(set(cited)),
        "retrieved": sorted(set(retrieved)),
        "hits": hits,
        "miscited_hits": miscited,
        "tools": tools,
        "cites_evidence": bool(set(cited) & set(evidence)),
        "evidence_saved": (
            len(set(evidence) & played.saved_dia) / len(evidence) if evidence else 0.0
        ),
        "evidence_recall": len(found) / len(evidence) if evidence else 0.0,
        "not_found": answer.startswith("I searched my memory"),
    }


def aggregate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    if not rows:
        return {"questions": 0}
    n = len(rows)
    hits = sum(r["hits"] for r in rows)
    return {
        "questions": n,
        "answer_cites_evidence": sum(r["cites_evidence"] for r in rows) / n,
        "evidence_recall_retrieved": sum(r["evidence_recall"] for r in rows) / n,
        "answered_from_memory": sum(bool(r["cited"]) for r in rows) / n,
        "evidence_saved_to_archival": sum(r["evidence_saved"] for r in rows) / n,
        "not_found": sum(r["not_found"] for r in rows) / n,
        "hits_per_question": hits / n,
        "miscited_hit_share": (sum(r["miscited_hits"] for r in rows) / hits) if hits else 0.0,
    }


#: The retrieval benchmark's variants closest to what our agent stores: the turn text alone
#: (what the driver saves to archival) and with its session date (what recall memory holds).
CEILING_VARIANTS = ("turn", "date+turn")
CEILING_RETRIEVER = "shipped hybrid"


def retrieval_ceiling(path: Path, names: Sequence[str]) -> dict[str, Any]:
    """The retrieval benchmark's hybrid evidence recall for the same data, if it has run.

    ``bench/retrieval_locomo.py`` (another benchmark) writes ``retrieval_locomo.json``: per
    variant (how a turn is written into a record) R@k of each retriever, overall and per
    category. Its layout is read defensively, and its absence is reported, not papered over.
    """
    if not path.exists():
        return {"available": False, "reason": f"{path} not found"}
    try:
        payload = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        return {"available": False, "reason": f"unreadable {path.name}: {exc}"}
    variants: dict[str, Any] = {}
    for variant in CEILING_VARIANTS:
        entry = (payload.get("variants") or {}).get(variant) or {}
        recall = (entry.get("recall") or {}).get(CEILING_RETRIEVER)
        if isinstance(recall, dict):
            by_category = (entry.get("by_category") or {}).get(CEILING_RETRIEVER) or {}
            variants[variant] = {"recall": recall, "by_category": by_category}
    if variants:
        return {
            "available": True,
            "source": str(path),
            "retriever": CEILING_RETRIEVER,
            "variants": variants,
            "conversations_asked": list(names),
        }
    found = _find_hybrid(payload)
    if not found:
        return {"available": False, "reason": f"no hybrid recall figures found in {path.name}"}
    return {
        "available": True,
        "source": str(path),
        "retriever": found["path"],
        "variants": {"?": {"recall": found["recall"], "by_category": {}}},
        "conversations_asked": list(names),
    }


def _find_hybrid(payload: Any, trail: str = "") -> dict[str, Any] | None:
    """Fallback for another layout: the first R@k mapping under a key mentioning "hybrid"."""
    if isinstance(payload, dict):
        recall = {
            str(k): v
            for k, v in payload.items()
            if isinstance(v, int | float) and re.search(r"(?i)r@?\d+|recall", str(k))
        }
        if recall and "hybrid" in trail.lower():
            return {"path": trail.strip("/"), "recall": recall}
        for key, value in payload.items():
            got = _find_hybrid(value, f"{trail}/{key}")
            if got:
                return got
    return None


#: Reference figures from shared/data/README.md (all five conversations, 760 questions): the
#: ceiling to quote when the retrieval benchmark's own results are absent.
README_HYBRID = {"R@1": 0.239, "R@5": 0.477, "R@10": 0.564, "R@25": 0.723}


BEFORE_KEYS = ("overall", "by_category", "settings", "elapsed_s", "turns_played")


def before_section(path: Path | None, out: Path, label: str | None) -> dict[str, Any] | None:
    """The figures to compare against, kept in the results file beside the new ones.

    ``--before FILE`` takes them from an earlier run's ``agent_recall.json`` (its scores, not
    its per-question rows); without it, the ``before`` section of the results file being
    replaced is carried over, so a rerun keeps comparing with the same baseline.
    """
    if path is None:
        previous = out / "agent_recall.json"
        if not previous.exists():
            return None
        try:
            return json.loads(previous.read_text()).get("before")
        except (OSError, json.JSONDecodeError):
            return None
    payload = json.loads(path.read_text())
    section = {key: payload[key] for key in BEFORE_KEYS if key in payload}
    section["conversations"] = {
        name: {"scores": conv.get("scores", {}), "turns": conv.get("turns")}
        for name, conv in (payload.get("conversations") or {}).items()
    }
    section["label"] = label or str(path)
    return section


def before_after(summary: dict[str, Any]) -> list[str]:
    """A table of the headline figures, before and after, overall and per category."""
    before = summary.get("before")
    if not before:
        return []
    lines = [
        f"Before: {before.get('label', 'an earlier run')}.",
        "",
        "| questions | answer cites evidence, before | after "
        "| evidence recall (retrieved), before | after | hits/question, before | after |",
        "|---|---|---|---|---|---|---|",
    ]
    rows = [("**all**", before.get("overall") or {}, summary["overall"])]
    rows += [
        (cat, (before.get("by_category") or {}).get(cat) or {}, agg)
        for cat, agg in summary["by_category"].items()
    ]
    for name, old, new in rows:
        lines.append(
            f"| {name} | {_f(old, 'answer_cites_evidence')} "
            f"| {_f(new, 'answer_cites_evidence')} | {_f(old, 'evidence_recall_retrieved')} "
            f"| {_f(new, 'evidence_recall_retrieved')} | {_f(old, 'hits_per_question', 1)} "
            f"| {_f(new, 'hits_per_question', 1)} |"
        )
    return [*lines, ""]


def _f(figures: dict[str, Any], key: str, digits: int = 3) -> str:
    value = figures.get(key)
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "n/a"


def markdown(summary: dict[str, Any]) -> str:
    lines = [
        *before_after(summary),
        "| conversation | turns played | evicted (of the turns) | questions | answer cites evidence "
        "| evidence recall (retrieved) | evidence saved to archival | hits/question "
        "| 'not found' answers |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, conv in summary["conversations"].items():
        agg = conv["scores"]
        lines.append(
            f"| {name} | {conv['turns']} | {conv['evicted_turn_share']:.0%} | {agg['questions']} "
            f"| {agg['answer_cites_evidence']:.3f} | {agg['evidence_recall_retrieved']:.3f} "
            f"| {agg['evidence_saved_to_archival']:.3f} | {agg['hits_per_question']:.1f} "
            f"| {agg['not_found']:.0%} |"
        )
    overall = summary["overall"]
    lines.append(
        f"| **all** | {summary['turns_played']} | | {overall['questions']} "
        f"| **{overall['answer_cites_evidence']:.3f}** "
        f"| **{overall['evidence_recall_retrieved']:.3f}** "
        f"| {overall['evidence_saved_to_archival']:.3f} | {overall['hits_per_question']:.1f} "
        f"| {overall['not_found']:.0%} |"
    )
    ceiling = summary["ceiling"]
    turn_ceiling = next(iter(ceiling["variants"].values())) if ceiling.get("available") else None
    header = "| category | questions | answer cites evidence | evidence recall (retrieved) |"
    rule = "|---|---|---|---|"
    if turn_ceiling and turn_ceiling["by_category"]:
        header += " ceiling R@5 | ceiling R@10 |"
        rule += "---|---|"
    lines += ["", header, rule]
    for cat, agg in summary["by_category"].items():
        row = (
            f"| {cat} | {agg['questions']} | {agg['answer_cites_evidence']:.3f} "
            f"| {agg['evidence_recall_retrieved']:.3f} |"
        )
        if turn_ceiling and turn_ceiling["by_category"]:
            figures = turn_ceiling["by_category"].get(cat.split()[0]) or {}
            row += f" {_r(figures, 5)} | {_r(figures, 10)} |"
        lines.append(row)
    lines.append("")
    if ceiling.get("available"):
        lines.append(
            f"Ceiling: `{Path(ceiling['source']).name}` ({ceiling['retriever']}, every turn "
            "indexed in archival memory and searched with the question itself):"
        )
        for variant, figures in ceiling["variants"].items():
            recall = ", ".join(f"{k} {v:.3f}" for k, v in figures["recall"].items())
            lines.append(f"- variant `{variant}`: {recall}")
    else:
        figures = ", ".join(f"{k} {v:.3f}" for k, v in README_HYBRID.items())
        lines.append(
            f"Ceiling: {ceiling['reason']}; the data README's hybrid (RRF of BM25 + MiniLM, "
            f"all five conversations) gives {figures}."
        )
    return "\n".join(lines)


def _r(figures: dict[str, Any], k: int) -> str:
    value = figures.get(f"R@{k}", figures.get(str(k)))
    return f"{value:.3f}" if isinstance(value, int | float) else "n/a"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="LoCoMo directory")
    parser.add_argument(
        "--conversations",
        type=lambda s: [x.strip() for x in s.split(",") if x.strip()],
        default=None,
        help="comma-separated names, e.g. 26,30 (default: every file in --data)",
    )
    parser.add_argument(
        "--budget", type=int, default=DEFAULT_BUDGET, help="context window in tokens"
    )
    parser.add_argument("--max-turns", type=int, default=0, help="play only the first N turns")
    parser.add_argument(
        "--max-questions", type=int, default=0, help="ask only the first N questions"
    )
    parser.add_argument(
        "--no-isolate",
        action="store_true",
        help="ask the questions one after another on the same memory",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="results directory")
    parser.add_argument(
        "--before",
        type=Path,
        default=None,
        help="an earlier agent_recall.json whose scores are kept as 'before' in the results "
        "(default: carry over the 'before' of the results file being replaced)",
    )
    parser.add_argument("--before-label", default=None, help="what the 'before' run was")
    parser.add_argument(
        "--ceiling",
        type=Path,
        default=RESULTS / "retrieval_locomo.json",
        help="results of bench/retrieval_locomo.py to quote beside ours",
    )
    args = parser.parse_args(argv)
    before = before_section(args.before, args.out, args.before_label)

    files = conversation_files(args.data, args.conversations)
    started = time.perf_counter()
    load_before = list(os.getloadavg())
    conversations: dict[str, Any] = {}
    all_rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-recall-") as tmp:
        for path in files:
            conversation = load_conversation(path)
            # Questions without evidence ids cannot be scored (2 in the five conversations).
            questions = [q for q in conversation.questions if evidence_ids(q.get("evidence", []))]
            if args.max_turns:
                # Only questions whose evidence was played can be answered.
                played_ids = {t.dia_id for t in conversation.turns[: args.max_turns]}
                questions = [
                    q for q in questions if set(evidence_ids(q.get("evidence", []))) <= played_ids
                ]
            if args.max_questions:
                questions = questions[: args.max_questions]
            n_turns = min(len(conversation.turns), args.max_turns or len(conversation.turns))
            print(f"[{conversation.name}] playing {n_turns} turns ...", flush=True)
            played = play(
                conversation, Path(tmp) / conversation.name, args.budget, args.max_turns or None
            )
            turns = len(played.turn_to_dia)
            print(
                f"[{conversation.name}] {turns} turns in {played.seconds:.0f} s; asking "
                f"{len(questions)} questions ...",
                flush=True,
            )
            rows, timings = ask(
                played, questions, args.budget, not args.no_isolate, Path(tmp) / "scratch"
            )
            all_rows.extend(rows)
            conversations[conversation.name] = {
                "turns": turns,
                "evicted_turn_share": 1 - played.fifo_user_turns / turns if turns else 0.0,
                "evicted_messages": played.evicted_messages,
                "play_seconds": round(played.seconds, 1),
                "play_overhead_ms_median": statistics.median(played.per_turn_ms),
                "play_model_ms_per_turn": played.model_ms / max(turns, 1),
                "play_embed_ms_per_turn": played.embed_ms / max(turns, 1),
                "tool_calls_while_playing": dict(played.tool_calls),
                "turns_saved_to_archival": len(played.saved_dia),
                "archival_inserts_citing_another_turn": played.inserts_citing_another_turn,
                "ask_timings_ms_per_question": {
                    k: v / max(len(rows), 1) for k, v in timings.items()
                },
                "scores": aggregate(rows),
                "questions": rows,
            }
            agg = conversations[conversation.name]["scores"]
            print(
                f"[{conversation.name}] answer cites evidence {agg.get('answer_cites_evidence', 0):.3f}, "
                f"evidence recall (retrieved) {agg.get('evidence_recall_retrieved', 0):.3f}",
                flush=True,
            )
    by_category = {
        f"{cat} {CATEGORY_NAMES[cat]}": aggregate([r for r in all_rows if r["category"] == cat])
        for cat in sorted(CATEGORY_NAMES)
        if any(r["category"] == cat for r in all_rows)
    }
    elapsed = time.perf_counter() - started
    summary = {
        "benchmark": "agent_recall",
        "settings": {
            "budget": args.budget,
            "isolate_questions": not args.no_isolate,
            "max_turns": args.max_turns,
            "max_questions": args.max_questions,
            "data": str(args.data),
            "model": "OfflineDriver (rule-based, not an LLM)",
            "embeddings": "embedded default (Memory.open: auto -> local MiniLM when installed)",
        },
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_before": load_before,
            "load_average_after": list(os.getloadavg()),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        },
        "elapsed_s": round(elapsed, 1),
        "turns_played": sum(c["turns"] for c in conversations.values()),
        "overall": aggregate(all_rows),
        "by_category": by_category,
        "ceiling": retrieval_ceiling(args.ceiling, [p.stem for p in files]),
        "before": before,
        "conversations": conversations,
    }
    text = markdown(summary)
    print("\n" + text)
    print(f"\ntotal {elapsed:.0f} s")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "agent_recall.json").write_text(json.dumps(summary, indent=1) + "\n")
    (args.out / "agent_recall.md").write_text(text + "\n")
    print(f"wrote {args.out / 'agent_recall.json'} and {args.out / 'agent_recall.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
