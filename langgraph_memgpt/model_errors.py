"""Sorting failures of the model service into what the graph does about them.

A model service fails in a few well-known ways. Those end the turn with a clear message (the
client already retried 429/5xx/timeouts with backoff) or, for a context-length rejection,
trigger one forced compaction and a retry. Anything else is a bug or a crash: it propagates, and
the thread resumes from its last checkpoint.
"""

from __future__ import annotations

from typing import Literal

ModelErrorKind = Literal[
    "context_length", "rate_limited", "timeout", "unreachable", "server_error", "auth", "rejected"
]

_CONTEXT_PHRASES = (
    "context_length_exceeded",
    "maximum context length",
    "context length",
    "context window",
    "exceeds the available context",
    "too many tokens",
    "prompt is too long",
)

MODEL_ERROR_MESSAGES: dict[str, str] = {
    "context_length": "the model service said the prompt is longer than its context window, "
    "even after compacting; lower context_window to the model's real window",
    "rate_limited": "the model service is rate limiting requests (HTTP 429) and retries ran out",
    "timeout": "the model service did not answer in time",
    "unreachable": "the model service could not be reached",
    "server_error": "the model service failed with a server error (HTTP 5xx)",
    "auth": "the model service rejected the credentials (check OPENAI_API_KEY)",
    "rejected": "the model service rejected the request",
}


def classify_model_error(exc: BaseException) -> ModelErrorKind | None:
    """Map an exception from a chat model call to a kind, or ``None`` for "not a service error"."""
    try:
        import openai
    except ImportError:  # pragma: no cover - langchain-openai is a dependency
        return None
    text = str(exc).lower()
    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "unreachable"
    if isinstance(exc, openai.RateLimitError):
        return "rate_limited"
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return "auth"
    if isinstance(exc, openai.APIStatusError):
        code = getattr(exc, "code", None)
        if code == "context_length_exceeded" or any(p in text for p in _CONTEXT_PHRASES):
            return "context_length"
        if exc.status_code >= 500:
            return "server_error"
        return "rejected"
    if isinstance(exc, TimeoutError):
        return "timeout"
    return None


def describe_model_error(kind: ModelErrorKind, exc: BaseException) -> str:
    detail = " ".join(str(exc).split())[:300]
    return (
        f"[model error: {kind}] Sorry, I could not answer: {MODEL_ERROR_MESSAGES[kind]} "
        f"({detail}). Your message is saved in memory; send it again to retry."
    )
