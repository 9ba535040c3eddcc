"""The guard's gated alternations answer as the whole alternations do, only cheaper.

``literal_gate`` tries a pattern only when the text holds one of the literals its matches must
contain; these tests check the literals read from patterns, and that every family's gated
search agrees with the plain ``re`` alternation on the guard's labelled corpus (attacks and
benign texts, with their decoded variants).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from langgraph_memgpt.memory.text import injection
from langgraph_memgpt.memory.text.literal_gate import GatedAlternation, required_literals

CORPUS = Path(__file__).resolve().parent.parent / "bench" / "data" / "guard_public.jsonl"


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        (r"\bignore\s+(?:all|every)\b", [{"ignore"}, {"all", "every"}]),
        (r"a?bc", [{"bc"}]),
        (r"(?:x|y*)z", [{"z"}]),
        (r"[ab]c+d", [{"c"}, {"d"}]),
        (r"(?:you are|u r)\s+now", [{"now"}, {"you are", "u r"}]),
        (r"(?:forget|ignore) (?:it|them)", [{"forget", "ignore"}, {" "}, {"it", "them"}]),
        (r"x*|y", None),  # matches the empty string: nothing is required
        (r"(?i)abc", None),  # case-insensitive: a substring test would not be exact
        (r"\d+", None),
    ],
)
def test_required_literals(pattern: str, needs: list[set[str]] | None) -> None:
    """Every match contains one literal of each set; the most selective set comes first."""
    found = required_literals(pattern)
    if needs is None:
        assert found is None
        return
    assert found is not None
    assert {frozenset(s) for s in found} == {frozenset(s) for s in needs}
    assert found[0] == frozenset(needs[0])


def test_gated_search_skips_patterns_without_their_literals() -> None:
    gate = GatedAlternation([r"\bignore\b", r"system\s+prompt", r"\d{4}"], re.UNICODE)
    assert gate.always == (2,)  # no literal: always tried
    assert gate.search("please ignore that") and gate.search("the system   prompt")
    assert gate.search("in 2024") and not gate.search("an ordinary sentence")
    assert not gate.search("the system is down, no prompt yet")  # both literals, no match


def test_every_family_answers_as_its_whole_alternation() -> None:
    texts = [json.loads(line)["text"] for line in CORPUS.read_text().splitlines() if line]
    assert len(texts) > 200
    tables = (injection._STRONG_PATTERNS, injection._WEAK_PATTERNS, injection._TASK_PATTERNS)
    checked = flagged = 0
    for table in tables:
        for family, (plain_gate, other_gate) in injection._compile(table).items():
            plain = [p for p in table[family] if injection._latin(p)] or ["(?!)"]
            other = [p for p in table[family] if not injection._latin(p)] or ["(?!)"]
            whole = (injection._rx(*plain), injection._rx(*other))
            for text in texts:
                norm = injection.normalise(text)
                for variant in (norm.text, *norm.variants):
                    lower = variant.lower()
                    for gate, regex in zip((plain_gate, other_gate), whole, strict=True):
                        expected = regex.search(lower) is not None
                        assert gate.search(lower) == expected, (family, variant[:80])
                        checked += 1
                        flagged += expected
    assert flagged > 100 and checked > flagged  # the corpus exercises both answers


def test_a_stored_text_is_not_scanned_again_on_retrieval() -> None:
    """The write's verdict lands in the scan cache retrieval reads (``scan_cached``)."""
    from langgraph_memgpt.memory.guard.policy import on_write

    text = "We moved the team dinner to Thursday at the usual place near the station."
    injection._scan_short.cache_clear()
    assert on_write(None, text, "user") is None  # type: ignore[arg-type]  # clean: no db read
    before = injection._scan_short.cache_info()
    assert injection.scan_cached(text) == injection.scan(text)
    after = injection._scan_short.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)
