"""Fakes shared by the agent benchmarks: one scripted chat model for every agent, timed embeddings.

Every agent of ``long_conversation.py`` is driven by the *same* :class:`FixedReplyChatModel`, so
the differences measured are the agents' own: what they put in the prompt, what they write to
disk and how long their graph takes around the model call. The model records what it received
(to count prompt tokens on exactly that) and how long it spent inside itself (to subtract it
from the wall time of a turn).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
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


#: The save and search tools of each agent under test, by the name the agent binds, and how the
#: same intent is written as that tool's arguments: ours (``archival_memory_insert`` /
#: ``archival_memory_search``, five hits a page) and langmem's (``manage_memory`` /
#: ``search_memory`` over a LangGraph store, asked for the same five hits).
SAVE_TOOLS: dict[str, Callable[[str], dict[str, Any]]] = {
    "archival_memory_insert": lambda text: {"content": text},
    "manage_memory": lambda text: {"content": text, "action": "create"},
}
SEARCH_TOOLS: dict[str, Callable[[str], dict[str, Any]]] = {
    "archival_memory_search": lambda query: {"query": query},
    "search_memory": lambda query: {"query": query, "limit": 5},
}


class ToolUsingChatModel(FixedReplyChatModel):
    """:class:`FixedReplyChatModel` that also saves and searches memory when told to.

    The driver calls :meth:`plan` before a turn with what to save and what to search for; the
    first chat call of that turn answers with those tool calls (by whichever save and search
    tools the agent bound), and the call after their results answers with the fixed reply. So
    every agent receives the same saves and the same queries at the same turns.
    """

    _pending: list[tuple[str, str]] = PrivateAttr(default_factory=list)
    _counter: int = PrivateAttr(default=0)
    tool_calls_made: int = 0
    #: Tool results that came back as errors (a wrong argument, a failing store): a workload
    #: whose tools fail measures nothing, so the benchmark reports these.
    tool_errors: int = 0

    def plan(self, save: str | None, search: str | None) -> None:
        self._pending = [
            (kind, text) for kind, text in (("save", save), ("search", search)) if text
        ]

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        result = super()._generate(messages, stop, run_manager, **kwargs)
        if self.calls[-1].kind != "chat":
            return result
        if messages and isinstance(messages[-1], ToolMessage):
            for message in reversed(messages):  # this step's results: the trailing ones
                if not isinstance(message, ToolMessage):
                    break
                self.tool_errors += message.status == "error"
            return result  # the results are in: answer
        if not self._pending:
            return result
        start = time.perf_counter()
        names = {t["function"]["name"] for t in kwargs.get("tools") or []}
        calls = []
        for kind, text in self._pending:
            table = SAVE_TOOLS if kind == "save" else SEARCH_TOOLS
            name = next((n for n in table if n in names), None)
            if name is None:
                raise RuntimeError(f"no {kind} tool among the bound tools {sorted(names)}")
            self._counter += 1
            calls.append({"name": name, "args": table[name](text), "id": f"call_{self._counter}"})
        self._pending = []
        self.tool_calls_made += len(calls)
        self.calls[-1].seconds += time.perf_counter() - start
        message = AIMessage(content="", tool_calls=calls)
        return ChatResult(generations=[ChatGeneration(message=message)])


@dataclass
class TimedEmbeddings(Embeddings):
    """Wraps an ``Embeddings`` and adds up the time spent embedding, to report it apart."""

    inner: Embeddings
    seconds: float = 0.0
    texts: int = 0
    #: Of ``seconds``, the time spent inside turns: on any thread but a background embedder's
    #: (tools run on the graph's worker threads; recall memory's embedder thread embeds
    #: between or beside turns, whenever the process is idle).
    foreground_seconds: float = 0.0
    clock: Callable[[], float] = field(default=time.perf_counter, repr=False)
    background_threads: tuple[str, ...] = ("memgpt-recall-embedder",)

    def _add(self, start: float, texts: int) -> None:
        spent = self.clock() - start
        self.seconds += spent
        self.texts += texts
        if threading.current_thread().name not in self.background_threads:
            self.foreground_seconds += spent

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        start = self.clock()
        try:
            return self.inner.embed_documents(texts)
        finally:
            self._add(start, len(texts))

    def embed_query(self, text: str) -> list[float]:
        start = self.clock()
        try:
            return self.inner.embed_query(text)
        finally:
            self._add(start, 1)
