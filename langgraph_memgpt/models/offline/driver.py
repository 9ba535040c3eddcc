"""The chat model: :class:`OfflineDriver`, the LangChain face of the rule-based policy.

Decides nothing itself: it recognises a summary request by its marker and hands it to
:mod:`.summary`, hands every other call to :mod:`.policy`, and wraps the decision as an
``AIMessage`` with tool calls or text. Bound tools are read as a real chat model's would be
(only their names matter), tokens are counted approximately (no tokenizer download), and tool
call ids are hashes of the call, so two runs of one conversation give identical traces.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
)
from langchain_core.messages.tool import ToolCall, tool_call, tool_call_chunk
from langchain_core.messages.utils import count_tokens_approximately
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from langgraph_memgpt.models.offline.calls import tool_names
from langgraph_memgpt.models.offline.policy import answer, next_calls
from langgraph_memgpt.models.offline.summary import (
    DEFAULT_SUMMARY_WORDS,
    MAX_WORDS_RE,
    summarize_transcript,
)
from langgraph_memgpt.models.offline.text import message_text
from langgraph_memgpt.models.offline.turn import Turn
from langgraph_memgpt.prompts import SUMMARY_REQUEST_MARKER

#: What the driver calls itself everywhere (``_llm_type``, replies): it must never pass for an LLM.
OFFLINE_DRIVER_LABEL = "memgpt-offline-driver (rule-based, not an LLM)"


class OfflineDriver(BaseChatModel):
    """Deterministic, rule-based stand-in for an LLM that drives the MemGPT graph offline.

    Not a language model: it recognises the graph's prompts by their fixed markers
    (:mod:`langgraph_memgpt.prompts`) and follows a fixed MemGPT policy, so the whole agent
    runs without an API key, network or model download, and every run is reproducible. It only
    calls tools that were bound with :meth:`bind_tools`, like a real chat model; unknown user
    tools are bound without harm and never called.

    Example:
        ```python
        from langgraph_memgpt import Memory, OfflineDriver, create_memgpt_agent

        agent = create_memgpt_agent(OfflineDriver(), memory=Memory.open("./memgpt-data"))
        ```
    """

    max_pressure_saves: int = 3
    """At most this many archival inserts in reaction to one memory-pressure alert."""

    max_tool_rounds: int = 5
    """Tool-calling rounds per turn before the driver answers with what it has (a backstop;
    the policy itself never repeats a call)."""

    computes_in_process: ClassVar[bool] = True
    """It never waits on a server: under ``ainvoke`` its step rides the store's few worker
    threads (``memory/aio.py``) instead of the loop's default executor."""

    @property
    def _llm_type(self) -> str:
        return OFFLINE_DRIVER_LABEL

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_name": "memgpt-offline-driver",
            "kind": "rule-based, not an LLM",
            "max_pressure_saves": self.max_pressure_saves,
            "max_tool_rounds": self.max_tool_rounds,
        }

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools as OpenAI-format schemas, like real chat models do.

        The driver reads only the tool names from them (it never calls a tool that was not
        bound); ``tool_choice`` is accepted for API compatibility and ignored.
        """
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=formatted, **kwargs)

    def get_num_tokens(self, text: str) -> int:
        """Approximate (4 characters per token): never downloads a tokenizer."""
        return math.ceil(len(text) / 4)

    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """Approximate count, tool schemas included: there is no real tokenizer to match."""
        schemas: list[BaseTool | dict[str, Any]] | None = (
            [convert_to_openai_tool(t) for t in tools] if tools else None
        )
        return count_tokens_approximately(messages, tools=schemas)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        message = self.respond(messages, tools=kwargs.get("tools"))
        input_tokens = count_tokens_approximately(messages)
        output_tokens = count_tokens_approximately([message])
        message.usage_metadata = {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens,
        }
        message.response_metadata = {"model_name": "memgpt-offline-driver", "rule_based": True}
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """The same reply as :meth:`_generate`, word by word (tool calls in the last chunk),
        so LangGraph's ``messages`` stream and SSE apps show it arriving as a model's would."""
        message = self._generate(messages, stop=stop, **kwargs).generations[0].message
        assert isinstance(message, AIMessage)
        words = re.findall(r"\s*\S+", message.text) or [""]
        for i, word in enumerate(words):
            last = i == len(words) - 1
            chunk = AIMessageChunk(
                content=word,
                tool_call_chunks=[
                    tool_call_chunk(
                        name=call["name"], args=json.dumps(call["args"]), id=call["id"], index=n
                    )
                    for n, call in enumerate(message.tool_calls if last else [])
                ],
                usage_metadata=message.usage_metadata if last else None,
                response_metadata=message.response_metadata if last else {},
                chunk_position="last" if last else None,
            )
            if run_manager is not None:
                run_manager.on_llm_new_token(word, chunk=ChatGenerationChunk(message=chunk))
            yield ChatGenerationChunk(message=chunk)

    def respond(self, messages: Sequence[BaseMessage], tools: Any = None) -> AIMessage:
        """The policy as a pure function: messages (+ bound tools) in, one AIMessage out."""
        messages = list(messages)
        summary_request = next(
            (
                m
                for m in messages
                if isinstance(m, SystemMessage)
                and message_text(m).lstrip().startswith(SUMMARY_REQUEST_MARKER)
            ),
            None,
        )
        if summary_request is not None:
            match = MAX_WORDS_RE.search(message_text(summary_request))
            max_words = int(match.group(1)) if match else DEFAULT_SUMMARY_WORDS
            request = "\n".join(message_text(m) for m in messages if isinstance(m, HumanMessage))
            return AIMessage(content=summarize_transcript(request, max_words))

        turn = Turn(
            messages=messages,
            tools=tool_names(tools),
            max_pressure_saves=self.max_pressure_saves,
            max_tool_rounds=self.max_tool_rounds,
        )
        calls = next_calls(turn)
        if calls:
            anchor = turn.current or (message_text(messages[-1]) if messages else "")
            return AIMessage(
                content="",
                tool_calls=[
                    _make_call(name, args, index, len(messages), anchor)
                    for index, (name, args) in enumerate(calls)
                ],
            )
        return AIMessage(content=answer(turn))


def _make_call(
    name: str, args: dict[str, Any], index: int, n_messages: int, anchor: str
) -> ToolCall:
    """A tool call whose id is a hash of its content and position: reproducible across runs,
    distinct within a thread."""
    digest = hashlib.sha256(
        json.dumps([n_messages, index, name, args, anchor], sort_keys=True, default=str).encode()
    ).hexdigest()
    return tool_call(name=name, args=args, id=f"call_{digest[:24]}")
