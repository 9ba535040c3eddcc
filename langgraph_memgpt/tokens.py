"""Token counting: exact where a tokenizer is on this machine, approximate otherwise.

Never a network call at run time and never a crash: ``tiktoken`` downloads its vocabularies on
first use, so it is used only when the vocabulary is already in its local cache; a Hugging Face
``tokenizer.json`` (the usual file next to a model served by vLLM, llama.cpp or Ollama) can be
named with ``MEMGPT_TOKENIZER``. Everything else falls back to LangChain's
``count_tokens_approximately``.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.messages.utils import count_tokens_approximately

from langgraph_memgpt.configuration import TokenCounter, approximate_token_counter

logger = logging.getLogger(__name__)

#: Per-message framing tokens of chat templates (role markers, separators).
MESSAGE_OVERHEAD = 4


def _message_text(message: BaseMessage) -> str:
    text = message.text if isinstance(message.content, list) else str(message.content)
    if isinstance(message, AIMessage) and message.tool_calls:
        text += json.dumps([{"name": c["name"], "args": c["args"]} for c in message.tool_calls])
    return text


def hf_tokenizer_counter(path: str | Path) -> TokenCounter:
    """Exact counts with a Hugging Face ``tokenizer.json`` (a file or a directory holding it)."""
    from tokenizers import Tokenizer

    file = Path(path)
    if file.is_dir():
        file = file / "tokenizer.json"
    tokenizer = Tokenizer.from_file(str(file))

    def count(messages: Sequence[BaseMessage]) -> int:
        texts = [_message_text(m) for m in messages]
        encoded = tokenizer.encode_batch(texts, add_special_tokens=False) if texts else []
        return sum(len(e.ids) for e in encoded) + MESSAGE_OVERHEAD * len(texts)

    return count


def _tiktoken_offline(model_name: str) -> Any | None:
    """The model's tiktoken encoding if its vocabulary is cached locally, else ``None``."""
    try:
        import tiktoken
        import tiktoken.load as tiktoken_load
    except ImportError:
        return None
    try:
        encoding_name = tiktoken.encoding_name_for_model(model_name)
    except KeyError:
        encoding_name = "o200k_base"
    original = tiktoken_load.read_file

    def refuse_download(blobpath: str) -> bytes:
        raise OSError(f"not cached locally: {blobpath}")

    tiktoken_load.read_file = refuse_download  # a cache miss must not reach the network
    try:
        return tiktoken.get_encoding(encoding_name)
    except Exception:
        return None
    finally:
        tiktoken_load.read_file = original


def tiktoken_counter(model_name: str) -> TokenCounter | None:
    """OpenAI's counting rule (cookbook) with a locally cached tiktoken vocabulary."""
    encoding = _tiktoken_offline(model_name)
    if encoding is None:
        return None

    def count(messages: Sequence[BaseMessage]) -> int:
        return sum(len(encoding.encode(_message_text(m))) for m in messages) + (
            MESSAGE_OVERHEAD * len(messages) + 3
        )

    return count


def select_token_counter(model: Any) -> tuple[TokenCounter, str]:
    """Pick the most exact offline counter for ``model``; returns it and a description."""
    configured = os.environ.get("MEMGPT_TOKENIZER")
    if configured:
        try:
            return hf_tokenizer_counter(configured), f"exact: tokenizer {configured}"
        except Exception as exc:
            logger.warning(
                "MEMGPT_TOKENIZER=%s unusable (%s); counting approximately", configured, exc
            )
    model_name = getattr(model, "model_name", None) or getattr(model, "model", None)
    if isinstance(model_name, str) and type(model).__name__ == "ChatOpenAI":
        counter = tiktoken_counter(model_name)
        if counter is not None:
            return counter, f"exact: tiktoken for {model_name}"
    return approximate_token_counter, "approximate: about 4 characters a token"


__all__ = [
    "count_tokens_approximately",
    "hf_tokenizer_counter",
    "select_token_counter",
    "tiktoken_counter",
]
