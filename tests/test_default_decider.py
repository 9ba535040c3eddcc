"""With a real model, consolidation asks the model; the rules decide offline and on errors."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from langgraph_memgpt.graph import default_decider
from langgraph_memgpt.memory.hygiene.supersede import ModelDecider, RuleDecider
from langgraph_memgpt.models.offline.driver import OfflineDriver


def test_a_provider_chat_model_gets_the_model_decider() -> None:
    model = ChatOpenAI(
        model="gpt-4o-mini", api_key=SecretStr("test"), base_url="http://127.0.0.1:9"
    )
    decider = default_decider(model)
    assert isinstance(decider, ModelDecider) and decider.model is model
    assert isinstance(decider.fallback, RuleDecider)


def test_offline_driver_and_test_doubles_keep_the_rule_decider() -> None:
    assert default_decider(OfflineDriver()) is None
    assert default_decider(FakeListChatModel(responses=["x"])) is None


class _Broken(FakeListChatModel):
    def invoke(self, *args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("model unreachable")


def test_the_rule_decider_decides_when_the_model_fails() -> None:
    decider = ModelDecider(_Broken(responses=["unused"]))
    older = ["Aino lives in Bilbao."]
    new = "Aino moved to Leeds."
    assert decider.decide(new, older) == RuleDecider().decide(new, older)
    assert any(p.op == "supersede" for p in decider.decide(new, older))
