"""The blind split of ``bench/guard.py``: text from sources the guard was never shaped on.

Written and built for issue 24 *before* any rule or model of that issue changed, run once with
the guard as it then was (``bench/results/guard_blind_first_run.json``, kept unchanged), and a
dev split from then on for anything but measuring: no rule or training example may come from
its misses. Sources (``package`` of each row; licences in ``bench/data/guard_blind.NOTICE``):

- ``own-blind`` (``bench/data/guard_blind_own.jsonl``, written for this split): attacks hidden
  in realistic tool outputs (e-mails, web pages, search results, code comments, calendar
  entries, JSON fields, tickets), obfuscated ones (base64, rot13, dotted letters, leetspeak,
  full-width letters, reversed text, URL escapes, acrostics), jailbreak personas meant to be
  kept as memory, exfiltration and instruction overrides in eight languages; benign everyday
  requests the user phrases as commands (cancelling their own earlier request, database and
  admin orders, a new name to be called by) and ordinary documents. Each row says its
  ``trust`` (``user`` or ``external``) and ``channel``.
- ``bipia`` (Microsoft BIPIA, MIT; e-mail contexts from OpenAI evals, MIT; code contexts from
  Stack Exchange, CC BY-SA 4.0): the *test* attack instructions of ``text_attack_test.json``
  and ``code_attack_test.json`` inserted into the *test* e-mail and code contexts (start,
  middle or end, as BIPIA places them) as attacks; the clean contexts as benign documents.
- ``aib`` (agent-injection-bench 0.1.0, MIT): its injected tool results and documents as
  attacks (``control`` rows as benign), its task prompts as benign user requests.
- ``jbmini`` (jailbreak-corpus-mini-py 0.1.0, MIT): its prompts, all attacks.

    python bench/guard_blind.py --wheels DIR --bipia /path/to/BIPIA/git/dir
"""

from __future__ import annotations

import argparse
import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OWN = HERE / "data" / "guard_blind_own.jsonl"
PUBLIC = HERE / "data" / "guard_blind_public.jsonl"
BIPIA_COMMIT = "1a2a91d"


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _git_show(repo: Path, path: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(repo), "show", f"{BIPIA_COMMIT}:{path}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _row(text: str, label: str, family: str | None, **prov: Any) -> dict[str, Any]:
    return {"text": text, "label": label, "family": family, "split": "blind", **prov}


def _insert(context: str, attack: str, where: int) -> str:
    """BIPIA's three positions: before, in the middle of (at a line break) or after the text."""
    if where == 0:
        return f"{attack}\n{context}"
    if where == 2:
        return f"{context}\n{attack}"
    lines = context.split("\n")
    middle = len(lines) // 2
    return "\n".join(lines[:middle] + [attack] + lines[middle:])


def _bipia(repo: Path) -> list[dict[str, Any]]:
    prov = {"package": "bipia", "version": BIPIA_COMMIT, "license": "MIT (contexts: see NOTICE)"}
    rows: list[dict[str, Any]] = []
    emails = [
        json.loads(x)["context"]
        for x in _git_show(repo, "benchmark/email/test.jsonl").splitlines()
        if x
    ]
    codes = []
    for line in _git_show(repo, "benchmark/code/test.jsonl").splitlines():
        if line:
            item = json.loads(line)
            codes.append("\n".join(item["context"]))
    for _kind, contexts, attack_file, channel in (
        ("text", emails, "benchmark/text_attack_test.json", "email"),
        ("code", codes, "benchmark/code_attack_test.json", "code"),
    ):
        attacks = json.loads(_git_show(repo, attack_file))
        i = 0
        for category, texts in sorted(attacks.items()):
            for text in texts:
                context = contexts[i % len(contexts)]
                rows.append(
                    _row(
                        _insert(context, text, i % 3),
                        "attack",
                        "bipia:" + category,
                        channel=channel,
                        trust="external",
                        file=f"{attack_file} + benchmark/{channel}/test.jsonl",
                        **prov,
                    )
                )
                i += 1
        for context in contexts:
            rows.append(
                _row(
                    context,
                    "benign",
                    None,
                    channel=channel,
                    trust="external",
                    file=f"benchmark/{channel}/test.jsonl",
                    **prov,
                )
            )
    return rows


def _aib(wheel: Path) -> list[dict[str, Any]]:
    prov = {"package": "aib", "version": "0.1.0", "license": "MIT"}
    rows: list[dict[str, Any]] = []
    name = "aib/data/attacks.jsonl"
    with zipfile.ZipFile(wheel) as zf:
        items = [json.loads(x) for x in zf.read(name).decode().splitlines() if x.strip()]
    tasks = set()
    for item in items:
        label = "benign" if item["family"] == "control" else "attack"
        trust = "user" if item["channel"] == "user_message" else "external"
        fam = None if label == "benign" else "aib:" + item["family"]
        rows.append(
            _row(
                item["injected"],
                label,
                fam,
                channel=item["channel"],
                trust=trust,
                file=name,
                **prov,
            )
        )
        tasks.add(item["task"])
    for task in sorted(tasks):
        rows.append(_row(task, "benign", None, channel="request", trust="user", file=name, **prov))
    return rows


def _jbmini(wheel: Path) -> list[dict[str, Any]]:
    prov = {"package": "jbmini", "version": "0.1.0", "license": "MIT"}
    name = "jailbreak_corpus_mini/corpus.json"
    with zipfile.ZipFile(wheel) as zf:
        items = json.loads(zf.read(name))
    return [
        _row(
            item["prompt"],
            "attack",
            "jbmini:" + item["category"],
            channel="prompt",
            trust="user",
            file=name,
            **prov,
        )
        for item in items
    ]


def build(wheels: Path, bipia: Path) -> None:
    found = {p.name.split("-")[0]: p for p in wheels.glob("*.whl")}
    rows = (
        _bipia(bipia)
        + _aib(found["agent_injection_bench"])
        + _jbmini(found["jailbreak_corpus_mini_py"])
    )
    write_rows(PUBLIC, rows)


def write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    """A split's built rows, one JSON object a line (shared by both blind splits)."""
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {path}")


def read_split(own: Path, public: Path) -> list[dict[str, Any]]:
    """A split's own texts, and its public ones when built."""
    rows = _read_jsonl(own)
    if public.exists():
        rows += _read_jsonl(public)
    return rows


def load() -> list[dict[str, Any]]:
    """Every blind row (own texts, and the public ones when built)."""
    return read_split(OWN, PUBLIC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, required=True)
    parser.add_argument("--bipia", type=Path, required=True, help="BIPIA's git directory")
    args = parser.parse_args()
    build(args.wheels, args.bipia)


if __name__ == "__main__":
    main()
