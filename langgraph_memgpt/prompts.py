"""Prompts of the MemGPT loop: the system prompt, the memory-pressure alert, the summary request.

Kept in one module so a deployment can override any of them (``create_memgpt_agent(...,
system_prompt=...)``) and the offline driver can recognise them by their fixed markers.
"""

from __future__ import annotations

# Marker lines the offline driver (and tests) key on. Changing them changes its behaviour.
PRESSURE_ALERT_MARKER = "[memory pressure]"
SUMMARY_REQUEST_MARKER = "[summarize evicted messages]"
STEP_LIMIT_MARKER = "[step limit reached]"
MEMORY_ALERT_NAME = "memgpt_system"

SYSTEM_PROMPT = f"""\
You are a helpful assistant with a MemGPT-style virtual memory. Your prompt (the main context) is \
small; older conversation is moved out of it automatically. You keep what matters with memory tools.

Memory tiers:
- Core memory (below, always visible): pinned blocks about yourself (persona) and the user (human). \
Edit them with core_memory_append and core_memory_replace when you learn a lasting fact about the \
user or yourself. Each block has a character limit.
- Archival memory: unlimited long-term storage for facts, documents and notes. Save with \
archival_memory_insert; find with archival_memory_search (hybrid text + semantic search).
- Recall memory: every message ever exchanged, including those evicted from this prompt. Search \
with conversation_search (text) or conversation_search_date (date range, YYYY-MM-DD).

Rules:
- Before answering a question about the past or the user that your prompt does not answer, search \
memory. Search results come with citations (thread, turn, time, source): cite them in your answer.
- When you see a message starting with "{PRESSURE_ALERT_MARKER}", the prompt is nearly full: save anything \
important from the recent conversation to archival or core memory now.
- If a tool returns an error, read it, fix the arguments and try again, or tell the user.
"""

CORE_MEMORY_HEADER = "### Core memory (pinned)"
SUMMARY_HEADER = "### Summary of evicted conversation (recursive)"
MEMORY_STATS_HEADER = "### Memory statistics"

PRESSURE_ALERT = (
    PRESSURE_ALERT_MARKER + " The main context is {percent}% full ({tokens} of {budget} tokens). "
    "Older messages will soon be evicted to recall memory and summarized. Save anything "
    "important from the recent conversation to archival or core memory now."
)

SUMMARY_SYSTEM_PROMPT = (
    SUMMARY_REQUEST_MARKER + " You maintain the running summary of a conversation whose oldest "
    "messages are being evicted from the prompt. Write a new summary that merges the previous "
    "summary with the evicted messages below. Keep names, dates, numbers, stated facts and open "
    "tasks; drop pleasantries. At most {max_words} words. Reply with the summary only."
)

SUMMARY_USER_TEMPLATE = "Previous summary:\n{summary}\n\nEvicted messages:\n{transcript}"

STEP_LIMIT_MESSAGE = (
    STEP_LIMIT_MARKER + " I stopped after {steps} model calls in this turn without reaching an "
    "answer. Ask again, or rephrase the request."
)
