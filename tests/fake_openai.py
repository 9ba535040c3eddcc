"""A small OpenAI-compatible chat-completions server for tests, on 127.0.0.1.

It answers from a script (replies with text and/or tool calls, HTTP errors, delays), streams
when asked (server-sent events, as the real API does) and records every request body, so tests
can drive the real ``ChatOpenAI`` client through the graph and assert on what it sent. Like the
real API it answers 400 to messages that break the tool-call pairing rule (``pairing.py``).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.pairing import PairingError, Turn, check_pairing


@dataclass
class Reply:
    """One scripted answer. ``raw_arguments`` lets a test send malformed tool-call JSON."""

    content: str = ""
    tool_calls: list[tuple[str, dict[str, Any] | str]] = field(default_factory=list)
    status: int = 200
    error: dict[str, Any] | None = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


def text(content: str) -> Reply:
    return Reply(content=content)


def calls(*items: tuple[str, dict[str, Any] | str], content: str = "") -> Reply:
    return Reply(content=content, tool_calls=list(items))


def http_error(status: int, message: str, code: str | None = None, **headers: str) -> Reply:
    return Reply(
        status=status,
        error={"message": message, "type": "invalid_request_error", "code": code},
        headers=headers,
    )


class FakeOpenAI:
    """The server; use :func:`serve` to run it for the length of a test."""

    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        self.default = Reply(content="ok")
        self.rejected: list[str] = []  # why requests were refused (the pairing rule)
        #: Answers requests sent without tools (the graph's summarizer) when set: called with
        #: the number of such requests so far, so each summary can be told apart.
        self.summarize: Callable[[int], Reply] | None = None
        self._summaries = 0
        #: Answers the poisoning guard's review requests (a provider model reviews what the
        #: learned score is unsure of): kept apart from ``requests`` and the script, so a test
        #: of the graph sees the same calls whatever the guard asks. Set to None to script them.
        self.review: Callable[[str], Reply] | None = lambda text: Reply(
            content='{"injection": false, "why": "ordinary content"}'
        )
        self.reviews: list[str] = []
        self._lock = threading.Lock()
        self._count = 0

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if "messages" in r]

    def next_reply(self, body: dict[str, Any] | None = None) -> Reply:
        with self._lock:
            self._count += 1
            if self.summarize is not None and body is not None and not body.get("tools"):
                self._summaries += 1
                return self.summarize(self._summaries)
            return self.script.pop(0) if self.script else self.default

    def completion(self, reply: Reply, model: str) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": reply.content or None}
        if reply.tool_calls:
            message["tool_calls"] = [
                {
                    "id": f"call_{self._count}_{i}",
                    "type": "function",
                    "function": {
                        "name": name,
                        "arguments": args if isinstance(args, str) else json.dumps(args),
                    },
                }
                for i, (name, args) in enumerate(reply.tool_calls)
            ]
        return {
            "id": f"chatcmpl-{self._count}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if reply.tool_calls else "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        }

    def chunks(self, reply: Reply, model: str) -> Iterator[dict[str, Any]]:
        base = {
            "id": f"chatcmpl-{self._count}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
        }
        yield {**base, "choices": [{"index": 0, "delta": {"role": "assistant"}}]}
        for word in reply.content.split(" ") if reply.content else []:
            piece = word if word == reply.content.split(" ")[0] else " " + word
            yield {**base, "choices": [{"index": 0, "delta": {"content": piece}}]}
        for i, (name, args) in enumerate(reply.tool_calls):
            arguments = args if isinstance(args, str) else json.dumps(args)
            delta = {
                "tool_calls": [
                    {
                        "index": i,
                        "id": f"call_{self._count}_{i}",
                        "type": "function",
                        "function": {"name": name, "arguments": arguments},
                    }
                ]
            }
            yield {**base, "choices": [{"index": 0, "delta": delta}]}
        finish = "tool_calls" if reply.tool_calls else "stop"
        yield {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}


def pairing_error(messages: list[dict[str, Any]] | None) -> str | None:
    """Why the real API would refuse ``messages`` (a chat request's), or None."""
    if not messages:
        return None
    turns = [
        Turn(
            m.get("role", ""),
            tuple(c["id"] for c in m.get("tool_calls") or ()),
            m.get("tool_call_id"),
        )
        for m in messages
    ]
    try:
        check_pairing(turns)
    except PairingError as exc:
        return str(exc)
    return None


def _handler(server: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def _send_json(self, status: int, body: Any, headers: dict[str, str]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._send_json(
                200, {"object": "list", "data": [{"id": "fake", "object": "model"}]}, {}
            )

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            asked = _review_text(body)
            if asked is not None and server.review is not None:
                server.reviews.append(asked)
                self._send_json(200, server.completion(server.review(asked), "fake"), {})
                return
            server.requests.append(body)
            refusal = pairing_error(body.get("messages"))
            if refusal is not None:
                server.rejected.append(refusal)
                self._send_json(
                    400,
                    {"error": {"message": refusal, "type": "invalid_request_error", "code": None}},
                    {},
                )
                return
            reply = server.next_reply(body)
            if reply.delay:
                time.sleep(reply.delay)
            if reply.status != 200:
                with suppress(BrokenPipeError, ConnectionResetError):
                    self._send_json(reply.status, {"error": reply.error}, reply.headers)
                return
            model = body.get("model", "fake")
            try:
                if body.get("stream"):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    for chunk in server.chunks(reply, model):
                        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                        self.wfile.flush()
                    self.wfile.write(b"data: [DONE]\n\n")
                else:
                    self._send_json(200, server.completion(reply, model), {})
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

    return Handler


def _review_text(body: dict[str, Any]) -> str | None:
    """The text of a guard review request (``memory/guard/review.py``'s prompt), else None."""
    from langgraph_memgpt.memory.guard.review import REVIEW_PROMPT

    messages = body.get("messages") or []
    if body.get("tools") or len(messages) != 1:
        return None
    content = messages[0].get("content")
    opening = REVIEW_PROMPT.split("\n", 1)[0]
    return content if isinstance(content, str) and content.startswith(opening) else None


@contextmanager
def serve() -> Iterator[tuple[FakeOpenAI, str]]:
    """Run a fake server on a free loopback port; yields it and its ``base_url``."""
    fake = FakeOpenAI()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()
