"""Export and import of one agent's memory (core blocks, recall, archival) as an agent file.

``export_agent`` writes the document described in ``agent_file.py``; ``import_agent`` reads
one (ours, or a Letta ``.af``) into a store. Import is careful because the file may come from
anywhere:

* **validate first**: the whole document is checked (``agent_file.parse``) before anything is
  written, and every problem is reported at once; ``dry_run=True`` stops there;
* **no overwriting**: the target (user, agent) must hold no memory yet -- an import never
  mixes into, or replaces, someone's memory. Re-running the *same* file into the target it
  was imported into completes an interrupted import and adds nothing twice (message ids are
  derived from the file's hash; archival records already there are skipped);
* **new ids**: file-local ids (``block-0``, ``message-3``) are never stored;
* **lowest trust**: imported archival records and recall messages are stored with the guard's
  lowest trust tier (``IMPORTED_TRUST``, ``guard_policy.EXTERNAL``), so hits show
  ``metadata[TRUST_KEY]`` and the guard scans them; the store's import log records the import;
* **same vector space**: vectors in the file are used only when they come from the store's
  own embedding model; otherwise the text is embedded again.

The tiers write in their own transactions (core in one, each thread's messages in one,
archival in batches), so "nothing half-written" rests on validate-all-then-write plus the
resumable re-run above; a failure mid-write is reported with that advice.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langgraph_memgpt.memory._validate import check_id, now_iso
from langgraph_memgpt.memory.guard import policy as guard_policy
from langgraph_memgpt.memory.io.agent_file import (
    EXTENSION,
    FORMAT,
    LETTA_LISTS,
    SCHEMA_VERSION,
    AgentFileError,
    AgentPlan,
    Message,
    Passage,
    loads,
    parse,
)
from langgraph_memgpt.memory.search.embeddings import embedder_identity
from langgraph_memgpt.memory.tiers.archival import CITATION_KEYS
from langgraph_memgpt.memory.tiers.core import DEFAULT_BLOCKS
from langgraph_memgpt.memory.types import DEFAULT_AGENT_ID, MemoryStoreError, SearchHit

if TYPE_CHECKING:
    from langgraph_memgpt.memory.memory import Memory

#: Imported text is the least trusted tier of the poisoning guard (``guard_policy``): archival
#: records and recall messages alike are stored with it (and scanned), whatever the file says.
TRUST_KEY = "trust"
IMPORTED_TRUST = guard_policy.EXTERNAL
MAX_FILE_BYTES = 1024 * 1024 * 1024
ARCHIVAL_BATCH = 1000
_IMPORT_LOG = "import/{agent}/{user}"
_ID_SPACE = uuid.UUID("6f1c1d52-5f0e-4f5e-9b1e-6d656d677074")
_HIT_KEYS = {*CITATION_KEYS, "tags", "user_id", "agent_id", "vector"}


# -- export ----------------------------------------------------------------------------------
def _openai_tool_calls(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": call.get("id"),
            "type": "function",
            "function": {
                "name": call.get("name"),
                "arguments": json.dumps(call.get("args", {}), ensure_ascii=False),
            },
        }
        for call in calls
    ]


def _message_entry(local: str, hit: SearchHit, agent_local: str) -> dict[str, Any]:
    md = hit.metadata
    entry: dict[str, Any] = {
        "id": local,
        "role": md["role"],
        "content": [{"type": "text", "text": hit.text}],
        "name": md.get("name"),
        "agent_id": agent_local,
        "created_at": md.get("created_at"),
    }
    if md.get("tool_calls"):
        entry["tool_calls"] = _openai_tool_calls(md["tool_calls"])
    if md.get("tool_call_id"):
        entry["tool_call_id"] = md["tool_call_id"]
    return entry


def _passage_entry(local: str, hit: SearchHit, vectors: bool) -> dict[str, Any]:
    md = hit.metadata
    entry: dict[str, Any] = {
        "id": local,
        "text": hit.text,
        "tags": list(md.get("tags") or []),
        "citation": {key: md.get(key) for key in CITATION_KEYS},
        # Everything else the record carries (chunk/page/heading, validity, trust, ...).
        "metadata": {k: v for k, v in md.items() if k not in _HIT_KEYS},
    }
    if vectors and md.get("vector") is not None:
        entry["vector"] = [float(x) for x in md["vector"]]
    return entry


#: Hit keys the store derives from its own state (validity, the guard's verdict): written to
#: the file so a reader sees them, recomputed on import rather than stored as metadata.
DERIVED_KEYS = (
    "superseded_by",
    "superseded_at",
    "superseded_reason",
    "supersedes",
    "untrusted",
    "guard_reasons",
    "quarantined",
    "approved",
    TRUST_KEY,
)


def _local_validity(passages: list[dict[str, Any]], record_ids: list[str]) -> None:
    """Point ``superseded_by`` at the file's passage ids (store ids are not exported) and drop
    the ``supersedes`` list, which the import rebuilds from ``superseded_by``."""
    local = {rid: p["id"] for rid, p in zip(record_ids, passages, strict=True)}
    for passage in passages:
        md = passage["metadata"]
        md.pop("supersedes", None)
        if md.get("superseded_by") is not None:
            md["superseded_by"] = local.get(md["superseded_by"])


def export_agent(
    memory: Memory,
    *,
    user_id: str,
    agent_id: str = DEFAULT_AGENT_ID,
    vectors: bool = False,
) -> dict[str, Any]:
    """One (user, agent)'s memory as an agent-file document (a JSON-ready dict).

    ``vectors`` includes each archival record's stored vector (large; only useful to an
    importer with the same embedding model, which then skips embedding).
    """
    check_id(user_id, "user_id")
    check_id(agent_id, "agent_id")
    agent_local = "agent-0"
    blocks = list(memory.core.get(user_id=user_id, agent_id=agent_id).values())
    block_entries: list[dict[str, Any]] = [
        {
            "id": f"block-{i}",
            "label": b.label,
            "value": b.value,
            "limit": b.limit,
            "description": b.description,
            "metadata": {},
            "read_only": False,
            "is_template": False,
            "template_name": None,
            "preserve_on_migration": False,
        }
        for i, b in enumerate(blocks)
    ]
    messages, places = [], {}
    for i, hit in enumerate(memory.recall.all_messages(user_id=user_id, agent_id=agent_id)):
        local = f"message-{i}"
        messages.append(_message_entry(local, hit, agent_local))
        places[local] = {"thread_id": hit.metadata["thread_id"], "turn": hit.metadata["turn"]}
    latest = places[f"message-{len(messages) - 1}"]["thread_id"] if messages else None
    in_context = [m for m, place in places.items() if place["thread_id"] == latest]
    records = list(
        memory.archival.records(user_id=user_id, agent_id=agent_id, with_vectors=vectors)
    )
    passages = [_passage_entry(f"passage-{i}", hit, vectors) for i, hit in enumerate(records)]
    _local_validity(passages, [hit.id for hit in records])
    embedder = memory.archival.embeddings
    model = None if embedder is None else embedder_identity(embedder)
    from langgraph_memgpt import __version__ as version

    created = now_iso()
    return {
        "agents": [
            {
                "id": agent_local,
                "name": agent_id,
                "agent_type": "memgpt_agent",
                "description": f"langgraph-memgpt memory of user {user_id}",
                "system": "",
                "block_ids": [b["id"] for b in block_entries],
                "tool_ids": [],
                "source_ids": [],
                "tags": [],
                "tool_rules": [],
                "metadata": {},
                "embedding_config": {
                    "embedding_model": model,
                    "embedding_dim": memory.archival.dim,
                    "embedding_endpoint_type": "local",
                },
                "messages": messages,
                "in_context_message_ids": in_context,
                "files_agents": [],
                "group_ids": [],
            }
        ],
        "blocks": block_entries,
        **{key: [] for key in LETTA_LISTS},
        "metadata": {
            "format": FORMAT,
            "schema_version": str(SCHEMA_VERSION),
            "exported_by": f"langgraph-memgpt {version}",
        },
        "created_at": created,
        EXTENSION: {
            "format": FORMAT,
            "schema_version": SCHEMA_VERSION,
            "user_id": user_id,
            "agent_id": agent_id,
            "exported_at": created,
            "embedding_model": model,
            "embedding_dim": memory.archival.dim,
            "messages": places,
            "archival": passages,
        },
    }


def write_json(document: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write a document atomically (a temporary file renamed into place)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(document, out, ensure_ascii=False, indent=1)
        os.replace(tmp, path)
    except OSError as exc:
        raise MemoryStoreError(f"cannot write {path}: {exc.strerror or exc}.") from exc
    return path


def export_to_file(
    memory: Memory,
    path: str | os.PathLike[str],
    *,
    user_id: str,
    agent_id: str = DEFAULT_AGENT_ID,
    vectors: bool = False,
) -> Path:
    """``export_agent`` written to ``path`` (JSON, UTF-8)."""
    document = export_agent(memory, user_id=user_id, agent_id=agent_id, vectors=vectors)
    return write_json(document, path)


# -- import ----------------------------------------------------------------------------------
@dataclass
class ImportReport:
    """What an import wrote (or, for a dry run, would write)."""

    user_id: str
    agent_id: str
    kind: str
    blocks: int
    messages: int
    archival: int
    dry_run: bool = False
    reembedded: bool = False
    skipped_archival: int = 0
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        what = "Letta agent file" if self.kind == "letta" else "agent file"
        lines = [
            f"{verb} {what} into user {self.user_id!r} (agent {self.agent_id!r}): "
            f"{self.blocks} core block(s), {self.messages} message(s), "
            f"{self.archival} archival record(s)"
        ]
        if self.skipped_archival:
            lines.append(f"{self.skipped_archival} archival record(s) were already there")
        lines += self.notes
        return "\n".join(lines)


def read_document(path: str | os.PathLike[str]) -> tuple[Any, str]:
    """The JSON of an agent file and the SHA-256 of its bytes."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise AgentFileError([f"is {size} bytes; at most {MAX_FILE_BYTES} are read"], str(path))
        data = path.read_bytes()
    except OSError as exc:
        raise MemoryStoreError(f"cannot read {path}: {exc.strerror or exc}.") from exc
    if not data.strip():
        raise AgentFileError(["is empty"], str(path))
    return loads(data, str(path)), hashlib.sha256(data).hexdigest()


