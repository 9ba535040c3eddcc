"""The offline driver: a deterministic, rule-based stand-in for an LLM.

:class:`OfflineDriver` is a LangChain ``BaseChatModel`` that is **not a language model**. It
reads the MemGPT main context the graph renders (system prompt with core memory, summary and
statistics, then the FIFO of recent messages) and follows a fixed MemGPT-like policy:

* stated facts about the user go to core memory (``core_memory_append`` /
  ``core_memory_replace``), facts about the assistant to the ``persona`` block, other facts to
  archival memory (``archival_memory_insert``);
* questions are answered from core memory when it already holds the answer, otherwise by paging
  memory in: ``archival_memory_search``, then ``conversation_search``, then, while the hits do
  not answer, a second query and the next page, as MemGPT's heartbeat loop does;
  ``conversation_search_date`` lists a day's messages for a question about a date. The answer
  quotes the best hits with their citations (thread, turn, time, source);
* the memory-pressure alert makes it save facts from the visible conversation that were never
  stored, before they are evicted;
* a summary request gets an extractive summary within the word limit.

It exists so the whole graph runs with no API key and no network: demos, tests and benchmarks
exercise every edge of the graph (page faults, splice-back, eviction) reproducibly. Everything
is a pure function of the input messages: no randomness, no clock, no I/O; tool call ids are
hashes of the content, so two runs of the same conversation produce identical traces.

One module per decision:

* :mod:`.text`: words, sentences, questions (stems from the search analyser, PyStemmer);
* :mod:`.dates`: which days a question names (python-dateutil);
* :mod:`.identity` and :mod:`.facts`: what a message states, and where it belongs;
* :mod:`.prompt`, :mod:`.calls` and :mod:`.turn`: reading the prompt and the turn so far;
* :mod:`.storing`: which tool saves a fact, and the retry of a failed save;
* :mod:`.relevance` and :mod:`.searching`: which search comes next, and when to stop;
* :mod:`.answers`: the reply with citations; :mod:`.policy`: the next batch of calls;
* :mod:`.summary`: the recursive summary; :mod:`.driver`: the chat model itself.
"""

from langgraph_memgpt.models.offline.answers import NOT_FOUND_PREFIX
from langgraph_memgpt.models.offline.calls import CallRecord, Hit, hits_of
from langgraph_memgpt.models.offline.dates import extract_dates
from langgraph_memgpt.models.offline.driver import OFFLINE_DRIVER_LABEL, OfflineDriver
from langgraph_memgpt.models.offline.facts import Fact, extract_facts
from langgraph_memgpt.models.offline.prompt import CoreBlock, is_alert, parse_core
from langgraph_memgpt.models.offline.summary import DEFAULT_SUMMARY_WORDS, summarize_transcript
from langgraph_memgpt.models.offline.text import content_words, is_question, split_sentences

__all__ = [
    "DEFAULT_SUMMARY_WORDS",
    "NOT_FOUND_PREFIX",
    "OFFLINE_DRIVER_LABEL",
    "CallRecord",
    "CoreBlock",
    "Fact",
    "Hit",
    "OfflineDriver",
    "content_words",
    "extract_dates",
    "extract_facts",
    "hits_of",
    "is_alert",
    "is_question",
    "parse_core",
    "split_sentences",
    "summarize_transcript",
]
