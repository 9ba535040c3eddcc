"""Export and import of agents' memory (core blocks, recall, archival, settings) as agent files.

``export_agent`` writes the document of ``agent_file/writing.py``; ``import_agent`` reads one
(ours, or a Letta ``.af`` in either layout) into a store. Import is careful because the file
may come from anywhere:

* **validate first**: the whole document is checked (``agent_file.parse_agents``) before
  anything is written, and every problem is reported at once; ``dry_run=True`` stops there;
* **several agents**: a file with several imports each under its own agent id (a slug of its
  name), or only the one ``agent`` names;
* **no overwriting**: each target (user, agent) must hold no memory yet. Re-running the *same*
  file into the target it was imported into completes an interrupted import and adds nothing
  twice (message ids are derived from the file's hash; archival records already there are
  skipped);
* **new ids**: file-local ids (``block-0``, ``message-3``) are never stored;
* **nothing invented, nothing run**: the agent gets exactly the file's blocks (no default
  ``persona``/``human``); its tools, system prompt and settings are stored as data
  (``agent_file/profile.py``) and never executed;
* **lowest trust**: imported archival records and recall messages are stored with the guard's
  lowest trust tier (``IMPORTED_TRUST``), so hits show ``metadata[TRUST_KEY]`` and the guard
  scans them; the store's import log records the import;
* **same vector space**: vectors in the file are used only when they come from the store's
  own embedding model; otherwise the text is embedded again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langgraph_memgpt.memory._validate import check_id, now_iso
from langgraph_memgpt.memory.guard import policy as guard_policy
from langgraph_memgpt.memory.io.agent_file import AgentFileError, AgentPlan, loads, parse_agents
from langgraph_memgpt.memory.io.agent_file.storing import write_agent
from langgraph_memgpt.memory.io.agent_file.writing import export_agent, export_to_file, write_json
from langgraph_memgpt.memory.search.embeddings import embedder_identity
from langgraph_memgpt.memory.tiers.core import DEFAULT_BLOCKS
from langgraph_memgpt.memory.types import DEFAULT_AGENT_ID, MemoryStoreError

if TYPE_CHECKING:
    from langgraph_memgpt.memory.memory import Memory

__all__ = [
    "IMPORTED_TRUST",
    "TRUST_KEY",
    "ImportReport",
    "export_agent",
    "export_to_file",
    "import_agent",
    "import_file",
    "read_document",
    "slug",
    "targets_of",
    "write_json",
]

#: Imported text is the least trusted tier of the poisoning guard (``guard_policy``): archival
#: records and recall messages alike are stored with it (and scanned), whatever the file says.
TRUST_KEY = "trust"
IMPORTED_TRUST = guard_policy.EXTERNAL
MAX_FILE_BYTES = 1024 * 1024 * 1024
_IMPORT_LOG = "import/{agent}/{user}"


@dataclass
class ImportReport:
    """What an import wrote (or, for a dry run, would write) for one agent; ``also`` holds
    the reports of the other agents of a file that had several."""

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
    name: str = ""
    tools: int = 0
    also: list[ImportReport] = field(default_factory=list)

    @property
    def agents(self) -> list[ImportReport]:
        """Every agent's report, this one first."""
        return [self, *self.also]

    def _lines(self) -> list[str]:
        verb = "would import" if self.dry_run else "imported"
        what = "Letta agent file" if self.kind == "letta" else "agent file"
        named = f" {self.name!r}" if self.name and self.name != self.agent_id else ""
        lines = [
            f"{verb} {what}{named} into user {self.user_id!r} (agent {self.agent_id!r}): "
            f"{self.blocks} core block(s), {self.messages} message(s), "
            f"{self.archival} archival record(s), {self.tools} tool(s) as data"
        ]
        if self.skipped_archival:
            lines.append(f"{self.skipped_archival} archival record(s) were already there")
        return lines + self.notes

    def __str__(self) -> str:
        head = []
        if self.also:
            ids = ", ".join(repr(r.agent_id) for r in self.agents)
            head = [f"the file holds {len(self.agents)} agents; each gets its own id: {ids}"]
        return "\n".join(head + [line for r in self.agents for line in r._lines()])


