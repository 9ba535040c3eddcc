"""Fit the learned update decider's weights on the memory-rot suite's dev families.

    python bench/update_train.py            # writes memory/hygiene/update_model.json

The pairs are every told fact against every older fact of the same user (``_update_pairs.py``);
the families are the splits ``dev``, ``heldout``, ``fresh``, ``unseen``, ``blind`` and
``blind24`` and the training families ``train_chat``, ``train_notes``, ``train_lingo`` and
``train_story`` (``_rot_train_*.py``). The blind splits ``blind24b``, ``blind25`` and ``blind26`` are
never trained on. Leave-one-family-out is scored
by ``bench/memory_rot.py --lofo`` (it fits the same way without the family it scores).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _update_pairs import FAMILIES, features_by_family, fit_without  # noqa: E402

from langgraph_memgpt.memory.hygiene.learned_decider import LearnedDecider  # noqa: E402

TARGET = (
    Path(__file__).resolve().parent.parent
    / "langgraph_memgpt"
    / "memory"
    / "hygiene"
    / "update_model.json"
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=TARGET)
    args = parser.parse_args(argv)
    families = [f for f in args.families.split(",") if f]
    for blind in ("blind24b", "blind25", "blind26"):
        if blind in families:
            parser.error(f"{blind} is a blind split: never trained on")
    decider = LearnedDecider(model={}, cache_size=1_000_000)
    data = features_by_family(decider, families, args.rounds)
    model = fit_without(data, None)
    args.out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    labels = Counter(label for _, ys in data.values() for label in ys)
    print(
        f"pairs: {dict(labels)}; thresholds: supersede {model['supersede']['threshold']}, "
        f"restate {model['restate']['threshold']}"
    )
    for name, weight in zip(model["features"], model["supersede"]["weights"], strict=True):
        print(f"  {name:22s} supersede {weight:+.3f}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
