"""Token counting: exact where a tokenizer is on this machine, approximate otherwise.

Never a network call at run time and never a crash: ``tiktoken`` downloads its vocabularies on
first use, so it is used only when the vocabulary is already in its local cache (checked here,
before tiktoken is asked, rather than by patching tiktoken's loader for the whole process); a Hugging Face
``tokenizer.json`` (the usual file next to a model served by vLLM, llama.cpp or Ollama) can be
named with ``MEMGPT_TOKENIZER``. Everything else falls back to LangChain's
``count_tokens_approximately``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
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


#: Per-message approximate counts kept (a context window's messages, many times over).
_APPROX_CACHE_SIZE = 8192
_approx_cache: dict[tuple[Any, ...], int] = {}


def approximate_count_cached(messages: Sequence[BaseMessage]) -> int:
    """``count_tokens_approximately(messages)``, each message's count remembered.

    A turn counts the same window of messages several times (the reason node, compaction,
    truncation), and every turn counts the window again. The approximate count is a sum over
    messages (LangChain rounds each message up so that they add up), and a message's share
    depends only on its role, name, tool-call id and the length of its text: the key holds
    those with the message id. Messages with tool calls or content blocks are counted afresh.
    """
    total = 0
    cache = _approx_cache
    for message in messages:
        # Fields read from the instance dict: ``getattr(m, "role", None)`` on a message without
        # that field goes through pydantic's ``__getattr__`` and an AttributeError, which cost
        # more than the rest of the count.
        fields = message.__dict__
        content = fields.get("content")
        if not isinstance(content, str) or fields.get("tool_calls"):
            total += count_tokens_approximately([message])
            continue
        key = (
            type(message),
            fields.get("id"),
            len(content),
            fields.get("name"),
            fields.get("tool_call_id"),
            fields.get("role"),
        )
        count = cache.get(key)
        if count is None:
            count = count_tokens_approximately([message])
            if len(cache) >= _APPROX_CACHE_SIZE:
                cache.clear()
            cache[key] = count
        total += count
    return total


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


#: The vocabulary file of each tiktoken encoding, as tiktoken fetches it (its cache is keyed by
#: this URL), with the file's SHA-256 (a cached file that does not match is fetched again).
_OPENAI_BLOBS = "https://openaipublic.blob.core.windows.net/encodings"
_VOCABULARIES = {
    "r50k_base": (
        f"{_OPENAI_BLOBS}/r50k_base.tiktoken",
        "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
    ),
    "p50k_base": (
        f"{_OPENAI_BLOBS}/p50k_base.tiktoken",
        "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
    ),
    "cl100k_base": (
        f"{_OPENAI_BLOBS}/cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
    "o200k_base": (
        f"{_OPENAI_BLOBS}/o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
}
_VOCABULARIES["p50k_edit"] = _VOCABULARIES["p50k_base"]
_VOCABULARIES["o200k_harmony"] = _VOCABULARIES["o200k_base"]


def tiktoken_cache_file(url: str) -> Path | None:
    """Where tiktoken caches the file at ``url`` (its own rule), or None if caching is off."""
    cache_dir = os.environ.get("TIKTOKEN_CACHE_DIR", os.environ.get("DATA_GYM_CACHE_DIR"))
    if cache_dir is None:
        cache_dir = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    if cache_dir == "":
        return None
    return Path(cache_dir) / hashlib.sha1(url.encode()).hexdigest()


def vocabulary_is_cached(encoding_name: str) -> bool:
    """Whether tiktoken would build ``encoding_name`` from its local cache, with no download:
    the cached file is there and is the one tiktoken expects (else it fetches it again)."""
    known = _VOCABULARIES.get(encoding_name)
    file = tiktoken_cache_file(known[0]) if known else None
    if file is None or not file.is_file():
        return False
    try:
        return hashlib.sha256(file.read_bytes()).hexdigest() == known[1]  # type: ignore[index]
    except OSError:
        return False


def _tiktoken_offline(model_name: str) -> Any | None:
    """The model's tiktoken encoding if it is loaded or its vocabulary is cached, else ``None``.

    Checked before asking tiktoken, which downloads on a cache miss; nothing of tiktoken is
    patched, so other threads using it are unaffected.
    """
    try:
        import tiktoken
        import tiktoken.registry
    except ImportError:
        return None
    try:
        encoding_name = tiktoken.encoding_name_for_model(model_name)
    except KeyError:
        encoding_name = "o200k_base"
    if encoding_name not in tiktoken.registry.ENCODINGS and not vocabulary_is_cached(encoding_name):
        return None
    try:
        return tiktoken.get_encoding(encoding_name)
    except (OSError, ValueError):  # the cache file went away or changed since the check
        logger.warning("tiktoken vocabulary %s unusable; counting approximately", encoding_name)
        return None


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
    "approximate_count_cached",
    "count_tokens_approximately",
    "hf_tokenizer_counter",
    "select_token_counter",
    "tiktoken_counter",
]