def slug(name: str) -> str:
    """An agent id made from a name: ASCII lower case, runs of other characters as ``-``
    (``Évie 2`` -> ``evie-2``)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9_]+", "-", ascii_name.lower()).strip("-")[:64]
    return text or "agent"


def read_document(path: str | os.PathLike[str]) -> tuple[Any, str]:
    """The JSON of an agent file (decoded twice if it was encoded twice) and the SHA-256 of
    its bytes."""
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
    """What the target already holds (nothing for a fresh user); reads only."""
    if not memory.has_namespace(user_id=user_id, agent_id=agent_id):
        return []
    held = []
    recall = memory.recall.count(user_id=user_id, agent_id=agent_id)
    archival = memory.archival.count(user_id=user_id, agent_id=agent_id)
    if recall:
        held.append(f"{recall} message(s)")
    if archival:
        held.append(f"{archival} archival record(s)")
    defaults = {b.label: b.value for b in DEFAULT_BLOCKS}
    blocks = memory.core.get(user_id=user_id, agent_id=agent_id)
    edited = [b.label for b in blocks.values() if defaults.get(b.label) != b.value]
    if edited:
        held.append(f"core block(s) {', '.join(edited)}")
    return held


def targets_of(
    plans: list[AgentPlan], user_id: str | None, agent_id: str | None
) -> list[tuple[str, str]]:
    """(user, agent) each plan goes to: the caller's, the file's own (ours), else a slug of
    the agent's name, made unique within the file."""
    from langgraph_memgpt.configuration import DEFAULT_USER_ID

    if agent_id is not None and len(plans) > 1:
        names = ", ".join(repr(p.agent_name) for p in plans)
        raise MemoryStoreError(
            f"the file holds {len(plans)} agents ({names}) and agent_id names one target; pick "
            "one agent of the file (--from-agent NAME), or leave the agent id out to import "
            "each under a slug of its name."
        )
    out: list[tuple[str, str]] = []
    for plan in plans:
        user = user_id or plan.user_id or DEFAULT_USER_ID
        agent = agent_id or plan.agent_id
        if agent is None:
            agent = DEFAULT_AGENT_ID if plan.kind == "memgpt" else slug(plan.agent_name)
        base, n = agent, 2
        while (user, agent) in out:
            agent, n = f"{base}-{n}", n + 1
        check_id(user, "user_id")
        check_id(agent, "agent_id")
        out.append((user, agent))
    return out


def _report(memory: Memory, plan: AgentPlan, user: str, agent: str, dry_run: bool) -> Any:
    report = ImportReport(
        user,
        agent,
        plan.kind,
        len(plan.blocks),
        len(plan.messages),
        len(plan.passages),
        dry_run=dry_run,
        name=plan.agent_name,
        tools=len(plan.profile.get("tools", [])),
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
    report.notes += plan.warnings
    if plan.in_context:
        report.notes.append(
            f"{len(plan.in_context)} message(s) were in the agent's context; a new thread of "
            "this agent starts from them, and conversation_search finds every message"
        )
    if plan.skipped:
        report.notes.append(f"{plan.skipped} approval message(s) hold no text: left out")
    return report, use_vectors


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
    ``default-user`` and a slug of the Letta agent's name. ``agent`` picks one agent (by name
    or file id) of a file that holds several; without it each is imported. Raises
    :class:`AgentFileError` (every problem) or ``MemoryStoreError``.
    """
    plans = parse_agents(document, agent=agent, where=where)
    targets = targets_of(plans, user_id, agent_id)
    if digest is None:
        digest = hashlib.sha256(
            json.dumps(document, sort_keys=True, default=str).encode("utf-8", "replace")
        ).hexdigest()
    resuming = {}
    for user, target in targets:
        previous = memory.get_meta(_IMPORT_LOG.format(agent=target, user=user))
        resuming[user, target] = (
            previous is not None and json.loads(previous).get("sha256") == digest
        )
        held = _has_memory(memory, user, target)
        if held and not resuming[user, target]:
            raise MemoryStoreError(
                f"user {user!r} (agent {target!r}) already has memory in {memory.location} "
                f"({', '.join(held)}); an import never overwrites or mixes into existing "
                "memory. Import into a new user (--user) or agent (--agent)."
            )
    reports = []
    for plan, (user, target) in zip(plans, targets, strict=True):
        report, use_vectors = _report(memory, plan, user, target, dry_run)
        reports.append(report)
        if not dry_run:
            _import_one(memory, plan, report, digest, use_vectors)
    first = reports[0]
    first.also = reports[1:]
    return first


def _import_one(
    memory: Memory, plan: AgentPlan, report: ImportReport, digest: str, use_vectors: bool
) -> None:
    log_key = _IMPORT_LOG.format(agent=report.agent_id, user=report.user_id)
    log = {"sha256": digest, "at": now_iso(), TRUST_KEY: IMPORTED_TRUST}
    memory.set_meta(log_key, json.dumps({**log, "state": "writing"}))
    try:
        report.skipped_archival = write_agent(
            memory,
            plan,
            user_id=report.user_id,
            agent_id=report.agent_id,
            digest=digest,
            use_vectors=use_vectors,
            trust=IMPORTED_TRUST,
        )
    except MemoryStoreError as exc:
        raise MemoryStoreError(
            f"the import stopped part way ({exc}); run the same import again to finish it."
        ) from exc
    done = {
        **log,
        "state": "done",
        "kind": plan.kind,
        "name": plan.agent_name,
        "blocks": [b.label for b in plan.blocks],
        "messages": len(plan.messages),
        "archival": len(plan.passages),
    }
    memory.set_meta(log_key, json.dumps(done))


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