def _has_memory(memory: Memory, user_id: str, agent_id: str) -> list[str]:
    """What the target already holds (nothing for a fresh user)."""
    held = []
    recall = memory.recall.count(user_id=user_id, agent_id=agent_id)
    archival = memory.archival.count(user_id=user_id, agent_id=agent_id)
    if recall:
        held.append(f"{recall} message(s)")
    if archival:
        held.append(f"{archival} archival record(s)")
    if memory.has_namespace(user_id=user_id, agent_id=agent_id):
        defaults = {b.label: b.value for b in DEFAULT_BLOCKS}
        blocks = memory.core.get(user_id=user_id, agent_id=agent_id)
        edited = [b.label for b in blocks.values() if defaults.get(b.label) != b.value]
        if edited:
            held.append(f"core block(s) {', '.join(edited)}")
    return held


def _lc_message(message: Message, new_id: str) -> BaseMessage:
    kwargs: dict[str, Any] = {}
    if message.created_at:
        kwargs["created_at"] = message.created_at
    kwargs["trust"] = IMPORTED_TRUST  # read by recall.append_messages
    common: dict[str, Any] = {"id": new_id, "additional_kwargs": kwargs, "name": message.name}
    if message.role == "user":
        return HumanMessage(content=message.content, **common)
    if message.role == "assistant":
        return AIMessage(content=message.content, tool_calls=message.tool_calls, **common)
    if message.role == "system":
        return SystemMessage(content=message.content, **common)
    return ToolMessage(content=message.content, tool_call_id=message.tool_call_id or "", **common)


