"""The agent recall benchmark keeps an earlier run's scores beside the new ones."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

#: Slow (a whole benchmark, process kills or a fresh install): `scripts/test.sh --quick` skips it.
pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def agent_recall() -> ModuleType:
    sys.path.insert(0, str(BENCH))
    try:
        return importlib.import_module("agent_recall")
    finally:
        sys.path.remove(str(BENCH))


def _scores(cites: float, recall: float) -> dict[str, Any]:
    return {
        "questions": 10,
        "answer_cites_evidence": cites,
        "evidence_recall_retrieved": recall,
        "hits_per_question": 5.0,
    }


def test_before_comes_from_an_earlier_run_and_is_carried_over(
    agent_recall: ModuleType, tmp_path: Path
) -> None:
    earlier = tmp_path / "earlier.json"
    earlier.write_text(
        json.dumps(
            {
                "overall": _scores(0.2, 0.3),
                "by_category": {"1 multi-hop": _scores(0.1, 0.1)},
                "conversations": {"26": {"scores": _scores(0.2, 0.3), "questions": [{"q": 1}]}},
            }
        )
    )
    before = agent_recall.before_section(earlier, tmp_path, "main before")
    assert before["label"] == "main before"
    assert before["overall"]["answer_cites_evidence"] == 0.2
    assert "questions" not in before["conversations"]["26"]  # scores only, not every row
    # A rerun without --before keeps comparing with the same baseline.
    (tmp_path / "agent_recall.json").write_text(json.dumps({"before": before}))
    assert agent_recall.before_section(None, tmp_path, None) == before
    assert agent_recall.before_section(None, tmp_path / "nothing", None) is None


def test_the_table_puts_before_and_after_side_by_side(agent_recall: ModuleType) -> None:
    summary = {
        "overall": _scores(0.4, 0.6),
        "by_category": {"1 multi-hop": _scores(0.3, 0.5)},
        "before": {
            "label": "main",
            "overall": _scores(0.2, 0.3),
            "by_category": {"1 multi-hop": _scores(0.1, 0.1)},
        },
    }
    lines = agent_recall.before_after(summary)
    assert lines[0] == "Before: main."
    assert "| **all** | 0.200 | 0.400 | 0.300 | 0.600 | 5.0 | 5.0 |" in lines
    assert "| 1 multi-hop | 0.100 | 0.300 | 0.100 | 0.500 | 5.0 | 5.0 |" in lines
    assert agent_recall.before_after({**summary, "before": None}) == []
