"""Structure-based augmentation of the guard's training rows (``bench/guard_train.py``).

Phrase lists teach the learned score the phrasings we thought of; these transformations teach
it what does not change an attack: where it sits and how it is spelled. Every augmented row is
made from rows of *one* source and keeps that source, so leave-one-source-out leaves it out
with its source (no text of a left-out source reaches its own fold's training).

- **Obfuscation** (``obfuscate``): an attack row, and at the same rate a benign row of the same
  source (an obfuscation alone must not be what flags a text), rewritten one way:
  ``base64`` and ``hex`` (which the guard decodes: the row trains on the decoded text),
  ``homoglyphs`` (Cyrillic and Greek look-alikes for some Latin letters; NFKC does not fold
  them), ``zero_width`` (zero-width spaces inside words; the guard strips them), ``spacing``
  (letters spaced or dotted: the guard rejoins them), ``leet`` (digits and symbols for
  letters, some the guard's de-leeting does not undo) and ``typos`` (letters swapped, dropped
  or doubled). Case noise is not generated: the features are lower-cased, so it would only copy
  rows. ROT13 is not either: the guard does not decode it.
- **Planting** (``carried``): an unencoded attack of at most ``MAX_ATTACK`` characters is set at
  a random sentence boundary inside a benign *carrier*, a tool output of one of the shapes in
  ``CARRIERS`` (e-mail, web page, search results, code comment, API JSON, ticket, calendar
  entry, CSV rows, PDF page, chat log) whose body is filler: sentences of benign rows of the
  same source, or, for a source without benign rows, the neutral sentences of ``FILLER``. Each
  planted row comes with its twin: the same carrier and filler without the attack, labelled
  benign, so the carrier's shape and filler carry no label and only the planted order can.
  Composites fit one scoring window (``MAX_TOTAL`` characters).

Rows from ``NOT_PLANTED`` sources (pyrit's chat jailbreaks, templates of many paragraphs) are
obfuscated but not planted.
"""

from __future__ import annotations

import base64
import json
import random
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

MAX_ATTACK = 360
MAX_TOTAL = 580
NOT_PLANTED = frozenset({"pyrit"})
#: Share of a source's rows (each label) given one obfuscated copy.
OBFUSCATE_SHARE = 0.5
#: Share of a source's short attacks planted in a carrier (each with its benign twin).
PLANT_SHARE = 1.0

# -- obfuscations ----------------------------------------------------------------------------
_HOMOGLYPHS = {
    "a": "а",
    "c": "с",
    "e": "е",
    "i": "і",
    "o": "о",
    "p": "р",
    "s": "ѕ",
    "x": "х",
    "y": "у",
    "A": "Α",
    "B": "Β",
    "E": "Ε",
    "H": "Η",
    "O": "Ο",
    "T": "Τ",
}
_LEET = {"a": "4@", "e": "3€", "i": "1!|", "o": "0", "s": "5$", "t": "7+", "l": "1|", "g": "9"}


def _homoglyphs(text: str, rng: random.Random) -> str:
    share = rng.uniform(0.3, 0.8)
    return "".join(_HOMOGLYPHS[c] if c in _HOMOGLYPHS and rng.random() < share else c for c in text)


def _zero_width(text: str, rng: random.Random) -> str:
    mark = rng.choice(["\u200b", "\u200c", "\u2060", "\ufeff"])
    return " ".join(
        mark.join(w) if len(w) > 3 and w.isalpha() and rng.random() < 0.6 else w
        for w in text.split(" ")
    )


def _spacing(text: str, rng: random.Random) -> str:
    sep = rng.choice([" ", ".", "-", "_", "*"])
    return " ".join(
        sep.join(w) if len(w) > 4 and w.isalpha() and rng.random() < 0.7 else w
        for w in text.split(" ")
    )


def _leet(text: str, rng: random.Random) -> str:
    share = rng.uniform(0.4, 0.9)
    return "".join(
        rng.choice(_LEET[c.lower()]) if c.lower() in _LEET and rng.random() < share else c
        for c in text
    )


