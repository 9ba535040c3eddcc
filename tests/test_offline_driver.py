"""The offline driver, called directly with hand-built main contexts (no graph needed).

Each test builds what the graph would send (system prompt with core memory, the FIFO, tool
results) and asserts on the driver's decision: which tool, which arguments, what the answer
quotes. Tool results are produced by a tiny fake executor so tool_call ids line up.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.messages.utils import count_tokens_approximately
from langchain_core.tools import tool

from langgraph_memgpt.memory.text import analysis
from langgraph_memgpt.models import OfflineDriver
from langgraph_memgpt.models.offline import (
    content_words,
    extract_dates,
    extract_facts,
    summarize_transcript,
)
from langgraph_memgpt.prompts import (
    CORE_MEMORY_HEADER,
    MEMORY_ALERT_NAME,
    MEMORY_STATS_HEADER,
    PRESSURE_ALERT,
    SUMMARY_HEADER,
    SUMMARY_SYSTEM_PROMPT,
    SUMMARY_USER_TEMPLATE,
    SYSTEM_PROMPT,
)

# --- the MemGPT tool surface, as real LangChain tools (bodies never run here) -----------------


@tool
def core_memory_append(label: str, content: str) -> str:
    """Append a lasting fact to a core memory block."""
    return "ok"


@tool
def core_memory_replace(label: str, old_content: str, new_content: str) -> str:
    """Replace exact text in a core memory block."""
    return "ok"


@tool
def archival_memory_insert(content: str, tags: list[str] | None = None) -> str:
    """Save a passage to archival memory."""
    return "ok"


@tool
def archival_memory_search(query: str, page: int = 0) -> str:
    """Search archival memory."""
    return "ok"


@tool
def conversation_search(query: str, page: int = 0) -> str:
    """Full-text search over past messages."""
    return "ok"


@tool
def conversation_search_date(start_date: str, end_date: str, page: int = 0) -> str:
    """Past messages between two dates."""
    return "ok"


MEMORY_TOOLS = [
    core_memory_append,
    core_memory_replace,
    archival_memory_insert,
    archival_memory_search,
    conversation_search,
    conversation_search_date,
]

CITATION = "thread t1, turn 3, 2026-11-25T12:00:00+00:00, source chat"


def system(
    human: str = "", persona: str = "I am a helpful assistant.", limit: int = 2000
) -> SystemMessage:
    """The main context header exactly as the graph renders it."""
    blocks = "\n".join(
        f'<{label} characters="{len(value)}/{limit}">\n{value}\n</{label}>'
        for label, value in (("persona", persona), ("human", human))
    )
    return SystemMessage(
        f"{SYSTEM_PROMPT}\n\n{CORE_MEMORY_HEADER}\n{blocks}\n\n"
        f"{SUMMARY_HEADER}\n(nothing evicted yet)\n\n"
        f"{MEMORY_STATS_HEADER}\n12 messages in recall memory, 3 passages in archival memory; "
        "0 messages evicted from this prompt so far. Today is 2026-11-25."
    )


def alert() -> HumanMessage:
    return HumanMessage(
        PRESSURE_ALERT.format(percent=72, tokens=1800, budget=2500), name=MEMORY_ALERT_NAME
    )


def hit(text: str, citation: str = CITATION, **metadata: Any) -> dict[str, Any]:
    return {"id": "r1", "text": text, "score": 0.9, "citation": citation, "metadata": metadata}


def results(ai: AIMessage, outcomes: dict[str, Any] | None = None) -> list[ToolMessage]:
    """Fake tool executor: one ToolMessage per call, keyed by tool name.

    An outcome is a list of hit dicts (search tools, sent as the artifact), an ``Exception``
    (an error result) or a string; the default is a plain success.
    """
    out = []
    for call in ai.tool_calls:
        outcome = (outcomes or {}).get(call["name"], "Done.")
        if isinstance(outcome, Exception):
            message = ToolMessage(
                f"Error: {outcome}", tool_call_id=call["id"], name=call["name"], status="error"
            )
        elif isinstance(outcome, list):
            content = "\n".join(
                f"[{i}] ({h['citation']}) {h['text']}" for i, h in enumerate(outcome, 1)
            )
            message = ToolMessage(
                content or "No results.",
                tool_call_id=call["id"],
                name=call["name"],
                artifact={"hits": outcome, "page": 0},
            )
        else:
            message = ToolMessage(str(outcome), tool_call_id=call["id"], name=call["name"])
        out.append(message)
    return out


def finish(model: Any, history: list[BaseMessage], rounds: int = 6) -> AIMessage:
    """Run the turn to its reply, every further search coming back empty (nothing more)."""
    for _ in range(rounds):
        ai = model.invoke(history)
        if not ai.tool_calls:
            return ai
        history = [*history, ai, *results(ai, {c["name"]: [] for c in ai.tool_calls})]
    pytest.fail("the driver never answered")


@pytest.fixture
def model() -> Any:
    return OfflineDriver().bind_tools(MEMORY_TOOLS)


def calls(message: BaseMessage) -> list[tuple[str, dict[str, Any]]]:
    assert isinstance(message, AIMessage)
    return [(c["name"], c["args"]) for c in message.tool_calls]


# --- facts ---------------------------------------------------------------------------------


def test_identity_facts_go_to_core_other_facts_to_archival(model: Any) -> None:
    text = "Hi! My name is Alice and I live in Lisbon. Bob's birthday is on 3 March."
    ai = model.invoke([system(), HumanMessage(text)])
    made = calls(ai)
    assert ("core_memory_append", {"label": "human", "content": "Name: Alice"}) in made
    appended = [a["content"] for n, a in made if n == "core_memory_append"]
    assert any("Lisbon" in c and c.startswith("User") for c in appended)  # third person
    inserts = [a["content"] for n, a in made if n == "archival_memory_insert"]
    assert inserts == ["Bob's birthday is on 3 March."]
    assert ai.content == ""


def test_facts_about_the_assistant_go_to_persona(model: Any) -> None:
    made = calls(model.invoke([system(), HumanMessage("Your name is Sam.")]))
    assert made == [("core_memory_append", {"label": "persona", "content": "Name: Sam"})]


@pytest.mark.parametrize(
    ("text", "label", "needle"),
    [
        ("I am 34 years old.", "human", "34"),
        ("I'm allergic to peanuts.", "human", "peanuts"),
        ("My favourite colour is teal.", "human", "teal"),
        ("I work as a nurse.", "human", "nurse"),
        ("I love hiking in the Alps.", "human", "hiking"),
        ("Remember that the Q3 launch moved to May 14.", None, "Q3 launch moved to May 14"),
    ],
)
def test_fact_extraction_routes_each_kind(text: str, label: str | None, needle: str) -> None:
    (fact,) = extract_facts(text)
    assert fact.label == label
    assert needle in (fact.core_text or fact.archival_text)
    assert "remember" not in fact.archival_text.lower()


@pytest.mark.parametrize(
    "text",
    ["hello", "I have a question", "On Sunday I cooked a big pot of soup.", "thanks, that helps"],
)
def test_small_talk_states_no_fact(model: Any, text: str) -> None:
    assert extract_facts(text) == []
    ai = model.invoke([system(), HumanMessage(text)])
    assert not ai.tool_calls and ai.content


def test_known_fact_is_not_stored_twice_and_a_changed_one_is_replaced(model: Any) -> None:
    same = model.invoke([system(human="Name: Alice"), HumanMessage("My name is Alice.")])
    assert not same.tool_calls
    assert "already" in same.content and "Name: Alice" in same.content
    changed = model.invoke([system(human="Name: Bob\nAge: 34"), HumanMessage("My name is Alice.")])
    assert calls(changed) == [
        (
            "core_memory_replace",
            {"label": "human", "old_content": "Name: Bob", "new_content": "Name: Alice"},
        )
    ]


@pytest.mark.parametrize(
    ("text", "old", "new"),
    [
        ("I moved to Quito in May.", "User lives in Lisbon", "User lives in Quito"),
        ("Me mudé a Quito.", "User lives in Lisbon", "User lives in Quito"),
        ("I joined Airbus last month.", "User works at Siemens", "User works at Airbus"),
    ],
)
def test_a_move_or_new_job_in_other_words_replaces_the_core_line(
    model: Any, text: str, old: str, new: str
) -> None:
    ai = model.invoke([system(human=f"Name: Ana\n{old}"), HumanMessage(text)])
    assert calls(ai) == [
        ("core_memory_replace", {"label": "human", "old_content": old, "new_content": new})
    ]


@pytest.mark.parametrize(
    "text", ["I am moving to Oslo next year.", "I'll move to Oslo.", "Anna moved to Rome."]
)
def test_a_plan_or_someone_elses_move_leaves_the_core_line(model: Any, text: str) -> None:
    made = calls(model.invoke([system(human="User lives in Lisbon"), HumanMessage(text)]))
    assert all(name == "archival_memory_insert" for name, _ in made), made


def test_after_stores_the_reply_confirms_what_went_where(model: Any) -> None:
    history: list[BaseMessage] = [
        system(),
        HumanMessage("My name is Alice. The Q3 launch moved to May 14."),
    ]
    ai = model.invoke(history)
    history += [ai, *results(ai)]
    # Core memory now shows the appended fact: it must not be read as "already known".
    history[0] = system(human="Name: Alice")
    final = model.invoke(history)
    assert not final.tool_calls
    assert "core memory" in final.content and "Name: Alice" in final.content
    assert "archival memory" in final.content and "May 14" in final.content
    assert "already" not in final.content


def test_over_limit_append_falls_back_to_archival(model: Any) -> None:
    history: list[BaseMessage] = [system(), HumanMessage("I live in Lisbon.")]
    ai = model.invoke(history)
    ((name, args),) = calls(ai)
    assert name == "core_memory_append"
    over = ValueError(
        "cannot append: block 'human' would have 2010 characters but its limit is 2000"
    )
    history += [ai, *results(ai, {name: over})]
    retry = model.invoke(history)
    assert calls(retry) == [("archival_memory_insert", {"content": "I live in Lisbon."})]
    history += [retry, *results(retry)]
    final = model.invoke(history)
    assert not final.tool_calls and "archival memory" in final.content


def test_visibly_full_block_goes_straight_to_archival(model: Any) -> None:
    full = system(human="x" * 1995)
    made = calls(model.invoke([full, HumanMessage("I live in Lisbon.")]))
    assert made == [("archival_memory_insert", {"content": "I live in Lisbon."})]


def test_unknown_label_is_retried_once_with_human_then_explained(model: Any) -> None:
    history: list[BaseMessage] = [system(), HumanMessage("Your name is Sam.")]
    ai = model.invoke(history)
    unknown = ValueError("unknown core memory block 'persona'; valid labels: human.")
    history += [ai, *results(ai, {"core_memory_append": unknown})]
    retry = model.invoke(history)
    assert calls(retry) == [("core_memory_append", {"label": "human", "content": "Name: Sam"})]
    # The retry fails for a reason the driver cannot fix: it explains instead of looping.
    broken = ValueError("the store is read-only")
    history += [retry, *results(retry, {"core_memory_append": broken})]
    final = model.invoke(history)
    assert not final.tool_calls
    assert "read-only" in final.content


# --- questions -----------------------------------------------------------------------------


def test_question_answered_from_core_memory_without_a_page_fault(model: Any) -> None:
    ai = model.invoke(
        [system(human="Name: Alice\nFavourite colour: teal"), HumanMessage("What is my name?")]
    )
    assert not ai.tool_calls
    assert "core memory" in ai.content and "Alice" in ai.content


@pytest.mark.parametrize(
    "question", ["What is the name of Bob's dog?", "What is my sister's name?"]
)
def test_partial_overlap_with_core_is_not_an_answer(model: Any, question: str) -> None:
    ai = model.invoke([system(human="Name: Alice"), HumanMessage(question)])
    assert calls(ai)[0][0] == "archival_memory_search"


def test_recall_prefers_what_the_user_said_over_an_earlier_answer(model: Any) -> None:
    question = "Where did Alice park the car?"
    history: list[BaseMessage] = [system(), HumanMessage(question)]
    ai = model.invoke(history)
    history += [ai, *results(ai, {"archival_memory_search": []})]
    second = model.invoke(history)
    earlier_answer = "According to recall memory (thread t0): Alice parked the car on level 3."
    recall_hits = [
        hit(earlier_answer, "thread t1, turn 5", role="assistant"),
        hit("I parked the car on level 3", "thread t1, turn 2", role="user"),
    ]
    final = finish(
        model, [*history, second, *results(second, {"conversation_search": recall_hits})]
    )
    assert "thread t1, turn 2" in final.content and "thread t0" not in final.content


def test_question_pages_in_archival_and_cites_the_hit(model: Any) -> None:
    question = "What is Alice's favourite colour?"
    history: list[BaseMessage] = [system(), HumanMessage(question)]
    ai = model.invoke(history)
    assert calls(ai) == [("archival_memory_search", {"query": question})]
    history += [
        ai,
        *results(
            ai,
            {
                "archival_memory_search": [
                    hit("The office moved to Porto.", "thread t9, turn 1"),
                    hit("Alice's favourite colour is teal"),
                ]
            },
        ),
    ]
    final = model.invoke(history)
    assert not final.tool_calls
    assert "teal" in final.content and CITATION in final.content
    assert "archival memory" in final.content and "Porto" not in final.content


def test_hits_are_parsed_from_text_when_there_is_no_artifact(model: Any) -> None:
    history: list[BaseMessage] = [system(), HumanMessage("When is the Q3 launch?")]
    ai = model.invoke(history)
    content = (
        "1 result(s), page 0, in archival memory for 'When is the Q3 launch?':\n"
        f"[1] ({CITATION}) The Q3 launch moved to May 14.\n"
        "Cite results by their (thread, turn, time). More: page=1."
    )
    tool_message = ToolMessage(
        content, tool_call_id=ai.tool_calls[0]["id"], name="archival_memory_search"
    )
    final = model.invoke([*history, ai, tool_message])
    assert "May 14" in final.content and CITATION in final.content


def test_search_queries_keep_letters_beyond_ascii(model: Any) -> None:
    """A question about "café" or "Łódź" used to search for "caf" and "dź": the driver's
    words were ASCII runs, so an accented letter split a word and Cyrillic vanished."""
    for question, expected in [
        ("Which café in Zürich did I like?", {"café", "zürich"}),
        ("Where is the flat in Łódź?", {"łódź"}),
        ("Что я говорил про Москву?", {"москву"}),
    ]:
        history: list[BaseMessage] = [system(), HumanMessage(question)]
        ai = model.invoke(history)
        history += [ai, *results(ai, {"archival_memory_search": []})]
        ((name, args),) = calls(model.invoke(history))  # the fallback's key words
        assert name == "conversation_search"
        assert set(args["query"].split()) >= expected, (question, args)


@pytest.mark.parametrize(
    "archival_hits",
    [[], [hit("Bob plays the violin.")]],  # nothing, or nothing relevant
    ids=["empty", "weak"],
)
def test_empty_or_weak_archival_falls_back_to_conversation_search(
    model: Any, archival_hits: list[dict[str, Any]]
) -> None:
    question = "Where did Alice park the car?"
    history: list[BaseMessage] = [system(), HumanMessage(question)]
    ai = model.invoke(history)
    history += [ai, *results(ai, {"archival_memory_search": archival_hits})]
    second = model.invoke(history)
    ((name, args),) = calls(second)
    assert name == "conversation_search"
    assert set(args["query"].split()) >= {"alice", "park", "car"}
    recall_hits = [
        hit(question, "thread t1, turn 9", role="user"),  # the question itself, in recall
        hit("Alice parked the car on level 3", "thread t1, turn 2", role="user"),
    ]
    history += [second, *results(second, {"conversation_search": recall_hits})]
    final = model.invoke(history)
    assert not final.tool_calls
    assert "level 3" in final.content and "thread t1, turn 2" in final.content
    assert "recall memory" in final.content


def test_nothing_found_anywhere_is_said_honestly(model: Any) -> None:
    history: list[BaseMessage] = [system(), HumanMessage("What is the wifi password?")]
    for _ in range(2):
        ai = model.invoke(history)
        history += [ai, *results(ai, {"archival_memory_search": [], "conversation_search": []})]
    final = model.invoke(history)
    assert not final.tool_calls
    assert "found nothing" in final.content or "don't know" in final.content


def test_date_questions_use_conversation_search_date(model: Any) -> None:
    ai = model.invoke(
        [system(), HumanMessage("What did we talk about between 2026-11-20 and 2026-11-22?")]
    )
    assert calls(ai) == [
        ("conversation_search_date", {"start_date": "2026-11-20", "end_date": "2026-11-22"})
    ]
    # Relative dates resolve against the "Today is ..." line of the memory statistics.
    ai = model.invoke([system(), HumanMessage("What did I say yesterday?")])
    assert calls(ai) == [
        ("conversation_search_date", {"start_date": "2026-11-24", "end_date": "2026-11-24"})
    ]
    history: list[BaseMessage] = [
        system(),
        HumanMessage("What did we discuss on 20 November 2026?"),
    ]
    ai = model.invoke(history)
    hits = [
        hit("Sounds lovely!", "thread t1, turn 4, 2026-11-20T09:00:05+00:00", role="assistant"),
        hit("We planned the garden.", "thread t1, turn 4, 2026-11-20T09:00:00+00:00", role="user"),
    ]
    final = model.invoke([*history, ai, *results(ai, {"conversation_search_date": hits})])
    assert "garden" in final.content and "2026-11-20T09:00:00" in final.content
    assert final.content.index("garden") < final.content.index("lovely")  # user's words first


# --- paging like MemGPT: more searches while the hits do not answer --------------------------


def _search_turn(
    model: Any, question: str, answers: dict[tuple[str, str, int], list[dict[str, Any]]]
) -> tuple[list[tuple[str, dict[str, Any]]], AIMessage]:
    """Play one question to its reply; each search gets the hits keyed by (tool, query, page)
    in ``answers`` (nothing when absent). Returns every call made and the reply."""
    history: list[BaseMessage] = [system(), HumanMessage(question)]
    made: list[tuple[str, dict[str, Any]]] = []
    for _ in range(8):
        ai = model.invoke(history)
        if not ai.tool_calls:
            return made, ai
        made += calls(ai)
        outcomes = {
            name: answers.get((name, str(args.get("query")), int(args.get("page", 0))), [])
            for name, args in calls(ai)
        }
        history += [ai, *results(ai, outcomes)]
    pytest.fail("the driver never answered")


def test_weak_first_pages_lead_to_a_second_query_of_names_and_missing_words(model: Any) -> None:
    question = "What did Melanie sign up for at the pottery studio?"
    weak = [hit("Melanie: pottery is so calming.", "thread c, turn 7")]
    found = [hit("Melanie: I signed up at the pottery studio.", "thread c, turn 12")]
    made, final = _search_turn(
        model,
        question,
        {
            ("archival_memory_search", question, 0): weak,
            ("conversation_search", "melanie sign pottery studio", 0): weak,
            ("conversation_search", "melanie sign studio", 0): found,
        },
    )
    names = [name for name, _ in made]
    assert names[:2] == ["archival_memory_search", "conversation_search"]
    follow_ups = made[2:]
    assert follow_ups, "a weak first page must not end the search"
    second = follow_ups[0][1]["query"].split()
    assert "melanie" in second and "pottery" not in second  # names + what no hit matched
    assert {"sign", "studio"} <= set(second)
    assert len(made) <= 4  # within the step budget: two first pages and two follow-ups
    assert "thread c, turn 12" in final.content


def test_next_page_when_every_word_was_matched_but_not_together(model: Any) -> None:
    question = "Where did Alice park the car?"
    page0 = [hit(f"Alice likes her car number {i}", f"thread c, turn {i}") for i in range(5)]
    page0[0] = hit("Bob parked his bike", "thread c, turn 0")
    answer = [hit("Alice parked the car on level 3", "thread c, turn 40")]
    made, final = _search_turn(
        model,
        question,
        {
            ("archival_memory_search", question, 0): page0,
            ("conversation_search", "alice park car", 0): page0,
            ("archival_memory_search", question, 1): answer,
        },
    )
    assert ("archival_memory_search", {"query": question, "page": 1}) in made
    assert "thread c, turn 40" in final.content and "level 3" in final.content


def test_an_answering_first_hit_stops_the_search(model: Any) -> None:
    question = "What is Alice's favourite colour?"
    made, final = _search_turn(
        model,
        question,
        {("archival_memory_search", question, 0): [hit("Alice's favourite colour is teal")]},
    )
    assert [name for name, _ in made] == ["archival_memory_search"]
    assert "teal" in final.content


def test_a_list_question_searches_both_tiers_and_cites_each_fact(model: Any) -> None:
    question = "What activities does Melanie do with her kids?"
    made, final = _search_turn(
        model,
        question,
        {
            ("archival_memory_search", question, 0): [
                hit("Melanie: I took the kids camping in the mountains.", "thread c, turn 3")
            ],
            ("conversation_search", "activities melanie kids", 0): [
                hit("Melanie: The kids and I did pottery activities.", "thread c, turn 9"),
                hit("Caroline: I went to a support group.", "thread c, turn 10"),
            ],
        },
    )
    names = [name for name, _ in made]
    assert names[:2] == ["archival_memory_search", "conversation_search"]
    assert "thread c, turn 3" in final.content and "thread c, turn 9" in final.content
    assert "turn 10" not in final.content  # about someone else: not quoted


@pytest.mark.parametrize(
    ("question", "several"),
    [
        ("What activities does Melanie partake in?", True),
        ("How many times has Melanie gone to the beach?", True),
        ("What books has Melanie read?", True),
        ("Where has Melanie camped?", True),
        ("Which cities have both of them visited?", True),
        ("What is Alice's favourite colour?", False),
        ("When did Caroline go to the support group?", False),
        ("What does Caroline do for work?", False),
    ],
)
def test_questions_that_want_several_facts_are_told_apart(question: str, several: bool) -> None:
    from langgraph_memgpt.models.offline.relevance import wants_several

    assert wants_several(question) is several


def test_a_line_that_also_asks_back_is_still_an_answer(model: Any) -> None:
    question = "What class did Melanie sign up for?"
    made, final = _search_turn(
        model,
        question,
        {
            ("archival_memory_search", question, 0): [
                hit("Melanie: What class should I take?", "thread c, turn 1"),  # only asks
                hit(
                    "Melanie: I signed up for a pottery class! Have you tried it?",
                    "thread c, turn 2",
                ),
            ]
        },
    )
    assert "thread c, turn 2" in final.content and "turn 1" not in final.content


def test_out_of_rounds_answers_from_what_was_found() -> None:
    model = OfflineDriver(max_tool_rounds=2).bind_tools(MEMORY_TOOLS)
    question = "What did Melanie sign up for at the pottery studio?"
    weak = [hit("Melanie: the studio was busy.", "thread c, turn 5")]
    made, final = _search_turn(
        model,
        question,
        {
            ("archival_memory_search", question, 0): weak,
            ("conversation_search", "melanie sign pottery studio", 0): [],
        },
    )
    assert len(made) == 2 and "thread c, turn 5" in final.content


# --- text, facts and dates rest on libraries --------------------------------------------------


def test_content_words_are_the_search_analysers_stems() -> None:
    assert content_words("Alice lives in Lisbon") == {"alic", "live", "lisbon"}
    assert set(analysis.words("living")) <= content_words("She is living there")
    # The driver's own synonyms and request words on top of the analyser.
    assert content_words("favorite color") == content_words("favourite colour")
    assert content_words("Can you remember what she said?") == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What happened on the 3rd of March, 2026?", ["2026-03-03"]),
        ("Between March 3 2026 and 2026-03-05, what did we say?", ["2026-03-03", "2026-03-05"]),
        ("What did I say two weeks ago?", ["2026-11-11"]),
        ("What did I say 31 February 2026?", []),  # date-shaped, but no day
        ("What did I do on Sunday?", []),  # too vague to list a day by
    ],
)
def test_dates_are_read_with_dateutil(text: str, expected: list[str]) -> None:
    from datetime import date

    found = extract_dates(text, today=date(2026, 11, 25))
    assert [d.isoformat() for d in found] == expected


def test_fact_saving_picks_the_informative_sentence_not_the_greeting() -> None:
    line = (
        "(1:14 pm on 25 May, 2023) Melanie: Wow, Caroline! That's great! "
        "I just signed up for a pottery class yesterday. It's like therapy for me."
    )
    facts = extract_facts(line)
    assert [f.archival_text for f in facts] == [
        "Melanie: I just signed up for a pottery class yesterday."
    ]
    assert facts[0].label is None  # Melanie's line, not the user's identity
    assert extract_facts("Thanks, Caroline! You've always been there for me.") == []
    (named,) = extract_facts("Hey Mel! Bob moved to Porto last year.")
    assert named.archival_text == "Bob moved to Porto last year."


# --- the memory-pressure alert -------------------------------------------------------------


def _fifo_with_unsaved_facts() -> list[BaseMessage]:
    saved = AIMessage(
        "",
        tool_calls=[
            {
                "name": "archival_memory_insert",
                "args": {"content": "The Q3 launch moved to May 14."},
                "id": "c1",
                "type": "tool_call",
            }
        ],
    )
    return [
        system(),
        HumanMessage("The Q3 launch moved to May 14."),
        saved,
        ToolMessage("Stored.", tool_call_id="c1", name="archival_memory_insert"),
        AIMessage("Stored in archival memory."),
        HumanMessage("Carol joined the team in 2024. Dave runs the Berlin office."),
        AIMessage("Nice."),  # an earlier reply that did not save them (e.g. a scripted model)
        HumanMessage("How was your day?"),
        AIMessage("Fine."),
    ]


def test_pressure_alert_saves_unsaved_facts_only(model: Any) -> None:
    history = [*_fifo_with_unsaved_facts(), alert()]
    ai = model.invoke(history)
    inserts = [a["content"] for n, a in calls(ai) if n == "archival_memory_insert"]
    assert inserts == ["Carol joined the team in 2024.", "Dave runs the Berlin office."]
    history += [ai, *results(ai)]
    final = model.invoke(history)
    assert not final.tool_calls and "2" in final.content and "archival" in final.content


def test_pressure_alert_saves_at_most_a_few() -> None:
    model = OfflineDriver(max_pressure_saves=1).bind_tools(MEMORY_TOOLS)
    ai = model.invoke([*_fifo_with_unsaved_facts(), alert()])
    assert len(ai.tool_calls) == 1


def test_pressure_alert_with_nothing_to_save_is_acknowledged(model: Any) -> None:
    history = [system(), HumanMessage("hello"), AIMessage("Hello!"), alert()]
    ai = model.invoke(history)
    assert not ai.tool_calls and "pressure" in ai.content.lower()


def test_alert_after_a_new_user_message_saves_and_still_answers_it(model: Any) -> None:
    # compact appends the alert right after the user's new message, before reason runs.
    history = [*_fifo_with_unsaved_facts(), HumanMessage("My name is Alice."), alert()]
    ai = model.invoke(history)
    made = calls(ai)
    assert ("core_memory_append", {"label": "human", "content": "Name: Alice"}) in made
    assert sum(n == "archival_memory_insert" for n, _ in made) == 2
    history += [ai, *results(ai)]
    final = model.invoke(history)
    assert not final.tool_calls
    assert "Name: Alice" in final.content and "Memory pressure" in final.content


# --- summaries -----------------------------------------------------------------------------


def _summary_request(previous: str, transcript: str, max_words: int) -> list[BaseMessage]:
    return [
        SystemMessage(SUMMARY_SYSTEM_PROMPT.format(max_words=max_words)),
        HumanMessage(SUMMARY_USER_TEMPLATE.format(summary=previous, transcript=transcript)),
    ]


TRANSCRIPT = "\n".join(
    [
        "user: Hi there!",
        "assistant: Hello! How can I help?",
        "user: Remember that the Q3 launch moved to May 14.",
        "assistant:  [calls archival_memory_insert({'content': 'The Q3 launch moved to May 14.'})]",
        "tool archival_memory_insert: Stored in archival memory as record 42.",
        "user: How are you today?",
        "system: [memory pressure] The main context is 72% full.",
        "user: My sister Eve lives in Oslo and she has 2 cats.",
    ]
)


def test_summary_is_extractive_within_the_limit_and_deterministic() -> None:
    model = OfflineDriver()  # the compact node calls the bare model: no tools bound
    request = _summary_request("User: My name is Alice.", TRANSCRIPT, 60)
    first, second = model.invoke(request), model.invoke(request)
    assert first.content == second.content
    assert not first.tool_calls
    text = first.content
    assert len(text.split()) <= 60
    for fact in ("Alice", "May 14", "Eve", "Oslo"):
        assert fact in text
    for noise in ("Hello", "How are you", "memory pressure", "record 42"):
        assert noise not in text


def test_summary_keeps_the_newest_information_when_over_the_limit() -> None:
    old = " ".join(f"Fact {i} is about Zurich." for i in range(30))
    text = summarize_transcript(
        SUMMARY_USER_TEMPLATE.format(summary=old, transcript="user: Dave moved to Rome in 2025."),
        max_words=20,
    )
    assert len(text.split()) <= 20
    assert "Rome" in text and "Fact 0 " not in text


def test_summary_of_small_talk_only_keeps_the_previous_summary() -> None:
    request = _summary_request("(none)", "user: hello\nassistant: Hi!", 50)
    assert OfflineDriver().invoke(request).content == ""
    request = _summary_request("User: Name is Alice.", "user: hello", 50)
    assert OfflineDriver().invoke(request).content == "User: Name is Alice."


# --- the chat-model contract -----------------------------------------------------------------


def test_bind_tools_with_real_tools_and_only_bound_tools_are_called() -> None:
    driver = OfflineDriver()
    bound = driver.bind_tools(MEMORY_TOOLS)
    assert [t["function"]["name"] for t in bound.kwargs["tools"]] == [t.name for t in MEMORY_TOOLS]
    # Bound to archival tools only, an identity fact is still kept, in archival.
    archival_only = driver.bind_tools([archival_memory_insert, archival_memory_search])
    made = calls(archival_only.invoke([system(), HumanMessage("I live in Lisbon.")]))
    assert made == [("archival_memory_insert", {"content": "I live in Lisbon."})]
    # Nothing bound: like a real chat model, it cannot call tools, and says so.
    bare = driver.invoke([system(), HumanMessage("I live in Lisbon.")])
    assert not bare.tool_calls and "no memory tools" in bare.content


def test_user_tools_bound_alongside_are_harmless(model: Any) -> None:
    @tool
    def get_weather(city: str) -> str:
        """Weather for a city."""
        return "sunny"

    bound = OfflineDriver().bind_tools([*MEMORY_TOOLS, get_weather])
    made = calls(bound.invoke([system(), HumanMessage("Remember that Dave lives in Rome.")]))
    assert all(name != "get_weather" for name, _ in made)


def test_tool_call_ids_are_stable_and_distinct() -> None:
    history = [system(), HumanMessage("My name is Alice. I live in Lisbon. Dave is 40.")]
    first = OfflineDriver().bind_tools(MEMORY_TOOLS).invoke(history)
    second = OfflineDriver().bind_tools(MEMORY_TOOLS).invoke(history)
    ids = [c["id"] for c in first.tool_calls]
    assert ids == [c["id"] for c in second.tool_calls]
    assert len(set(ids)) == len(ids) == 3
    assert all(re.fullmatch(r"call_[0-9a-f]{24}", i) for i in ids)
    other = OfflineDriver().bind_tools(MEMORY_TOOLS).invoke([system(), HumanMessage("I am 41.")])
    assert not set(ids) & {c["id"] for c in other.tool_calls}


def test_no_tool_loop_when_the_same_call_was_already_made(model: Any) -> None:
    question = "Where is the spare key?"
    history: list[BaseMessage] = [system(), HumanMessage(question)]
    seen: list[tuple[str, str]] = []
    for _ in range(6):
        ai = model.invoke(history)
        if not ai.tool_calls:
            break
        for name, args in calls(ai):
            key = (name, repr(sorted(args.items())))
            assert key not in seen, "a tool call was repeated"
            seen.append(key)
        history += [ai, *results(ai, {n: RuntimeError("index unavailable") for n, _ in calls(ai)})]
    else:
        pytest.fail("the driver never answered")
    assert "index unavailable" in ai.content


def test_round_limit_is_a_backstop() -> None:
    model = OfflineDriver(max_tool_rounds=1).bind_tools(MEMORY_TOOLS)
    history: list[BaseMessage] = [system(), HumanMessage("Where is the spare key?")]
    ai = model.invoke(history)
    history += [ai, *results(ai, {"archival_memory_search": []})]
    final = model.invoke(history)
    assert not final.tool_calls and "ran out" in final.content


def test_labelled_as_not_an_llm_and_counts_tokens_offline() -> None:
    driver = OfflineDriver()
    assert "not an LLM" in driver._llm_type
    messages = [system(), HumanMessage("hello there")]
    assert driver.get_num_tokens_from_messages(messages) == count_tokens_approximately(messages)
    assert driver.get_num_tokens("abcdefgh") == 2


def test_async_invoke_matches_sync(model: Any) -> None:
    history = [system(), HumanMessage("Bob's birthday is on 3 March.")]
    sync = model.invoke(history)
    result = asyncio.run(model.ainvoke(history))
    assert calls(result) == calls(sync)
    assert [c["id"] for c in result.tool_calls] == [c["id"] for c in sync.tool_calls]


def test_of_a_fact_and_its_correction_the_newer_is_the_answer(model: Any) -> None:
    question = "Where does Maya live?"
    history: list[BaseMessage] = [system(), HumanMessage(question)]
    ai = model.invoke(history)
    older = "thread t1, turn 1, 2026-01-05T10:00:00+00:00, source agent"
    newer = "thread t1, turn 7, 2026-03-02T10:00:00+00:00, source agent"
    history += [
        ai,
        *results(
            ai,
            {
                "archival_memory_search": [
                    hit("Maya lives in Lisbon.", older),
                    hit("Maya ist nach Hamburg gezogen.", newer),
                ]
            },
        ),
    ]
    final = finish(model, history)
    assert "Hamburg" in final.content and newer in final.content
    assert "Lisbon" not in final.content
