"""LoCoMo loading shared by the agent benchmarks (the data stays in ../shared/data/locomo).

The data set is read in place and never copied into the repository (see the data README); the
benchmarks take ``--data`` and default to ``../shared/data/locomo`` beside the repository.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "locomo"
RESULTS = REPO / "bench" / "results"

QUESTION_CATEGORIES = (1, 2, 3, 4)  # 5 (adversarial, unanswerable) is excluded, as usual


@dataclass(frozen=True)
class Turn:
    """One dialogue turn: who said what, when (the session's date as written in the data)."""

    dia_id: str
    speaker: str
    text: str
    session: int
    date: str
    caption: str | None = None

    def line(self) -> str:
        """``"<speaker>: <text>"``, with the shared image's caption when there is one (the
        turn text the retrieval benchmark indexes too)."""
        caption = f" [shares a photo: {self.caption}]" if self.caption else ""
        return f"{self.speaker}: {self.text}{caption}"


@dataclass
class Conversation:
    name: str
    turns: list[Turn]
    questions: list[dict[str, Any]] = field(default_factory=list)


def conversation_files(data: Path, names: Sequence[str] | None = None) -> list[Path]:
    """The conversation files in ``data`` (all, sorted, or the named ones in that order)."""
    if not data.is_dir():
        raise FileNotFoundError(
            f"LoCoMo data not found at {data}; pass --data (see shared/data/README.md)"
        )
    if names:
        files = [data / f"{name}.json" for name in names]
        missing = [str(f) for f in files if not f.exists()]
        if missing:
            raise FileNotFoundError(f"no such conversation file(s): {', '.join(missing)}")
        return files
    return sorted(data.glob("*.json"), key=lambda p: (len(p.stem), p.stem))


def load_conversation(path: Path) -> Conversation:
    raw = json.loads(path.read_text())
    turns: list[Turn] = []
    n = 1
    while f"session_{n}" in raw:
        date = str(raw.get(f"session_{n}_date_time", "")).strip()
        for item in raw[f"session_{n}"]:
            turns.append(
                Turn(
                    dia_id=str(item["dia_id"]),
                    speaker=str(item["speaker"]),
                    text=str(item["text"]),
                    session=n,
                    date=date,
                    caption=item.get("blip_caption"),
                )
            )
        n += 1
    questions = [q for q in raw.get("qa", []) if q.get("category") in QUESTION_CATEGORIES]
    return Conversation(name=path.stem, turns=turns, questions=questions)


def evidence_ids(raw: Sequence[str]) -> list[str]:
    """Evidence ids, with the data's few malformed ones repaired ('D8:6; D9:17', 'D:11:26')."""
    out: list[str] = []
    for item in raw:
        for part in re.split(r"[;,\s]+", str(item)):
            part = part.replace("D:", "D")
            if re.fullmatch(r"D\d+:\d+", part) and part not in out:
                out.append(part)
    return out


def word_stream(data: Path | None) -> Iterator[str]:
    """Words of every LoCoMo turn line, conversation after conversation, forever.

    Falls back to deterministic generated prose when the data is absent, so the long
    conversation benchmark (which only needs realistic text of a fixed length) still runs.
    """
    words: list[str] = []
    if data is not None and data.is_dir():
        for path in conversation_files(data):
            for turn in load_conversation(path).turns:
                words.extend(turn.line().split())
    if not words:
        vocabulary = [
            "Caroline",
            "told",
            "Melanie",
            "about",
            "the",
            "support",
            "group",
            "she",
            "joined",
            "in",
            "May",
            "and",
            "the",
            "painting",
            "class",
            "on",
            "Saturday",
            "while",
            "the",
            "kids",
            "went",
            "camping",
            "near",
            "the",
            "lake",
            "with",
            "their",
            "friends",
            "after",
            "work",
            "and",
            "school",
        ]
        words = [vocabulary[(i * 7) % len(vocabulary)] for i in range(5000)]
    while True:
        yield from words


def user_messages(n: int, words_per_message: int, data: Path | None) -> list[str]:
    """``n`` user messages of exactly ``words_per_message`` words (+ a turn number), cut from
    consecutive LoCoMo turns: realistic chat text, deterministic, every message distinct."""
    stream = word_stream(data)
    return [
        f"Turn {i + 1}. " + " ".join(next(stream) for _ in range(words_per_message))
        for i in range(n)
    ]
