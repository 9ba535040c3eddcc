"""Shared fixtures: a scripted chat model and temporary memory stores."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.embeddings import DeterministicFakeEmbedding
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from langgraph_memgpt import Memory

Script = Callable[[list[BaseMessage]], AIMessage]


class ScriptedChatModel(BaseChatModel):
    """A fake chat model: each call is answered by the next script entry.

    Entries are AIMessages or functions of the prompt. Every prompt it receives is recorded,
    so tests can assert on what the model saw (the splice-back, the budget).
    """

    script: list[Any] = Field(default_factory=list)
    prompts: list[list[BaseMessage]] = Field(default_factory=list)
    summary_prompts: list[list[BaseMessage]] = Field(default_factory=list)
    fallback: Any = None

    @property
    def _llm_type(self) -> str:
        return "scripted-test-model"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Any:
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        from langgraph_memgpt.prompts import SUMMARY_REQUEST_MARKER

        if str(messages[0].content).startswith(SUMMARY_REQUEST_MARKER):
            self.summary_prompts.append(list(messages))
            reply = AIMessage(content=f"summary #{len(self.summary_prompts)}")
        else:
            self.prompts.append(list(messages))
            if self.script:
                entry = self.script.pop(0)
            elif self.fallback is not None:
                entry = self.fallback
            else:
                entry = AIMessage(content="ok")
            reply = entry(list(messages)) if callable(entry) else entry
            reply = reply.model_copy(deep=True)
        return ChatResult(generations=[ChatGeneration(message=reply)])


def tool_call(name: str, call_id: str = "call-1", **args: Any) -> dict[str, Any]:
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


@pytest.fixture
def memory(tmp_path: Path) -> Iterator[Memory]:
    mem = Memory.open(tmp_path / "data", embeddings=DeterministicFakeEmbedding(size=32))
    yield mem
    mem.close()


@pytest.fixture
def run_config() -> dict[str, Any]:
    return {"configurable": {"thread_id": "t1", "user_id": "u1"}}
