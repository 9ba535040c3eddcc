"""Fakes shared by the agent benchmarks: one scripted chat model for every agent, timed embeddings.

Every agent of ``long_conversation.py`` is driven by the *same* :class:`FixedReplyChatModel`, so
the differences measured are the agents' own: what they put in the prompt, what they write to
disk and how long their graph takes around the model call. The model records what it received
(to count prompt tokens on exactly that) and how long it spent inside itself (to subtract it
from the wall time of a turn).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.messages.utils import count_tokens_approximately
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field, PrivateAttr

from langgraph_memgpt.prompts import SUMMARY_REQUEST_MARKER

#: Phrases by which each agent's summary request is recognised: ours (the marker of
#: ``prompts.py``), LangChain's ``SummarizationMiddleware`` (its default prompt) and langmem's
#: ``SummarizationNode`` (its initial and its "extend the summary" prompts).
SUMMARY_MARKERS = (
    SUMMARY_REQUEST_MARKER,
    "Context Extraction Assistant",
    "Create a summary of the conversation above",
    "Extend this summary by taking into account the new messages above",
)

_WORDS = [
    "the",
    "agent",
    "noted",
    "that",
    "plans",
    "were",
    "made",
    "for",
    "the",
    "weekend",
    "and",
    "the",
    "trip",
    "is",
    "still",
    "on",
    "while",
    "work",
    "keeps",
    "everyone",
    "busy",
    "but",
    "there",
    "is",
    "time",
    "for",
    "painting",
    "running",
    "reading",
    "and",
    "friends",
]


def fixed_words(n: int, seed: int = 0) -> str:
    """``n`` deterministic words: a reply of known, constant length."""
    return " ".join(_WORDS[(seed + i) % len(_WORDS)] for i in range(n))


@dataclass
class ModelCall:
    """What one model call received and cost."""

    kind: str  # "chat" or "summary"
    prompt_tokens: int
    seconds: float


class FixedReplyChatModel(BaseChatModel):
    """Answers every chat call with the same fixed-length text and no tool calls.

    Summary requests (recognised by :data:`SUMMARY_MARKERS` anywhere in the prompt) get a
    fixed-length summary instead. ``bind_tools`` binds the tool schemas like a real chat model,
    so they are counted in the prompt tokens the way a provider would bill them.
    """

    reply_words: int = 60
    summary_words: int = 150
    calls: list[ModelCall] = Field(default_factory=list)
    _reply: str = PrivateAttr(default="")
    _summary: str = PrivateAttr(default="")

    def model_post_init(self, context: Any) -> None:
        self._reply = fixed_words(self.reply_words)
        self._summary = "Summary: " + fixed_words(self.summary_words - 1, seed=7)

    @property
    def _llm_type(self) -> str:
        return "bench-fixed-reply"

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: str | None = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        start = time.perf_counter()
        tools = kwargs.get("tools") or None
        tokens = count_tokens_approximately(messages, tools=tools)
        is_summary = any(
            marker in text
            for message in messages[:1] + messages[-1:]
            for text in (message.text,)
            for marker in SUMMARY_MARKERS
        )
        reply = AIMessage(content=self._summary if is_summary else self._reply)
        self.calls.append(
            ModelCall("summary" if is_summary else "chat", tokens, time.perf_counter() - start)
        )
        return ChatResult(generations=[ChatGeneration(message=reply)])

    def seconds_since(self, index: int) -> float:
        """Time spent inside this model by the calls from ``index`` on."""
        return sum(call.seconds for call in self.calls[index:])


@dataclass
class TimedEmbeddings(Embeddings):
    """Wraps an ``Embeddings`` and adds up the time spent embedding, to report it apart."""

    inner: Embeddings
    seconds: float = 0.0
    texts: int = 0
    clock: Callable[[], float] = field(default=time.perf_counter, repr=False)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        start = self.clock()
        try:
            return self.inner.embed_documents(texts)
        finally:
            self.seconds += self.clock() - start
            self.texts += len(texts)

    def embed_query(self, text: str) -> list[float]:
        start = self.clock()
        try:
            return self.inner.embed_query(text)
        finally:
            self.seconds += self.clock() - start
            self.texts += 1
