"""Turn a natural-language question into a safe SQLite FTS5 query.

FTS5's query language treats ``"``, ``*``, ``:``, ``^``, parentheses and the words AND/OR/NOT/
NEAR as syntax, so passing a user's (or a model's) question straight to ``MATCH`` either errors
or silently requires every word. Here each word becomes a quoted term and the terms are OR-ed:
bm25 then ranks documents by how many rare query words they contain, which is what a question
like "what colour does Alice like?" needs. Stopwords are dropped because under OR they would
match nearly every row and only cost time.
"""

from __future__ import annotations

import re

# A standard English stopword list (close to NLTK's), written as the ``\w+`` tokens a query is
# split into (so "don't" appears as "don" and "t").
_STOPWORD_TEXT = """
a about above after again against all am an and any are aren as at be because been before being
below between both but by can cannot could couldn d did didn do does doesn doing don done down
during each few for from further had hadn has hasn have haven having he her here hers herself him
himself his how i if in into is isn it its itself let ll m me more most mustn my myself no nor not
of off on once only or other ought our ours ourselves out over own re s same shan she should
shouldn so some such t than that the their theirs them themselves then there these they this
those through to too under until up ve very was wasn we were weren what when where which while
who whom why will with won would wouldn you your yours yourself yourselves
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_TOKEN = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 64


def query_terms(text: str) -> list[str]:
    """Distinct lower-case word tokens of ``text`` without stopwords, in order of appearance.

    If every token is a stopword (e.g. "who is he?") the stopwords are kept, so a short query
    still finds something rather than nothing.
    """
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    kept = [t for t in tokens if t not in STOPWORDS] or tokens
    seen: dict[str, None] = {}
    for token in kept:
        seen.setdefault(token, None)
    return list(seen)[:MAX_TERMS]


def match_query(text: str) -> str | None:
    """An FTS5 MATCH expression OR-ing the quoted terms of ``text``; None if it has no words.

    Tokens come from ``\\w+`` so they contain no quote characters; quoting each one makes FTS5
    read words like ``AND`` or ``NEAR`` as plain terms.
    """
    terms = query_terms(text)
    if not terms:
        return None
    return " OR ".join(f'"{term}"' for term in terms)