def _runs(messages: list[Message]) -> Iterable[list[Message]]:
    """Consecutive messages of one thread and turn (one ``append_messages`` call each)."""
    run: list[Message] = []
    for message in messages:
        if run and (run[-1].thread_id, run[-1].turn) != (message.thread_id, message.turn):
            yield run
            run = []
        run.append(message)
    if run:
        yield run


def _passage_key(text: str, md: dict[str, Any]) -> tuple[Any, ...]:
    return (text, md.get("source"), md.get("created_at"), md.get("thread_id"))


def import_agent(
    memory: Memory,
    document: Any,
    *,
    user_id: str | None = None,
    agent_id: str | None = None,
    agent: str | None = None,
    dry_run: bool = False,
    digest: str | None = None,
    where: str = "the agent file",
) -> ImportReport:
    """Import a parsed agent-file document into ``memory`` (see the module docstring).

    ``user_id``/``agent_id`` name the target; by default the file's own (ours) or
    ``default-user``/the Letta agent's name. ``agent`` picks one agent of a multi-agent
    Letta file. Raises :class:`AgentFileError` (every problem) or ``MemoryStoreError``.
    """
    from langgraph_memgpt.configuration import DEFAULT_USER_ID

    plan = parse(document, agent=agent, where=where)
    target_user = user_id or plan.user_id or DEFAULT_USER_ID
    target_agent = (
        agent_id
        or plan.agent_id
        or (DEFAULT_AGENT_ID if plan.kind == "memgpt" else plan.agent_name)
    )
    check_id(target_user, "user_id")
    check_id(target_agent, "agent_id")
    if digest is None:
        digest = hashlib.sha256(
            json.dumps(document, sort_keys=True, default=str).encode("utf-8", "replace")
        ).hexdigest()
    log_key = _IMPORT_LOG.format(agent=target_agent, user=target_user)
    previous = memory.get_meta(log_key)
    resuming = previous is not None and json.loads(previous).get("sha256") == digest
    held = _has_memory(memory, target_user, target_agent)
    if held and not resuming:
        raise MemoryStoreError(
            f"user {target_user!r} (agent {target_agent!r}) already has memory in "
            f"{memory.location} ({', '.join(held)}); an import never overwrites or mixes into "
            "existing memory. Import into a new user (--user) or agent (--agent)."
        )
    report = ImportReport(
        target_user,
        target_agent,
        plan.kind,
        len(plan.blocks),
        len(plan.messages),
        len(plan.passages),
        dry_run=dry_run,
    )
    model = (
        None
        if memory.archival.embeddings is None
        else embedder_identity(memory.archival.embeddings)
    )
    has_vectors = bool(plan.passages) and all(p.vector is not None for p in plan.passages)
    use_vectors = has_vectors and model is not None and plan.embedding_model == model
    if plan.passages and model is not None and not use_vectors:
        report.reembedded = True
        why = (
            "the file has no vectors"
            if not has_vectors
            else f"the file's vectors are from {plan.embedding_model!r}"
        )
        report.notes.append(f"archival records are embedded with {model} ({why})")
    if plan.in_context:
        report.notes.append(
            f"{len(plan.in_context)} message(s) were in the agent's context; all messages go "
            "to recall memory, where conversation_search finds them"
        )
    if dry_run:
        return report
    memory.set_meta(
        log_key,
        json.dumps(
            {"sha256": digest, "state": "writing", "at": now_iso(), TRUST_KEY: IMPORTED_TRUST}
        ),
    )
    try:
        _write(memory, plan, report, target_user, target_agent, digest, use_vectors)
    except MemoryStoreError as exc:
        raise MemoryStoreError(
            f"the import stopped part way ({exc}); run the same import again to finish it."
        ) from exc
    memory.set_meta(
        log_key,
        json.dumps(
            {
                "sha256": digest,
                "state": "done",
                "at": now_iso(),
                TRUST_KEY: IMPORTED_TRUST,
                "kind": plan.kind,
                "blocks": [b.label for b in plan.blocks],
                "messages": len(plan.messages),
                "archival": len(plan.passages),
            }
        ),
    )
    return report


