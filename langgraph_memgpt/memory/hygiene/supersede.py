"""Deciding what a new fact does to older ones, and applying it safely: two deciders, one applier.

A decider sees a new record and the most similar *older, current* records, numbered 0..k-1
(small integers instead of real ids, as in Mem0's update prompt: a model copies "2" reliably,
a UUID not), and proposes operations:

* ``add``: the new record is a fact of its own (nothing to do: it is already stored);
* ``supersede`` ``id``: the new record replaces that older one (same subject and attribute,
  new value): the older one is kept, hidden from default search, with the time and reason;
* ``noop`` ``id``: the new record restates that older one: the newer copy is merged into it
  (superseded by it), so a restatement is not shown twice.

:class:`RuleDecider` decides offline from similarity plus subject/slot matching
(``claims.py``); :class:`ModelDecider` asks a chat model. :func:`apply_proposals` is the one
applier: it rejects ids the decider was not shown and unknown operations, turns a ``delete``
the user did not ask for into a supersede (Mem0's hard deletes lost data: mem0 issues 1674,
1750, 4536), and goes through ``ArchivalMemory.supersede``, which writes the history.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from langgraph_memgpt.memory.backends.validity import normalise
from langgraph_memgpt.memory.hygiene.slot_similarity import NewValueSignal
from langgraph_memgpt.memory.hygiene.value_kinds import kinds_agree
from langgraph_memgpt.memory.text.claims import (
    MULTI_VALUED,
    Claim,
    parse_claim,
    restates_unread,
    same_value,
)
from langgraph_memgpt.memory.types import DEFAULT_AGENT_ID, MemoryStoreError, SearchHit

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from langgraph_memgpt.memory.tiers.archival import ArchivalMemory

logger = logging.getLogger(__name__)

OPERATIONS = ("add", "supersede", "noop", "delete")


@dataclass(frozen=True)
class Proposal:
    """One operation a decider proposes; ``target`` is the small integer id it was shown."""

    op: str
    target: int | None = None
    reason: str = ""


class Decider(Protocol):
    def decide(self, new: str, older: Sequence[str]) -> list[Proposal]:
        """Operations for the new text against ``older`` (index = small id)."""
        ...


# -- the offline decider ------------------------------------------------------------------------
_STOP = frozenset(
    re.findall(
        r"\w+",
        "a an the is are am was were be been to of in on at for and or but that this it its i "
        "my me we our you your he she they his her their really very just also so as now still "
        "again actually currently",
    )
)


def _content(text: str) -> frozenset[str]:
    return frozenset(w.rstrip("s") for w in normalise(text).split() if w not in _STOP)


_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")


def _numbers(text: str) -> frozenset[str]:
    """The numbers a text states. Two texts about one subject and slot whose numbers differ do
    not say the same thing, whatever the reader took as their value: a value read short ("is
    on" of "is on May 10") must not turn a corrected date into a restatement of the old one."""
    return frozenset(_NUMBER.findall(text))


def _same_favourite(a: Claim, b: Claim) -> bool:
    """ "Loves orange most of all" (a favourite of unnamed kind) and "favourite colour is
    orange": the same value is a restatement; a different one changes nothing, the kind
    being unknown."""
    slots = {a.slot, b.slot}
    return (
        a.subject == b.subject
        and "attr:favourite" in slots
        and all(slot.startswith("attr:favourite") for slot in slots)
        and not (a.past or b.past or a.negated or b.negated)
        and same_value(a.value, b.value)
    )


class RuleDecider:
    """Supersede only when both texts are read as claims about the same subject and slot
    with a different value; restatement when the claim (or the content words) are equal;
    otherwise add. A text the patterns cannot read never supersedes anything."""

    #: Older records shown per decision: cheap here, so many (a person's older fact can rank
    #: below other people's facts of the same kind).
    candidates = 20

    def __init__(
        self,
        reader: Callable[[str], Claim | None] = parse_claim,
        *,
        similarity: NewValueSignal | None = None,
    ) -> None:
        self.reader = reader  # claims.parse_claim; the benchmark compares other readers
        #: Optional second signal where the reader cannot read the new text (off by default).
        self.similarity = similarity

    def decide(self, new: str, older: Sequence[str]) -> list[Proposal]:
        parse_claim = self.reader
        proposals: list[Proposal] = []
        claim = parse_claim(new)
        words = _content(new)
        for i, text in enumerate(older):
            if normalise(text) == normalise(new) or (words and _content(text) == words):
                proposals.append(Proposal("noop", i, "same text"))
                continue
            old = parse_claim(text)
            if claim is None and old is not None and restates_unread(new, old):
                proposals.append(Proposal("noop", i, f"restates {old.slot}"))
                continue
            if claim is None and old is not None and self.similarity is not None:
                if self.similarity.new_value(new, text, old):
                    proposals.append(Proposal("supersede", i, f"{old.slot} by similarity"))
                continue
            if claim is None or old is None:
                continue
            if (old.subject, old.slot) != (claim.subject, claim.slot):
                if _same_favourite(claim, old):
                    proposals.append(Proposal("noop", i, f"restates {old.slot}"))
                continue  # another subject or another relation: never touched
            if claim.past or old.past:
                if (
                    claim.past == old.past
                    and claim.negated == old.negated
                    and same_value(old.value, claim.value)
                ):
                    proposals.append(Proposal("noop", i, "restates a past fact"))
                continue
            if same_value(old.value, claim.value) and _numbers(text) == _numbers(new):
                if claim.negated != old.negated:
                    proposals.append(Proposal("supersede", i, f"no longer true: {claim.slot}"))
                else:
                    proposals.append(Proposal("noop", i, f"restates {claim.slot}"))
            elif claim.restated and not claim.update:
                continue  # "still lives in Porto" against "lives in Lisbon": unclear, no change
            elif (
                not claim.negated
                and not old.negated
                and claim.slot not in MULTI_VALUED
                and kinds_agree(text, old.value, new, claim.value)
            ):
                proposals.append(
                    Proposal("supersede", i, f"{claim.slot} changed: {old.value} -> {claim.value}")
                )
        return proposals or [Proposal("add")]


# -- the model decider ------------------------------------------------------------------------
DECIDE_PROMPT = """You keep a user's long-term memory free of stale and repeated facts.
A NEW fact was just saved. Below are OLDER saved facts, each with a small integer id.
For the NEW fact, list the operations to apply, as JSON:
{{"operations": [{{"op": "add" | "supersede" | "noop", "id": <older id or null>, "reason": "..."}}]}}

- "supersede" id: the NEW fact replaces that OLDER fact: the same attribute of the same
  subject now has another value (moved, changed job, new favourite ...). The older fact is kept
  in history, hidden from search.
- "noop" id: the NEW fact says the same as that OLDER fact (a restatement).
- "add": the NEW fact is about something else. Use it when in doubt.
Never supersede a fact about another person or thing ("Maya's brother lives in Porto" does not
replace "Maya lives in Lisbon"), another relation ("works in" is not "lives in"), or a past fact
("used to live in ..."). Only use ids listed below. Answer with the JSON only.

OLDER facts:
{older}

NEW fact: {new}
"""


class ModelDecider:
    """Mem0-style decision step with a real chat model: the new fact plus the most similar
    older ones, small integer ids, add / supersede / noop as JSON. A reply that is not valid
    JSON decides "add" (nothing changes)."""

    #: Older records shown per decision (Mem0 shows a handful): each costs prompt tokens.
    candidates = 6

    def __init__(self, model: BaseChatModel, *, fallback: Decider | None = None) -> None:
        self.model = model
        #: Decides when the model fails (a network error, a refusal): the rule decider.
        self.fallback: Decider = fallback or RuleDecider()

    def prompt(self, new: str, older: Sequence[str]) -> str:
        listed = "\n".join(f"{i}: {text}" for i, text in enumerate(older)) or "(none)"
        return DECIDE_PROMPT.format(older=listed, new=new)

    def decide(self, new: str, older: Sequence[str]) -> list[Proposal]:
        from langchain_core.messages import HumanMessage

        try:
            reply = self.model.invoke([HumanMessage(content=self.prompt(new, older))])
        except Exception as exc:  # noqa: BLE001 - any model failure: the rules decide
            logger.warning("decider model failed (%s); the rule decider decides", exc)
            return self.fallback.decide(new, older)
        return parse_operations(str(getattr(reply, "content", reply)))


def parse_operations(text: str) -> list[Proposal]:
    """The operations of a model's reply (JSON, possibly in a code fence); [] when unreadable."""
    match = re.search(r"\{.*\}|\[.*\]", text, re.DOTALL)
    if match is None:
        return []
    try:
        data: Any = json.loads(match.group(0))
    except ValueError:
        logger.warning("decider reply is not JSON: %.200s", text)
        return []
    items = data.get("operations", data.get("memory", [])) if isinstance(data, dict) else data
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        op = str(item.get("op", item.get("event", ""))).strip().lower()
        raw = item.get("id")
        target: int | None
        try:
            target = None if raw in (None, "", "null") else int(raw)
        except (TypeError, ValueError):
            target = -1  # an id that is not a small integer: rejected by the applier
        out.append(Proposal(op, target, str(item.get("reason", ""))[:300]))
    return out


# -- the applier ------------------------------------------------------------------------------
@dataclass
class Applied:
    """What :func:`apply_proposals` did: changes made and proposals refused (with why)."""

    superseded: list[tuple[str, str]] = field(default_factory=list)  # (old id, by id)
    merged_into: str | None = None  # the new record restated this one (and was merged)
    deleted: list[str] = field(default_factory=list)
    rejected: list[tuple[Proposal, str]] = field(default_factory=list)


def apply_proposals(
    archival: ArchivalMemory,
    new_id: str,
    older: Sequence[SearchHit],
    proposals: Sequence[Proposal],
    *,
    user_id: str,
    agent_id: str = DEFAULT_AGENT_ID,
    allow_delete: bool = False,
    actor: str = "decider",
) -> Applied:
    """Validate a decider's proposals and apply them through the archival tier.

    Unknown operations and ids outside ``0..len(older)-1`` are rejected. A restatement is
    applied first (the new record is merged into the older one, which stays current), so
    any supersede then names the record that stayed. ``delete`` removes a record only with
    ``allow_delete`` (the user asked to forget it); otherwise it becomes a supersede.
    """
    out = Applied()
    valid: list[Proposal] = []
    for proposal in proposals:
        if proposal.op not in OPERATIONS:
            out.rejected.append((proposal, f"unknown operation {proposal.op!r}"))
        elif proposal.op == "add":
            continue
        elif proposal.target is None or not 0 <= proposal.target < len(older):
            out.rejected.append((proposal, f"unknown id {proposal.target!r}"))
        else:
            valid.append(proposal)
    current = new_id
    noops = [p for p in valid if p.op == "noop"]
    if noops:
        keep = older[noops[0].target or 0]
        try:
            archival.supersede(
                new_id,
                by=keep.id,
                reason=f"restates an earlier record ({noops[0].reason or 'same fact'})",
                user_id=user_id,
                agent_id=agent_id,
                actor=actor,
            )
            out.merged_into = current = keep.id
        except MemoryStoreError as exc:
            out.rejected.append((noops[0], str(exc)))
        out.rejected.extend((p, "one restatement is enough") for p in noops[1:])
    done: set[int] = set()
    for proposal in valid:
        if proposal.op == "noop" or proposal.target in done:
            continue
        assert proposal.target is not None
        target = older[proposal.target]
        if target.id == current:
            out.rejected.append((proposal, "would supersede the record that stays current"))
            continue
        done.add(proposal.target)
        try:
            if proposal.op == "delete" and allow_delete:
                archival.delete(
                    target.id, user_id=user_id, agent_id=agent_id, reason=proposal.reason
                )
                out.deleted.append(target.id)
                continue
            reason = proposal.reason or "replaced by a newer record"
            if proposal.op == "delete":
                reason = f"delete not requested by the user, superseded instead: {reason}"
            archival.supersede(
                target.id,
                by=current,
                reason=reason,
                user_id=user_id,
                agent_id=agent_id,
                actor=actor,
            )
            out.superseded.append((target.id, current))
        except MemoryStoreError as exc:
            out.rejected.append((proposal, str(exc)))
    return out


def older_similar(
    archival: ArchivalMemory,
    record: SearchHit,
    *,
    user_id: str,
    agent_id: str = DEFAULT_AGENT_ID,
    k: int = 6,
) -> list[SearchHit]:
    """The current records most similar to ``record`` that are older than it (by their
    time): the only ones it may supersede or restate."""
    try:
        hits = archival.search(record.text[:2000], user_id=user_id, agent_id=agent_id, k=k + 1)
    except MemoryStoreError:
        return []
    when = str(record.metadata.get("created_at") or "")
    return [
        hit
        for hit in hits
        if hit.id != record.id and str(hit.metadata.get("created_at") or "") < when
    ][:k]


def settle_record(
    archival: ArchivalMemory,
    record: SearchHit,
    decider: Decider,
    *,
    user_id: str,
    agent_id: str = DEFAULT_AGENT_ID,
    k: int | None = None,
    actor: str = "consolidation",
) -> Applied:
    """Decide and apply one stored record against the older similar ones (``k`` of them, by
    default the decider's ``candidates``)."""
    k = k if k is not None else int(getattr(decider, "candidates", 6))
    older = older_similar(archival, record, user_id=user_id, agent_id=agent_id, k=k)
    if not older:
        return Applied()
    proposals = decider.decide(record.text, [hit.text for hit in older])
    return apply_proposals(
        archival, record.id, older, proposals, user_id=user_id, agent_id=agent_id, actor=actor
    )
