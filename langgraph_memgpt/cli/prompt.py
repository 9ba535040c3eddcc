"""Reading what the user types in ``chat``: whole pastes, Ctrl-C clears, Ctrl-D leaves.

On a terminal the line is read with ``prompt_toolkit``: it turns on bracketed paste, so a
multi-line paste arrives whole (as typed text it would be sent line by line, and the
terminal's line discipline cuts a line at 4,095 characters without a word); Enter sends it.
Ctrl-C at the prompt clears the line, Ctrl-D on an empty line ends the chat. Piped input is
read a line at a time, each line a message. A NUL character, which no store keeps, is
replaced by U+FFFD (as the graph does with tool output) rather than losing the message.
"""

from __future__ import annotations

import sys
from typing import Any

PROMPT = "you> "
#: The longest line a terminal in canonical mode hands to ``input()`` (N_TTY_BUF_SIZE - 1).
TTY_LINE_LIMIT = 4095


class Prompt:
    """The chat's input: ``read()`` gives the next message, None after a Ctrl-C, and raises
    ``EOFError`` when the user leaves (Ctrl-D, end of piped input)."""

    def __init__(self, out: Any) -> None:
        self._out = out
        self._session: Any = None
        self._tty = sys.stdin.isatty()
        if self._tty and out.isatty():
            self._session = _session(getattr(out, "raw", out))

    def read(self) -> str | None:
        if self._session is not None:
            try:
                text = str(self._session.prompt(PROMPT))
            except KeyboardInterrupt:
                return None  # the line is dropped; prompt_toolkit has shown ^C
        else:
            try:
                text = input(PROMPT)
            except KeyboardInterrupt:
                print("^C", file=self._out)
                return None
            if self._tty and len(text) >= TTY_LINE_LIMIT:
                print(
                    f"(the terminal cut this line at {TTY_LINE_LIMIT} characters; install "
                    "prompt_toolkit or pipe the text in to send it whole)",
                    file=self._out,
                )
        return text.replace("\x00", "\ufffd")


def _session(stream: Any) -> Any:
    """A prompt_toolkit session writing to ``stream``, or None without prompt_toolkit."""
    try:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.output import create_output
    except ImportError:  # pragma: no cover - a dependency; input() still works
        return None
    output = create_output(stdout=stream)
    # No cursor position requests (CPR): the prompt shows no menus below the line, and a CPR
    # answer arriving around a Ctrl-C that stopped a turn swallowed the next Ctrl-D.
    if hasattr(output, "enable_cpr"):
        output.enable_cpr = False
    session: Any = PromptSession(output=output)
    bound_undo(session.default_buffer)
    return session


#: Undo steps a prompt keeps. prompt_toolkit keeps the whole text at every step, so a long text
#: typed key by key (a paste in a terminal without bracketed paste) cost memory quadratic in
#: its length: 40 KB took 812 MB, 385 KB passed 11 GB before it ended.
UNDO_STEPS = 100


def bound_undo(buffer: Any) -> None:
    """Keep only the last :data:`UNDO_STEPS` undo states of ``buffer`` (Ctrl-_ still undoes
    the recent edits; nothing typed is dropped, only old ways back)."""
    save = buffer.save_to_undo_stack

    def bounded(clear_redo_stack: bool = True) -> None:
        save(clear_redo_stack)
        stack = getattr(buffer, "_undo_stack", None)
        if isinstance(stack, list) and len(stack) > UNDO_STEPS:
            del stack[: len(stack) - UNDO_STEPS]

    buffer.save_to_undo_stack = bounded
