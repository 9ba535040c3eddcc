"""Core memory: named, size-limited blocks pinned in the system prompt.

Blocks are kept per (agent_id, user_id), not per thread, so a new conversation with the same
user starts with everything the agent pinned before. ``persona`` and ``human`` always exist;
they are written to the database on the namespace's first access so their defaults can be
edited like any other block.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from langgraph_memgpt.memory._validate import check_id, check_text, now_iso
from langgraph_memgpt.memory.backends.database import MemoryDatabase
from langgraph_memgpt.memory.backends.prompt_view import read_prompt_view
from langgraph_memgpt.memory.tiers.recall_base import UNINDEXED_KEY
from langgraph_memgpt.memory.types import DEFAULT_AGENT_ID, Block, MemoryStoreError, PromptView

DEFAULT_LIMIT = 2000
MAX_LIMIT = 100_000
MAX_LABEL_CHARS = 128
#: What a label may not hold: control characters (the prompt shows one block per line), the
#: characters of the tags the prompt wraps a block in, and backslashes.
_LABEL_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>"\\]')
LABEL_RULE = (
    f"1-{MAX_LABEL_CHARS} characters without spaces at either end, control characters, "
    "< > \" or \\, and no '.' or '..' path segment; path-like labels such as "
    "'system/persona/soul' are allowed"
)
_QUOTE_CHARS = 600
#: Meta key marking a namespace whose blocks came from an agent file: no defaults are added.
_NO_DEFAULTS = "core/no-defaults/{ns}"

DEFAULT_BLOCKS: tuple[Block, ...] = (
    Block(
        label="persona",
        value=(
            "I am a helpful assistant with a long-term memory. I remember what the user tells "
            "me, keep lasting facts about them in core memory, and search my memory before "
            "saying I don't know."
        ),
        limit=DEFAULT_LIMIT,
        description="Who I am and how I behave. Edit to change my personality or rules.",
    ),
    Block(
        label="human",
        value="",
        limit=DEFAULT_LIMIT,
        description=(
            "What I know about the user: name, preferences and lasting facts worth keeping "
            "in view in every conversation."
        ),
    ),
)


def label_problem(label: object) -> str | None:
    """Why ``label`` cannot name a block, or None. Labels are what Letta allows, path-like ones
    (``system/persona/soul``, ``/note_directory``) included, and are addressed as written."""
    if not isinstance(label, str):
        return f"a block label must be a string, got {type(label).__name__}"
    if (
        not label.strip()
        or label != label.strip()
        or len(label) > MAX_LABEL_CHARS
        or _LABEL_FORBIDDEN.search(label)
        or any(part in (".", "..") for part in label.split("/"))
    ):
        return f"{label[: MAX_LABEL_CHARS + 1]!r} is not a block label ({LABEL_RULE})"
    return None


def _quote(value: str) -> str:
    if not value:
        return "(the block is empty)"
    if len(value) <= _QUOTE_CHARS:
        return repr(value)
    return repr(value[:_QUOTE_CHARS]) + f" ... ({len(value) - _QUOTE_CHARS} more characters)"


class CoreMemory:
    """Read and edit core blocks. Every edit is checked against the block's character limit."""

    def __init__(self, db: MemoryDatabase) -> None:
        self._db = db
        self._seeded: set[int] = set()

    # -- reading -------------------------------------------------------------------------
    def _ns(self, user_id: str, agent_id: str, *, seed: bool = True) -> int:
        """Namespace id, seeding the default blocks the first time it is seen (unless
        ``seed`` is false or the namespace's blocks came from an agent file)."""
        check_id(user_id, "user_id")
        check_id(agent_id, "agent_id")
        read_only = getattr(self._db, "read_only", False)  # a store opened to read: no seeding
        ns = self._db.namespace(agent_id, user_id, create=not read_only)
        if ns is None:
            raise MemoryStoreError(
                f"no memory for user {user_id!r} (agent {agent_id!r}) in this read-only store."
            )
        if ns in self._seeded or not seed or read_only:
            return ns
        if self._db.get_meta(_NO_DEFAULTS.format(ns=ns)) is not None:
            self._seeded.add(ns)  # an agent restored from a file: only the file's blocks
            return ns
        with self._db.transaction() as conn:
            for position, block in enumerate(DEFAULT_BLOCKS):
                conn.execute(
                    "INSERT INTO core_blocks(ns, label, value, char_limit, description, "
                    "position, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    _block_row(ns, block, position),
                )
        self._seeded.add(ns)
        return ns

    def _blocks(self, ns: int) -> dict[str, Block]:
        with self._db.read() as conn:
            return _read_blocks(conn, ns)

    def get(self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> dict[str, Block]:
        """All blocks of the namespace, ordered persona, human, then others by creation."""
        return self._blocks(self._ns(user_id, agent_id))

    def prompt_view(self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> PromptView:
        """The blocks (as :meth:`get`) and the tiers' counts a prompt shows, in one statement
        (``backends/prompt_view.py``), read afresh each call: another process may write."""
        ns = self._ns(user_id, agent_id)
        with self._db.read() as conn:
            return read_prompt_view(conn, ns, UNINDEXED_KEY.format(ns=ns))

    def get_block(self, label: str, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> Block:
        blocks = self.get(user_id=user_id, agent_id=agent_id)
        return self._require(blocks, label)

    def render(self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> str:
        """The blocks as the system prompt shows them (see ``Block.render``)."""
        blocks = self.get(user_id=user_id, agent_id=agent_id)
        return "\n".join(block.render() for block in blocks.values())

    # -- editing -------------------------------------------------------------------------
    @staticmethod
    def _require(blocks: dict[str, Block], label: object) -> Block:
        if not isinstance(label, str) or label not in blocks:
            valid = ", ".join(repr(name) for name in blocks)
            raise MemoryStoreError(f"unknown core memory block {label!r}; valid labels: {valid}.")
        return blocks[label]

    def _edit(
        self, ns: int, label: object, change: Callable[[Block], str], once_key: str | None = None
    ) -> Block:
        """Read, check and write a block in one transaction, its rows locked (a write lock on
        SQLite, ``FOR UPDATE`` on Postgres): two processes appending at once both keep their
        text, where a read outside the transaction would let the second overwrite the first.

        ``once_key`` (a tool call's id) is recorded in ``core_calls`` in the same transaction:
        when it is there already the edit was applied (a turn resumed after a crash replays
        the call) and the block is returned as it is, unchanged."""
        with self._db.transaction() as conn:
            block = self._require(_read_blocks(conn, ns, lock=self._db.row_lock), label)
            if once_key is not None:
                fresh = conn.execute(
                    "INSERT INTO core_calls(ns, call_key, label, applied_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (ns, once_key, block.label, now_iso()),
                ).rowcount
                if not fresh:
                    return block
            block.value = change(block)
            conn.execute(
                "UPDATE core_blocks SET value=?, updated_at=? WHERE ns=? AND label=?",
                (block.value, now_iso(), ns, block.label),
            )
        return block

    @staticmethod
    def _check_fits(block: Block, new_value: str, action: str, what: str) -> None:
        """Refuse an edit over the block's limit, naming the argument at fault first (``what``)
        as every store message does, so a tool can point the model at it."""
        if len(new_value) > block.limit:
            free = block.limit - len(block.value)
            raise MemoryStoreError(
                f"{what} does not fit: cannot {action}, block {block.label!r} would have "
                f"{len(new_value)} characters but its limit is {block.limit} "
                f"({len(block.value)} used, {free} free). "
                "Shorten the text, or condense the block with core_memory_replace first "
                "(move details to archival memory)."
            )

    def append(
        self,
        label: str,
        content: str,
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        once_key: str | None = None,
    ) -> Block:
        """Append ``content`` on a new line of the block; error if it would exceed the limit.
        With ``once_key`` a second call under the same key changes nothing (see ``_edit``)."""
        ns = self._ns(user_id, agent_id)
        content = check_text(content, "content", MAX_LIMIT)

        def appended(block: Block) -> str:
            new_value = f"{block.value}\n{content}" if block.value else content
            self._check_fits(block, new_value, f"append {len(content)} characters", "content")
            return new_value

        return self._edit(ns, label, appended, once_key)

    def replace(
        self,
        label: str,
        old: str,
        new: str,
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        once_key: str | None = None,
    ) -> Block:
        """Replace every occurrence of ``old`` with ``new`` (``""`` deletes), as MemGPT does.
        With ``once_key`` a second call under the same key changes nothing (see ``_edit``)."""
        ns = self._ns(user_id, agent_id)

        def replaced(block: Block) -> str:
            checked_old = check_text(old, "old", MAX_LIMIT)
            checked_new = check_text(new, "new", MAX_LIMIT, allow_empty=True)
            if checked_old not in block.value:
                raise MemoryStoreError(
                    f"text {checked_old!r} not found in block {label!r}; its current value is "
                    f"{_quote(block.value)}. Copy the exact text to replace from the block."
                )
            new_value = block.value.replace(checked_old, checked_new)
            self._check_fits(block, new_value, "replace", "new")
            return new_value

        return self._edit(ns, label, replaced, once_key)

    def set(
        self, label: str, value: str, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID
    ) -> Block:
        """Overwrite a block's whole value (for the graph's write-through and admin tools)."""
        ns = self._ns(user_id, agent_id)

        def overwritten(block: Block) -> str:
            checked = check_text(value, "value", MAX_LIMIT, allow_empty=True)
            self._check_fits(block, checked, "set the value", "value")
            return checked

        return self._edit(ns, label, overwritten)

    def update(
        self,
        label: str,
        change: Callable[[Block], str],
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
    ) -> Block:
        """Rewrite a block as a function of its current value, in one locked transaction
        (so a concurrent append is never lost). No limit check: consolidation uses it to
        bring a block back within its limit."""
        return self._edit(self._ns(user_id, agent_id), label, change)

    def create_block(
        self,
        label: str,
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        value: str = "",
        limit: int = DEFAULT_LIMIT,
        description: str = "",
    ) -> Block:
        """Add a user-defined block after the existing ones."""
        problem = label_problem(label)
        if problem is not None:
            raise MemoryStoreError(f"invalid block label: {problem}.")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise MemoryStoreError(
                f"limit must be an integer from 1 to {MAX_LIMIT}, got {limit!r}."
            )
        value = check_text(value, "value", MAX_LIMIT, allow_empty=True)
        description = check_text(description, "description", 2000, allow_empty=True)
        if len(value) > limit:
            raise MemoryStoreError(
                f"value has {len(value)} characters but the block limit is {limit}; "
                "shorten it or raise the limit."
            )
        ns = self._ns(user_id, agent_id)
        with self._db.transaction() as conn:
            exists = conn.execute(
                "SELECT 1 FROM core_blocks WHERE ns=? AND label=?", (ns, label)
            ).fetchone()
            if exists:
                raise MemoryStoreError(
                    f"core memory block {label!r} already exists; edit it with append/replace."
                )
            (position,) = conn.execute(
                "SELECT COALESCE(MAX(position), -1) + 1 FROM core_blocks WHERE ns=?", (ns,)
            ).fetchone()
            conn.execute(
                "INSERT INTO core_blocks(ns, label, value, char_limit, description, position, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (ns, label, value, limit, description, position, now_iso()),
            )
        return Block(label, value, limit, description)

    def count(self, *, user_id: str, agent_id: str = DEFAULT_AGENT_ID) -> int:
        return len(self.get(user_id=user_id, agent_id=agent_id))

    def restore(
        self,
        blocks: Sequence[Block],
        *,
        user_id: str,
        agent_id: str = DEFAULT_AGENT_ID,
        only: bool = False,
    ) -> None:
        """Write these blocks (value, limit, description; created if missing, in this order
        after existing ones) in one transaction: an import's core memory, all or nothing.

        ``only``: the namespace holds exactly these blocks, now and later (an agent from a
        file that had no ``persona``/``human`` gets none); unedited defaults are removed."""
        checked = []
        for block in blocks:
            problem = label_problem(block.label)
            if problem is not None:
                raise MemoryStoreError(f"invalid block label: {problem}.")
            limit = block.limit
            if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
                raise MemoryStoreError(f"block {block.label!r}: limit must be 1-{MAX_LIMIT}.")
            value = check_text(block.value, f"block {block.label!r}", limit, allow_empty=True)
            description = check_text(block.description, "description", 2000, allow_empty=True)
            checked.append(Block(block.label, value, limit, description))
        ns = self._ns(user_id, agent_id, seed=not only)
        with self._db.transaction() as conn:
            if only:
                conn.execute(
                    "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING",
                    (_NO_DEFAULTS.format(ns=ns), now_iso()),
                )
                for default in DEFAULT_BLOCKS:  # unedited: the file's blocks take their place
                    conn.execute(
                        "DELETE FROM core_blocks WHERE ns=? AND label=? AND value=?",
                        (ns, default.label, default.value),
                    )
            for block in checked:
                (position,) = conn.execute(
                    "SELECT COALESCE(MAX(position), -1) + 1 FROM core_blocks WHERE ns=?", (ns,)
                ).fetchone()
                conn.execute(
                    "INSERT INTO core_blocks(ns, label, value, char_limit, description, "
                    "position, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(ns, label) "
                    "DO UPDATE SET value=excluded.value, char_limit=excluded.char_limit, "
                    "description=excluded.description, updated_at=excluded.updated_at",
                    _block_row(ns, block, position),
                )


def _block_row(ns: int, block: Block, position: int) -> tuple[Any, ...]:
    """The values of one ``core_blocks`` row, in the column order every insert names."""
    return (ns, block.label, block.value, block.limit, block.description, position, now_iso())


def _read_blocks(conn: Any, ns: int, *, lock: str = "") -> dict[str, Block]:
    rows = conn.execute(
        "SELECT label, value, char_limit, description FROM core_blocks WHERE ns=? "
        "ORDER BY position, label" + lock,
        (ns,),
    ).fetchall()
    return {row[0]: Block(row[0], row[1], int(row[2]), row[3]) for row in rows}
