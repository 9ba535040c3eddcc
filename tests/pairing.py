"""The tool-call pairing rule of the OpenAI chat API, for the test doubles to enforce.

A real server answers 400 when an assistant message with tool calls is not followed, at once,
by one tool message per call id, or when a tool message answers no call of the assistant
message right before it. Both test models (the scripted one in ``conftest.py`` and the HTTP
server in ``fake_openai.py``) apply this rule, so a pairing bug in the graph (an eviction that
splits a call from its result, a call left unanswered) fails every test that trips it instead
of passing against a lenient fake.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Turn:
    """One message reduced to what the rule needs: its role and the call ids it opens/answers."""

    role: str  # "assistant", "tool" or anything else
    call_ids: tuple[str, ...] = ()  # an assistant's tool-call ids
    answers: str | None = None  # a tool message's tool_call_id


class PairingError(ValueError):
    """What the server would reject, worded like its 400 message."""


def check_pairing(turns: Iterable[Turn]) -> None:
    """Raise :class:`PairingError` where the sequence breaks the pairing rule."""
    open_ids: list[str] = []  # calls of the last assistant message still awaiting their result
    answerable: set[str] = set()  # calls the current run of tool messages may answer
    for index, turn in enumerate(turns):
        if turn.role == "tool":
            if turn.answers not in answerable:
                raise PairingError(
                    f"messages[{index}]: messages with role 'tool' must be a response to a "
                    f"preceding message with 'tool_calls' (tool_call_id {turn.answers!r})"
                )
            answerable.discard(str(turn.answers))
            open_ids = [i for i in open_ids if i != turn.answers]
            continue
        _require_answered(open_ids, index)
        open_ids = list(turn.call_ids) if turn.role == "assistant" else []
        answerable = set(open_ids)
    _require_answered(open_ids, None)


def _require_answered(open_ids: Sequence[str], index: int | None) -> None:
    if open_ids:
        where = "the end of the prompt" if index is None else f"messages[{index}]"
        raise PairingError(
            "An assistant message with 'tool_calls' must be followed by tool messages "
            f"responding to each 'tool_call_id'. The following tool_call_ids did not have "
            f"response messages before {where}: {', '.join(open_ids)}"
        )
