"""The memory-rot suite's blind splits stay new: their own people, slots of their own, and
every phrasing usable (a template that cannot be filled would drop its scenarios silently)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import _rot_suite  # noqa: E402


def test_blind25_has_new_people_and_at_least_two_new_slots() -> None:
    # The training families (``_rot_train_*``) were written at the same time by another writer
    # who had not read blind25: "new" slots are new to the splits written before it.
    others = [s for s in _rot_suite.SPLITS if s != "blind25" and s not in _rot_suite.TRAIN_SPLITS]
    seen_people = {p for s in others for p in [*_rot_suite.PEOPLE[s], *_rot_suite.OTHERS[s]]}
    assert not set(_rot_suite.PEOPLE["blind25"]) & seen_people
    assert not set(_rot_suite.OTHERS["blind25"]) & seen_people
    seen_slots = {slot for s in others for slot in _rot_suite.slots(s)}
    assert len(set(_rot_suite.slots("blind25")) - seen_slots) >= 2


@pytest.mark.parametrize("split", ["blind25", "blind26"])
def test_a_blind_split_builds_every_kind_in_every_slot_with_filled_templates(split: str) -> None:
    users = _rot_suite.build(split, rounds=2)
    slots = set(_rot_suite.slots(split))
    kinds = {(sc.kind, sc.slot) for u in users for sc in u.scenarios}
    assert kinds == {(k, s) for k in ("update", "near_miss", "restatement") for s in slots}
    for user in users:
        for sc in user.scenarios:
            assert all("{" not in fact for fact in [sc.question, *sc.facts]), sc.facts
            assert sc.person in sc.question
            if sc.kind == "update":  # the later value differs from the first one
                assert sc.facts[0] != sc.facts[1]
    told = [f for u in users for sc in u.scenarios for f in sc.facts[1:]]
    assert len(set(told)) > 0.9 * len(told)


def test_blind26_has_new_people_values_and_at_least_two_new_slots() -> None:
    # Written after every other split (training families included): all of them are "before".
    others = [s for s in _rot_suite.SPLITS if s != "blind26"]
    seen_people = {p for s in others for p in [*_rot_suite.PEOPLE[s], *_rot_suite.OTHERS[s]]}
    assert not set(_rot_suite.PEOPLE["blind26"]) & seen_people
    assert not set(_rot_suite.OTHERS["blind26"]) & seen_people
    seen_slots = {slot for s in others for slot in _rot_suite.slots(s)}
    assert len(set(_rot_suite.slots("blind26")) - seen_slots) >= 2
    seen_values = {
        v for s in others for spec in _rot_suite.slots(s).values() for v in spec["values"]
    }
    values = {v for spec in _rot_suite.slots("blind26").values() for v in spec["values"]}
    assert not values & seen_values


def test_blind26_is_never_a_training_family(tmp_path: Path) -> None:
    import update_train
    from _update_pairs import FAMILIES

    assert "blind26" not in FAMILIES
    out = tmp_path / "weights.json"  # never the shipped weights, even if this test fails
    with pytest.raises(SystemExit):
        update_train.main(["--families", "train_notes,blind26", "--out", str(out)])
    assert not out.exists()
