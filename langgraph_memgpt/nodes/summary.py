"""The recursive summary: evicted messages folded into what the prompt keeps of the past.

The model writes it from the previous summary plus the evicted transcript, so each summary
carries everything before it (MemGPT's recursive summary). The previous summary is never
dropped: a failed or empty model reply falls back to an extractive summary that starts from it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import RunnableConfig

from langgraph_memgpt.context import AgentSettings, is_memory_alert, transcript
from langgraph_memgpt.prompts import SUMMARY_SYSTEM_PROMPT, SUMMARY_USER_TEMPLATE

logger = logging.getLogger(__name__)


def _limit_words(text: str, max_words: int) -> str:
    words = text.split()
    return text.strip() if len(words) <= max_words else " ".join(words[-max_words:])


def _fallback_summary(previous: str, evicted: Sequence[BaseMessage], max_words: int) -> str:
    """Used only when the model fails to summarize: first sentences of what was evicted."""
    firsts = []
    for message in evicted:
        if isinstance(message, HumanMessage) and not is_memory_alert(message):
            sentence = re.split(r"(?<=[.!?])\s", str(message.content).strip(), maxsplit=1)[0]
            firsts.append(sentence)
    return _limit_words(" ".join([previous, *firsts]), max_words)


def summarize(
    model: BaseChatModel,
    settings: AgentSettings,
    previous: str,
    evicted: Sequence[BaseMessage],
    config: RunnableConfig | None = None,
) -> str:
    """Fold evicted messages into the recursive summary (the model writes it)."""
    max_words = settings.config.summary_max_words
    request = [
        SystemMessage(SUMMARY_SYSTEM_PROMPT.format(max_words=max_words)),
        HumanMessage(
            SUMMARY_USER_TEMPLATE.format(
                summary=previous or "(none)", transcript=transcript(evicted)
            )
        ),
    ]
    try:
        reply = model.invoke(request, config)
        text = reply.text if isinstance(reply.content, list) else str(reply.content)
    except Exception as exc:  # the model service may fail; the summary must not block the turn
        # One line: a traceback would reach a chat user's terminal through logging's last
        # resort for an expected failure (a rate limit, a timeout) that is handled here.
        logger.warning(
            "summarization failed (%s: %s); using an extractive fallback", type(exc).__name__, exc
        )
        logger.debug("summarization failure", exc_info=True)
        return _fallback_summary(previous, evicted, max_words)
    # The cap is enforced here too: a model that ignores it must not grow the prompt.
    return _limit_words(text, max_words) or _fallback_summary(previous, evicted, max_words)
