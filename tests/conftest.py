"""Shared fixtures: a scripted chat model and temporary memory stores on every backend.

Tests of the memory tiers and the graph take ``memory`` (or ``new_store`` for a location to
open and reopen themselves) and run once per backend, the way LangGraph parametrizes its
checkpointer tests: ``sqlite`` (a temporary directory) and ``postgres`` (a fresh schema in
the test server). The Postgres server comes from ``MEMGPT_TEST_DATABASE_URL`` or the local
``bash scripts/postgres.sh start``; without one those cases skip, except under
``MEMGPT_REQUIRE_POSTGRES=1`` (CI), where a missing server fails them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.embeddings import DeterministicFakeEmbedding
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from langgraph_memgpt import Memory
from langgraph_memgpt.memory.testing import Schemas, find_postgres
from tests.pairing import Turn, check_pairing

Script = Callable[[list[BaseMessage]], AIMessage]


class ScriptedChatModel(BaseChatModel):
    """A fake chat model: each call is answered by the next script entry.

    Entries are AIMessages or functions of the prompt. Every prompt it receives is recorded,
    so tests can assert on what the model saw (the splice-back, the budget). Like a real
    server, it rejects a prompt that breaks the tool-call pairing rule (``tests/pairing.py``).
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

        check_pairing(as_turns(messages))
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


def as_turns(messages: Sequence[BaseMessage]) -> list[Turn]:
    """Messages as the pairing rule sees them; unparsable calls are sent as calls too."""
    turns = []
    for message in messages:
        if isinstance(message, AIMessage):
            calls = [*message.tool_calls, *message.invalid_tool_calls]
            turns.append(Turn("assistant", tuple(str(c.get("id")) for c in calls)))
        elif isinstance(message, ToolMessage):
            turns.append(Turn("tool", answers=message.tool_call_id))
        else:
            turns.append(Turn(message.type))
    return turns


def tool_call(name: str, call_id: str = "call-1", **args: Any) -> dict[str, Any]:
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


BACKENDS = ("sqlite", "postgres")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url, why = find_postgres()
    if url is None:
        if os.environ.get("MEMGPT_REQUIRE_POSTGRES") == "1":
            pytest.fail(why)
        pytest.skip(why)
    return url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def pg_store(postgres_url: str) -> Iterator[Callable[[str], str]]:
    """For Postgres-only tests: a function giving a URL on a fresh schema (dropped after)."""
    schemas = Schemas(postgres_url)
    yield schemas.new
    schemas.drop_all()


@pytest.fixture
def new_store(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[str], Any]:
    """A function that gives a new, empty store location each call, on the test's backend:
    a directory under ``tmp_path``, or a URL whose connections use a fresh schema."""
    if backend == "postgres":
        make: Callable[[str], Any] = request.getfixturevalue("pg_store")
        return make
    return lambda name="m": tmp_path / name


@pytest.fixture
def store(new_store: Callable[[str], Any]) -> Any:
    """One store location on the test's backend."""
    return new_store("data")


@pytest.fixture
def memory(store: Any) -> Iterator[Memory]:
    mem = Memory.open(store, embeddings=DeterministicFakeEmbedding(size=32))
    yield mem
    mem.close()


@pytest.fixture
def run_config() -> dict[str, Any]:
    return {"configurable": {"thread_id": "t1", "user_id": "u1"}}
