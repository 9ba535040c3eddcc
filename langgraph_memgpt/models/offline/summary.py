"""Summaries: the recursive, extractive summary the compact node asks for on eviction.

Decides what of the evicted messages survives in the prompt's summary: every sentence of the
previous summary (already distilled) and each evicted user sentence that states a fact, newest
kept when over the word limit, as MemGPT's recursive summary keeps the newest information.
Extractive on purpose: a rule-based driver cannot paraphrase, and quoting keeps it honest.
"""

from __future__ import annotations

import re

from langgraph_memgpt.models.offline.facts import REMEMBER_RE, extract_facts, has_fact_signal
from langgraph_memgpt.models.offline.text import (
    bare,
    is_greeting,
    is_question,
    same,
    sentence_case,
    split_sentences,
)
from langgraph_memgpt.prompts import MEMORY_ALERT_NAME, PRESSURE_ALERT_MARKER

DEFAULT_SUMMARY_WORDS = 150

#: The word limit the summary request states ("At most 150 words").
MAX_WORDS_RE = re.compile(r"At most (\d+) words", re.IGNORECASE)
_LINE_ROLE_RE = re.compile(r"^(?P<role>[\w-]+(?: [\w-]+)?)(?: \([^)]*\))?:\s?(?P<text>.*)$")
_PLACEHOLDERS = frozenset({"(none)", "none", "(nothing evicted yet)", "(empty)", ""})


def summarize_transcript(request: str, max_words: int = DEFAULT_SUMMARY_WORDS) -> str:
    """Extractive recursive summary: previous summary + facts the user stated, newest kept.

    Keeps every sentence of the previous summary (it is already distilled) and each evicted
    user sentence that carries a fact (a name, number, date, proper noun or a stated identity
    fact), prefixed ``User:``. When over ``max_words`` the oldest items go first: the newest
    information wins, as in MemGPT's recursive summary.
    """
    previous, transcript = "", request
    if "Evicted messages:" in request:
        head, transcript = request.split("Evicted messages:", 1)
        previous = head.replace("Previous summary:", "", 1).strip()
    items: list[str] = []
    if previous.lower() not in _PLACEHOLDERS:
        for line in previous.splitlines():
            line = re.sub(r"^\s*[-*\u2022]\s*", "", line).strip()
            if line.startswith("User:"):
                items.append(line)
            else:
                items.extend(s.strip() for s in re.split(r"(?<=[.!?])\s+", line) if s.strip())
    speakers: list[tuple[str, str]] = []
    for line in transcript.strip().splitlines():
        match = _LINE_ROLE_RE.match(line)
        if match and match.group("role").split()[0].lower() in {
            "user",
            "human",
            "assistant",
            "ai",
            "tool",
            "system",
            MEMORY_ALERT_NAME,
        }:
            speakers.append((match.group("role").split()[0].lower(), match.group("text")))
        elif speakers:
            speakers[-1] = (speakers[-1][0], speakers[-1][1] + "\n" + line)
    for role, text in speakers:
        if role not in {"user", "human"} or text.lstrip().startswith(PRESSURE_ALERT_MARKER):
            continue
        for sentence in split_sentences(text):
            plain = bare(sentence)
            if not plain or is_question(sentence) or is_greeting(sentence):
                continue
            remember = REMEMBER_RE.match(plain)
            if remember:
                plain = bare(remember.group("body"))
            if remember or extract_facts(sentence) or has_fact_signal(plain):
                items.append(f"User: {sentence_case(plain)}")
    # Deduplicate, keeping the newest occurrence.
    unique: list[str] = []
    for item in reversed(items):
        if not any(same(item, kept) for kept in unique):
            unique.append(item)
    unique.reverse()
    total = sum(len(item.split()) for item in unique)
    while unique and total > max_words:
        total -= len(unique.pop(0).split())
    if not unique and items:
        # A single newest item longer than the whole budget: keep its last words.
        unique = [" ".join(items[-1].split()[-max_words:])]
    return "\n".join(unique)
