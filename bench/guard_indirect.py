"""Training rows for the guard's learned score: attacks set inside ordinary tool data.

Most labelled attacks of the training corpora stand alone ("Ignore your instructions and
..."); in an agent's memory they arrive inside an e-mail, a web page or a file. Each short
attack of a training source is placed, as BIPIA places its attacks, before, in the middle of
or after a benign text of agentdojo's task environments or of the installed packages'
descriptions, trimmed so that the whole is one scoring window. The row keeps the *attack's*
source (leave-one-source-out leaves it out with its source) and says ``channel="indirect"``.
The benign hosts are benign rows in their own right, so what the model can learn from the pair
is the planted order, not the host's words.

Which writer is whose (``WRITER``): the benign texts of spikee (questions) and agentdojo (user
tasks that name tools, send e-mails and pay bills) are what a user types to the agent; the
other benign sources are documents and tool output. The guard's threshold is chosen per
writer on these groups (``guard_train.thresholds_for``).
"""

from __future__ import annotations

import random
from typing import Any

#: Sources whose benign rows a user types to the agent (the rest are documents).
USER_TYPED = frozenset({"spikee", "agentdojo"})
#: Attacks written as chat jailbreaks, not planted in data: not set inside documents.
NOT_PLANTED = frozenset({"pyrit"})
#: Longest attack and whole composite (characters): one scoring window.
MAX_ATTACK = 360
MAX_TOTAL = 580


def writer(row: dict[str, Any]) -> str:
    """``user`` for text a user types to the agent, ``external`` for documents."""
    return "user" if row["package"] in USER_TYPED else "external"


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