def _write(
    memory: Memory,
    plan: AgentPlan,
    report: ImportReport,
    user_id: str,
    agent_id: str,
    digest: str,
    use_vectors: bool,
) -> None:
    ident: dict[str, Any] = {"user_id": user_id, "agent_id": agent_id}
    if plan.blocks:
        memory.core.restore(plan.blocks, **ident)
    for run in _runs(plan.messages):
        lc = [
            _lc_message(
                m, str(uuid.uuid5(_ID_SPACE, f"{digest}/{agent_id}/{user_id}/{m.local_id}"))
            )
            for m in run
        ]
        memory.recall.append_messages(lc, thread_id=run[0].thread_id, turn=run[0].turn, **ident)
    already: dict[tuple[Any, ...], list[str]] = {}
    for hit in memory.archival.records(**ident):
        already.setdefault(_passage_key(hit.text, hit.metadata), []).append(hit.id)
    new_id: dict[str | None, str] = {}  # the file's passage id -> the stored record's id
    todo: list[Passage] = []
    for passage in plan.passages:
        stored = already.get(_passage_key(passage.text, passage.metadata))
        if stored:
            new_id[passage.local_id] = stored.pop(0)
            report.skipped_archival += 1
        else:
            todo.append(passage)
    # One insert per run of equal tags (tags are per call), in file order, in batches.
    start = 0
    while start < len(todo):
        end = start + 1
        while (
            end < len(todo) and end - start < ARCHIVAL_BATCH and todo[end].tags == todo[start].tags
        ):
            end += 1
        batch = todo[start:end]
        ids = memory.archival.insert_many(
            [p.text for p in batch],
            tags=batch[0].tags,
            metadatas=[_stored_metadata(p.metadata) for p in batch],
            vectors=[p.vector for p in batch] if use_vectors else None,
            trust=IMPORTED_TRUST,
            dedupe=False,  # a faithful copy: the file's records, as many as it holds
            **ident,
        )
        new_id.update(zip((p.local_id for p in batch), ids, strict=True))
        start = end
    _restore_validity(memory, plan.passages, new_id, ident)


