"""The generalisation tables of ``bench/guard.py``'s report: leave-one-source-out and the
blind splits (first run, kept unchanged, beside the guard now)."""

from __future__ import annotations

from typing import Any


def markdown_generalisation(result: dict[str, Any]) -> list[str]:
    """The leave-one-source-out and blind tables (when the run has them)."""
    lines: list[str] = []
    if "loso" in result:
        lines += [
            "",
            "## Leave-one-source-out",
            "",
            "Each source scored by a learned model trained (threshold included) without it. The "
            "rules are fixed and were tuned on `spikee` and our `own` dev texts, so their figures "
            "there are optimistic.",
            "",
            "| source | threshold | attacks: rules / learned / both | benign: rules / learned / both |",
            "|---|---|---|---|",
        ]
        for source, stats in [
            *result["loso"]["sources"].items(),
            ("pooled", result["loso"]["pooled"]),
        ]:

            def cell(kind: str, stats: dict[str, Any] = stats) -> str:
                parts = [stats.get(f"{m}/{kind}") for m in ("rules", "learned", "both")]
                if parts[0] is None:
                    return "-"
                rates = " / ".join(format(p["flagged"], ".3f") for p in parts if p)
                return f"{rates} (n={parts[0]['n']})"

            threshold = stats.get("threshold", "")
            lines.append(f"| {source} | {threshold} | {cell('attacks')} | {cell('benign')} |")
    if "blind" in result:
        first = result.get("blind_first_run", {}).get("guard", {}).get("rates", {})
        now = result["blind"]["guard"]["rates"]
        base = result["blind"]["keyword baseline"]["rates"]
        lines += [
            "",
            "## Blind split (bench/guard_blind.py)",
            "",
            "First run: the guard before issue 24 (rules only), run once and kept unchanged in "
            "`guard_blind_first_run.json`. Now: rules plus the learned score.",
            "",
            "| group | n | first run | now | keyword baseline |",
            "|---|---|---|---|---|",
        ]
        for key, value in now.items():
            if key.startswith(("all/", "source:", "trust:")):
                was = first.get(key, {}).get("flagged")
                was_s = f"{was:.3f}" if was is not None else "-"
                lines.append(
                    f"| {key} | {value['n']} | {was_s} | {value['flagged']:.3f} | "
                    f"{base[key]['flagged']:.3f} |"
                )
        lines.append("")
        lines.append(
            f"Median scan time on the blind split: {result['blind']['guard']['median_ms']:.3f} ms "
            f"(first run {result.get('blind_first_run', {}).get('guard', {}).get('median_ms', float('nan')):.3f} ms)."
        )
    for key in LATER_BLIND:
        if key in result:
            lines += _markdown_later_blind(result, key)
    return lines


#: The later blind splits: key -> (title, what the first run was).
LATER_BLIND = {
    "blind2": (
        "Second blind split (bench/guard_blind2.py)",
        "Written before the second round of work on the learned score and run once "
        "(`guard_blind2_first_run.json`, kept unchanged); the first blind split is a dev split "
        "since it was looked at.",
    ),
    "blind3": (
        "Third blind split (bench/guard_blind3.py)",
        "Written from scratch before the third round of changes to the training data and the "
        "learned model, and run once (`guard_blind3_first_run.json`, kept unchanged); the "
        "second blind split is a dev split since it was looked at.",
    ),
    "blind4": (
        "Fourth blind split (bench/guard_blind4.py)",
        "Written from scratch before the fourth round of changes to the guard (threshold logic "
        "and training) and run once on ae23ff7 (`guard_blind4_first_run.json`, kept "
        "unchanged).",
    ),
}


def _markdown_later_blind(result: dict[str, Any], key: str) -> list[str]:
    """A later blind split: its first run (kept unchanged) beside the guard now."""
    title, intro = LATER_BLIND[key]
    first = result.get(f"{key}_first_run", {}).get("guard", {})
    now = result[key]["guard"]
    base = result[key]["keyword baseline"]["rates"]
    lines = [
        "",
        f"## {title}",
        "",
        intro,
        "",
        "| group | n | first run | now | keyword baseline |",
        "|---|---|---|---|---|",
    ]
    for group, value in now["rates"].items():
        if group.startswith(("all/", "source:", "trust:")):
            was = first.get("rates", {}).get(group, {}).get("flagged")
            was_s = f"{was:.3f}" if was is not None else "-"
            lines.append(
                f"| {group} | {value['n']} | {was_s} | {value['flagged']:.3f} | "
                f"{base[group]['flagged']:.3f} |"
            )
    lines += [
        "",
        f"Median scan time on this split: {now['median_ms']:.3f} ms (first run "
        f"{first.get('median_ms', float('nan')):.3f} ms).",
    ]
    return lines
