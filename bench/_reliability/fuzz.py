"""Fuzzed tool calls: generated memory tool calls, many malformed, played through the graph.

`hypothesis` generates each call: a memory tool (or an unknown name, or arguments that are not
JSON) and, per argument, either a sound value or a hostile one: a wrong type, an empty or huge
string, lone surrogates (text that is not valid Unicode), FTS/SQL-injection-shaped text,
negative or huge pages, unknown block labels, missing arguments. A model stand-in sends ten
such calls per turn through the whole graph (``reason`` -> ``memory_interrupt`` -> ``reason``).

A loss is: an exception escaping ``invoke``; a call left without exactly one ``ToolMessage``;
an error that does not name the argument at fault (or the tool, for an unknown tool or
unparsable arguments); a hostile value that must be refused but was accepted.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from bench._reliability.common import Outcome, timed

CALLS_PER_TURN = 10

INJECTIONS = (
    "'; DROP TABLE recall; --",
    '" OR 1=1 --',
    "x' UNION SELECT value FROM core_blocks --",
    'boat" NEAR(key, 2) "',
    "boat AND OR NOT",
    "(((",
    '"unbalanced',
    "* ^ : -",
    "title:boat",
    "\\x00\\\\ %s %d {}",
    "%' OR '%'='",
    "$$ ; SELECT pg_sleep(5); $$",
    "E'\\\\' ||",
    "NEAR/3 boat key",
    "boat* OR key*",
)


#: Kinds of hostile values that must be refused (the others may be accepted: an injection-shaped
#: query is a query, a huge passage is saved in pieces, a wrong type may be coerced).
REFUSED = {"empty", "invalid unicode", "negative", "missing", "unknown label", "not a date"}


@dataclass
class Generated:
    """One generated call and what the harness expects of its reply."""

    name: str
    args: dict[str, Any] | str  # a str is arguments that are not JSON
    #: argument name -> kind of hostile value given to it
    hostile: dict[str, str] = field(default_factory=dict)

    def must_fail(self) -> bool:
        refused = {
            arg
            for arg, kind in self.hostile.items()
            if kind in REFUSED and not (arg == "new_content" and kind == "empty")  # deletes
        }
        return isinstance(self.args, str) or self.name not in TOOL_FIELDS or bool(refused)

    def names(self) -> set[str]:
        """What an error about this call must mention: the tool (unknown, or arguments that
        are not JSON), else one of its arguments (the one at fault may be a sound value
        refused for the block's state, e.g. old_content no longer in the block)."""
        if isinstance(self.args, str) or self.name not in TOOL_FIELDS:
            return {self.name}
        return set(TOOL_FIELDS[self.name])


_text = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=40).filter(str.strip)
_words = st.sampled_from(["boat", "key", "locker", "garden", "tea", "Bob", "the spare key"])
_surrogates = st.text(alphabet=st.characters(categories=["Cs"]), min_size=1, max_size=4)
_wrong_types = st.one_of(
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
#: (kind, strategy) of hostile values for text arguments
_HOSTILE_TEXT = (
    ("wrong type", _wrong_types),
    ("empty", st.sampled_from(["", " ", "\n\t "])),
    ("huge", st.integers(20_001, 120_000).map(lambda n: ("spare key " * (n // 10 + 1))[:n])),
    ("invalid unicode", st.tuples(_words, _surrogates).map(lambda p: p[0] + p[1] + p[0])),
    ("injection", st.sampled_from(INJECTIONS)),
    ("odd unicode", _text),
)
_HOSTILE_PAGE = (
    ("negative", st.integers(-(2**70), -1)),
    ("huge page", st.integers(1_000, 2**70)),
    (
        "wrong type",
        st.one_of(
            st.text(max_size=5), st.floats(allow_nan=True), st.lists(st.integers(), max_size=2)
        ),
    ),
)
_HOSTILE_LABEL = (
    ("unknown label", st.text(max_size=70).filter(lambda s: s not in ("human", "persona"))),
    ("wrong type", _wrong_types),
)
_HOSTILE_DATE = (
    (
        "not a date",
        st.one_of(st.text(max_size=20), st.sampled_from(["2026-13-45", "31/12/2026", "yesterday"])),
    ),
    ("wrong type", _wrong_types),
    ("invalid unicode", _surrogates),
)
_HOSTILE_TAGS = (
    (
        "wrong type",
        st.one_of(
            st.integers(),
            st.text(min_size=1, max_size=5),
            st.lists(st.integers(), min_size=1, max_size=3),
        ),
    ),
    ("odd tags", st.lists(st.text(max_size=300), max_size=5)),
)

#: each tool's arguments: name -> (sound values, hostile values, required)
TOOL_FIELDS: dict[str, dict[str, tuple[Any, tuple[tuple[str, Any], ...], bool]]] = {
    "core_memory_append": {
        "label": (st.sampled_from(["human", "persona"]), _HOSTILE_LABEL, True),
        "content": (_words, _HOSTILE_TEXT, True),
    },
    "core_memory_replace": {
        "label": (st.just("human"), _HOSTILE_LABEL, True),
        "old_content": (st.just("Bob"), _HOSTILE_TEXT, True),
        "new_content": (_words, _HOSTILE_TEXT, True),
    },
    "archival_memory_insert": {
        "content": (_words, _HOSTILE_TEXT, True),
        "tags": (st.one_of(st.none(), st.lists(_words, max_size=2)), _HOSTILE_TAGS, False),
    },
    "archival_memory_search": {
        "query": (_words, _HOSTILE_TEXT, True),
        "page": (st.just(0), _HOSTILE_PAGE, False),
    },
    "conversation_search": {
        "query": (_words, _HOSTILE_TEXT, True),
        "page": (st.just(0), _HOSTILE_PAGE, False),
    },
    "conversation_search_date": {
        "start_date": (st.just("2020-01-01"), _HOSTILE_DATE, True),
        "end_date": (st.just("2100-01-01"), _HOSTILE_DATE, True),
        "page": (st.just(0), _HOSTILE_PAGE, False),
    },
}


@st.composite
def tool_calls(draw: st.DrawFn) -> Generated:
    what = draw(st.sampled_from([*TOOL_FIELDS] * 3 + ["unknown tool", "not json"]))
    if what == "unknown tool":
        return Generated(
            draw(st.text(min_size=1, max_size=30).filter(lambda n: n not in TOOL_FIELDS)), {}
        )
    name = draw(st.sampled_from(list(TOOL_FIELDS))) if what == "not json" else what
    if what == "not json":
        return Generated(
            name, draw(st.sampled_from(['{"query": ', "[1, 2", "query=boat", "{'a': 1}", ""]))
        )
    args: dict[str, Any] = {}
    hostile: dict[str, str] = {}
    for arg, (sound, bad, required) in TOOL_FIELDS[name].items():
        choice = draw(st.integers(0, 3))
        if choice == 0 and required and draw(st.integers(0, 5)) == 0:
            hostile[arg] = "missing"
            continue
        if choice == 0:
            kind, strategy = draw(st.sampled_from(bad))
            args[arg] = draw(strategy)
            hostile[arg] = kind
        else:
            args[arg] = draw(sound)
    if draw(st.integers(0, 9)) == 0:
        args["unexpected_argument"] = draw(_text)
    return Generated(name, args, hostile)


class FuzzModel(BaseChatModel):
    """Sends the queued calls when the user speaks, then answers "ok"."""

    queue: list[list[Generated]] = []

    @property
    def _llm_type(self) -> str:
        return "fuzz-model"

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if isinstance(messages[-1], HumanMessage) and self.queue:
            calls, invalid = [], []
            for i, call in enumerate(self.queue.pop(0)):
                if isinstance(call.args, str):
                    invalid.append(
                        {
                            "name": call.name,
                            "args": call.args,
                            "id": f"c{i}",
                            "error": "not JSON",
                            "type": "invalid_tool_call",
                        }
                    )
                else:
                    calls.append(
                        {"name": call.name, "args": call.args, "id": f"c{i}", "type": "tool_call"}
                    )
            reply = AIMessage(content="", tool_calls=calls, invalid_tool_calls=invalid)
        else:
            reply = AIMessage(content="ok")
        return ChatResult(generations=[ChatGeneration(message=reply)])


def run(store: Any, *, backend: str, calls: int, seed: int) -> Outcome:
    from langgraph_memgpt import Memory, create_memgpt_agent
    from langgraph_memgpt.memory.testing import HashEmbeddings

    outcome = Outcome(
        scenario="fuzzed tool calls",
        backend=backend,
        load=f"{calls} generated tool calls ({CALLS_PER_TURN} per turn) through the graph",
    )
    kinds: Counter[str] = Counter()
    played = [0]
    memory = Memory.open(store, embeddings=HashEmbeddings(32))
    model = FuzzModel()
    agent = create_memgpt_agent(model, memory=memory, checkpointer=None, context_window=200_000)

    def one_turn(batch: list[Generated]) -> None:
        turn = played[0] // CALLS_PER_TURN
        user = f"fuzz-{turn}"  # a fresh user: core blocks never fill up across turns
        memory.core.append("human", "Bob likes tea", user_id=user)
        model.queue = [batch]
        config = {"configurable": {"thread_id": f"t{turn}", "user_id": user}}
        played[0] += len(batch)
        for call in batch:
            kinds.update(call.hostile.values() or ["sound"])
            if isinstance(call.args, str):
                kinds["not json"] += 1
            elif call.name not in TOOL_FIELDS:
                kinds["unknown tool"] += 1
        try:
            result = agent.invoke({"messages": [HumanMessage("go")]}, config)
        except Exception as exc:
            outcome.lose(f"exception escaped the graph: {exc!r} for {batch!r}"[:600])
            return
        _check(batch, result["messages"], outcome)

    strategy = st.lists(tool_calls(), min_size=CALLS_PER_TURN, max_size=CALLS_PER_TURN)
    fuzz = settings(
        max_examples=max(1, calls // CALLS_PER_TURN),
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )(given(strategy)(one_turn))
    with timed(outcome):
        fuzz()
        memory.close()
    outcome.checks["calls"] = played[0]
    outcome.faults = dict(sorted(kinds.items()))
    del seed  # hypothesis is derandomized: the same calls on every run
    return outcome


def _check(batch: list[Generated], messages: list[BaseMessage], outcome: Outcome) -> None:
    caller = next(
        m for m in messages if isinstance(m, AIMessage) and (m.tool_calls or m.invalid_tool_calls)
    )
    replies: dict[str, list[ToolMessage]] = {}
    for message in messages:
        if isinstance(message, ToolMessage):
            replies.setdefault(message.tool_call_id, []).append(message)
    ids = [c["id"] for c in [*caller.tool_calls, *caller.invalid_tool_calls]]
    by_id = {f"c{i}": call for i, call in enumerate(batch)}
    for call_id in ids:
        call = by_id[str(call_id)]
        got = replies.get(str(call_id), [])
        if len(got) != 1:
            outcome.lose(f"{len(got)} replies to the call {call.name}({_short(call.args)})")
            continue
        reply = got[0]
        text = str(reply.content)
        if reply.status == "error":
            outcome.checks["errors"] = outcome.checks.get("errors", 0) + 1
            if call.names() and not any(n in text or repr(n) in text for n in call.names()):
                outcome.lose(f"error names none of {sorted(call.names())}: {text[:200]!r}")
        elif call.must_fail():
            outcome.lose(
                f"accepted {call.hostile} in {call.name}({_short(call.args)}): {text[:120]!r}"
            )


def _short(args: Any) -> str:
    return json.dumps(args, default=str)[:200]