def _typos(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    for i, w in enumerate(words):
        if len(w) < 4 or not w.isalpha() or rng.random() > 0.25:
            continue
        j = rng.randrange(1, len(w) - 1)
        kind = rng.randrange(3)
        if kind == 0:
            w = w[: j - 1] + w[j] + w[j - 1] + w[j + 1 :]
        elif kind == 1:
            w = w[:j] + w[j + 1 :]
        else:
            w = w[:j] + w[j] + w[j:]
        words[i] = w
    return " ".join(words)


def _base64(text: str, rng: random.Random) -> str:
    lead = rng.choice(["", "Decode this: ", "payload=", "data:text/plain;base64,", "b64 "])
    return lead + base64.b64encode(text.encode()).decode()


def _hex(text: str, rng: random.Random) -> str:
    lead = rng.choice(["", "hex: ", "0x", "bytes "])
    return lead + text.encode().hex()


#: Obfuscations the guard decodes: the row is trained on what the guard decodes.
DECODED = {"base64": _base64, "hex": _hex}
#: Obfuscations the model must see through itself (or the guard partly undoes).
SURFACE = {
    "homoglyphs": _homoglyphs,
    "zero_width": _zero_width,
    "spacing": _spacing,
    "leet": _leet,
    "typos": _typos,
}
OBFUSCATIONS: dict[str, Callable[[str, random.Random], str]] = {**DECODED, **SURFACE}


def obfuscate(row: dict[str, Any], name: str, rng: random.Random) -> dict[str, Any]:
    """A copy of ``row`` rewritten by obfuscation ``name``; decoded ones say ``encoding``
    (trained on their decoded variants, as the suite's encoded rows are)."""
    out = {**row, "text": OBFUSCATIONS[name](row["text"], rng), "augmented": f"obfuscated:{name}"}
    if name in DECODED:
        out["encoding"] = name
    return out


# -- carriers --------------------------------------------------------------------------------
#: Neutral sentences for the carriers of a source without benign rows of its own.
FILLER = [
    "The shipment left the warehouse on Tuesday and should arrive within three working days.",
    "Attendance was lower than last year, mostly because of the weather.",
    "The library extends its opening hours during the exam period.",
    "Our team finished the migration ahead of schedule.",
    "Prices for the spring season are listed in the attached table.",
    "Parking is available behind the main building after 6 pm.",
    "The new version improves battery life and fixes several small bugs.",
    "Minutes of the last meeting were approved without changes.",
    "The museum's east wing reopens in March after renovation.",
    "Volunteers are welcome to join the beach clean-up on Saturday morning.",
    "The quarterly figures show a small rise in online sales.",
    "Delivery times may vary during public holidays.",
    "The bridge will be closed to cars for two nights next week.",
    "Tickets can be exchanged up to 24 hours before the performance.",
    "The recipe serves four and takes about forty minutes.",
    "Rainfall this month was close to the long-term average.",
]
_NAMES = ["Mara Quist", "Daniel Oyelowo", "Keiko Aoyama", "Luis Ferreira", "Anja Novak"]
_DOMAINS = ["northwind.example", "lakeside-co.example", "brightpath.example", "ortega.example"]


def _email(body: list[str], rng: random.Random) -> str:
    name = rng.choice(_NAMES)
    user = name.split()[0].lower()
    subject = rng.choice(["Update", "Re: next steps", "Weekly notes", "Your request", "FYI"])
    return (
        f"From: {name} <{user}@{rng.choice(_DOMAINS)}>\nSubject: {subject}\n\n"
        f"Hi,\n\n{' '.join(body)}\n\nBest regards,\n{name.split()[0]}"
    )


def _web_page(body: list[str], rng: random.Random) -> str:
    title = rng.choice(["News", "Help center", "Product page", "Blog", "About us"])
    paras = "".join(f"<p>{s}</p>" for s in body)
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{paras}</body></html>"


def _search(body: list[str], rng: random.Random) -> str:
    return "\n".join(f"{i}. {rng.choice(_DOMAINS)} — {s}" for i, s in enumerate(body, start=1))


def _code(body: list[str], rng: random.Random) -> str:
    mark = rng.choice(["#", "//", "--"])
    lines = [f"{mark} {s}" for s in body]
    return "\n".join([*lines, rng.choice(["x = load()", "return result;", "SELECT 1;"])])


def _json(body: list[str], rng: random.Random) -> str:
    field = rng.choice(["description", "message", "notes", "body", "summary"])
    record = {"id": rng.randrange(1000, 99999), "status": "ok", field: " ".join(body)}
    return json.dumps(record, ensure_ascii=False)


def _ticket(body: list[str], rng: random.Random) -> str:
    return f"Ticket #{rng.randrange(100, 9999)} (open)\nReporter: {rng.choice(_NAMES)}\n\n" + (
        "\n".join(body)
    )


def _calendar(body: list[str], rng: random.Random) -> str:
    return (
        f"BEGIN:VEVENT\nSUMMARY:{rng.choice(['Review', 'Sync', 'Visit', 'Planning'])}\n"
        f"DTSTART:2026{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}T0900\n"
        f"DESCRIPTION:{' '.join(body)}\nEND:VEVENT"
    )


def _csv(body: list[str], rng: random.Random) -> str:
    rows = [f'{i},"{s}"' for i, s in enumerate(body, start=1)]
    return "\n".join(["id,comment", *rows])


def _pdf(body: list[str], rng: random.Random) -> str:
    return f"Page {rng.randrange(1, 40)} of 40\n" + " ".join(body)


def _chat(body: list[str], rng: random.Random) -> str:
    return "\n".join(
        f"[{9 + i:02d}:{rng.randrange(60):02d}] {rng.choice(_NAMES).split()[0].lower()}: {s}"
        for i, s in enumerate(body)
    )


CARRIERS: dict[str, Callable[[list[str], random.Random], str]] = {
    "email": _email,
    "web_page": _web_page,
    "search_result": _search,
    "code_comment": _code,
    "api_json": _json,
    "ticket": _ticket,
    "calendar": _calendar,
    "csv": _csv,
    "pdf_text": _pdf,
    "chat_log": _chat,
}
_SENTENCE_RE = re.compile(r"(?<=[.!?。！？])\s+|\n+")


def _sentences(texts: list[str]) -> list[str]:
    out = []
    for text in texts:
        for s in _SENTENCE_RE.split(text):
            s = " ".join(s.split())
            if 20 <= len(s) <= 200:
                out.append(s)
    return out


def _filler(pool: list[str], room: int, rng: random.Random) -> list[str]:
    body: list[str] = []
    for _ in range(rng.randint(1, 4)):
        s = rng.choice(pool)
        if sum(len(b) + 1 for b in body) + len(s) > room:
            break
        body.append(s)
    return body or [rng.choice(pool)[:room]]


def carried(
    attack: dict[str, Any], pool: list[str], rng: random.Random
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The attack planted in a carrier, and the same carrier without it (benign)."""
    name = rng.choice(list(CARRIERS))
    body = _filler(pool, MAX_TOTAL - 140 - len(attack["text"]), rng)
    planted = list(body)
    planted.insert(rng.randint(0, len(body)), " ".join(attack["text"].split()))
    seed = rng.random()
    shape = CARRIERS[name]
    common = {k: v for k, v in attack.items() if k not in ("text", "family", "label")}
    common["trust"] = "external"  # a tool output, whoever wrote the planted sentence
    return (
        {
            **common,
            "text": shape(planted, random.Random(seed)),
            "label": "attack",
            "family": attack["family"],
            "channel": name,
            "augmented": f"planted:{name}",
        },
        {
            **common,
            "text": shape(body, random.Random(seed)),
            "label": "benign",
            "family": None,
            "channel": name,
            "augmented": f"carrier:{name}",
        },
    )


def augment(rows: list[dict[str, Any]], seed: int = 24) -> list[dict[str, Any]]:
    """The augmented rows of ``rows`` (not the rows themselves), each made within one
    source and keeping it."""
    rng = random.Random(seed)
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if not row.get("augmented"):
            by_source[row["package"]].append(row)
    out: list[dict[str, Any]] = []
    names = sorted(OBFUSCATIONS)
    for source in sorted(by_source):
        source_rows = by_source[source]
        plain = [r for r in source_rows if not r.get("encoding")]
        for row in plain:
            if rng.random() < OBFUSCATE_SHARE:
                out.append(obfuscate(row, rng.choice(names), rng))
        if source in NOT_PLANTED:
            continue
        pool = _sentences([r["text"] for r in plain if r["label"] == "benign"]) or FILLER
        for row in plain:
            if (
                row["label"] == "attack"
                and len(row["text"]) <= MAX_ATTACK
                and rng.random() < PLANT_SHARE
            ):
                out.extend(carried(row, pool, rng))
    return out