def _stored_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """A passage's metadata without the keys the store derives itself (``DERIVED_KEYS``)."""
    return {k: v for k, v in metadata.items() if k not in DERIVED_KEYS}


def _restore_validity(
    memory: Memory, passages: list[Passage], new_id: dict[str | None, str], ident: dict[str, str]
) -> None:
    """Supersede each imported record the file says was superseded, by its (new) successor.

    Runs after every record is stored, so a successor later in the file is there; a record
    already superseded (a re-run of an interrupted import) is left as it is.
    """
    for passage in passages:
        by = passage.metadata.get("superseded_by")
        old, new = new_id.get(passage.local_id), new_id.get(by) if isinstance(by, str) else None
        if old is None or new is None:
            continue
        reason = str(passage.metadata.get("superseded_reason") or "superseded (imported)")
        try:
            memory.archival.supersede(old, by=new, reason=reason, **ident)
        except MemoryStoreError:
            continue  # already superseded: nothing to restore


def import_file(
    memory: Memory,
    path: str | os.PathLike[str],
    *,
    user_id: str | None = None,
    agent_id: str | None = None,
    agent: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """``import_agent`` of the agent file at ``path``."""
    document, digest = read_document(path)
    return import_agent(
        memory,
        document,
        user_id=user_id,
        agent_id=agent_id,
        agent=agent,
        dry_run=dry_run,
        digest=digest,
        where=str(path),
    )
