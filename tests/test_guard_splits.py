"""The guard's evaluation splits stay apart from what it learns from.

The second blind split (``bench/guard_blind2.py``) was written before the second round of
work on the learned score and run once; it only measures if no text of it reaches training,
and the rows it is built from must say who wrote them (the store judges by writer).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import guard_blind  # noqa: E402
import guard_blind2  # noqa: E402
import guard_indirect  # noqa: E402

from langgraph_memgpt.memory.text.guard_model import windows  # noqa: E402


def test_second_blind_split_rows_say_label_writer_and_source() -> None:
    rows = guard_blind2.load()
    assert {r["label"] for r in rows} == {"attack", "benign"}
    assert {r["trust"] for r in rows} == {"user", "external"}
    assert {"own-blind2"} <= {r["package"] for r in rows}
    for row in rows:
        assert row["split"] == "blind2" and row["text"].strip()
        assert (row["family"] is None) == (row["label"] == "benign")
        if row["package"] == "own-blind2" and row["label"] == "attack":
            assert row["technique"], row["text"][:60]  # which published taxonomy it follows
    texts = [r["text"] for r in rows]
    assert len(set(texts)) == len(texts)
    # Everyday requests a user types and ordinary documents both have their benign rows.
    benign = {(r["trust"], r["label"]) for r in rows if r["label"] == "benign"}
    assert benign == {("user", "benign"), ("external", "benign")}


@pytest.fixture(scope="module")
def training() -> list[dict[str, Any]]:
    import guard_train

    rows = guard_train.training_rows(200)
    return rows + guard_indirect.planted_rows(rows)


def test_no_blind_text_reaches_training(training: list[dict[str, Any]]) -> None:
    train_texts = {" ".join(r["text"].split()).lower() for r in training}
    for row in guard_blind.load() + guard_blind2.load():
        assert " ".join(row["text"].split()).lower() not in train_texts, row["text"][:80]
    assert all(r["split"] not in ("blind", "blind2", "locomo") for r in training)


def test_planted_attacks_keep_their_source_and_fit_one_window(
    training: list[dict[str, Any]],
) -> None:
    planted = [r for r in training if r.get("channel") == "indirect"]
    assert planted and all(r["label"] == "attack" for r in planted)
    assert not {r["package"] for r in planted} & guard_indirect.NOT_PLANTED
    attacks = {r["text"] for r in training if r["label"] == "attack"}
    for row in planted:
        assert len(windows(row["text"])) == 1
        # The attack is inside, whole: leave-one-source-out leaves it out with its source.
        assert any(a in row["text"] for a in attacks if a != row["text"])
    assert guard_indirect.writer({"package": "agentdojo"}) == "user"
    assert guard_indirect.writer({"package": "pypi-docs"}) == "external"
