"""Dates in a message: which calendar days a question is about, and what names a month.

Decides when a question is "about a date" (then the policy lists that day's messages with
``conversation_search_date`` instead of searching by words) and lends month names to the fact
rules (a month makes a sentence worth saving). Parsing is python-dateutil's: its ``parser``
reads the many ways people write a day ("3rd of March, 2026", "March 3 2026", "2026-03-03")
and its ``parserinfo`` knows the month and weekday names and their abbreviations, so no table
of them is kept here. A span must name a year to count: "on Sunday" or "in May" alone is too
vague to list a day's messages by, and the word search handles those questions instead.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from dateutil import parser as date_parser
from dateutil.relativedelta import relativedelta

_INFO = date_parser.parserinfo()
_MONTH_NAMES = sorted(
    {name.lower() for pair in _INFO.MONTHS for name in pair} | {"sept"}, key=len, reverse=True
)
_MONTH = "(?:" + "|".join(_MONTH_NAMES) + r")\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"

#: Spans that look like a full calendar date; dateutil then says which day (or that it is none).
_DATE_SPAN_RE = re.compile(
    rf"(?i)\b(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}"
    rf"|{_DAY} (?:of )?{_MONTH},? \d{{4}}"
    rf"|{_MONTH} {_DAY},? \d{{4}})\b"
)
_AGO_RE = re.compile(r"(?i)\b(\d{1,3}|a|an|one|two|three) (day|week|month|year)s? ago\b")
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3}


def is_month(word: str) -> bool:
    """A month's name or abbreviation ("March", "sept", "may": callers judge the context)."""
    return _INFO.month(word) is not None


def is_weekday(word: str) -> bool:
    """A weekday's name or abbreviation ("Sunday", "tue")."""
    return _INFO.weekday(word) is not None


_WHEN_RE = re.compile(
    r"(?i)\b(?:yesterday|tomorrow|tonight|recently|ago"
    r"|(?:last|next|this|past) (?:week|weekend|month|year|night|summer|winter|spring|fall"
    r"|autumn|monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b"
)


def says_when(text: str) -> bool:
    """A time relative to the speaker's day ("yesterday", "last Friday", "two weeks ago"):
    it dates what the sentence tells, which makes the sentence worth keeping."""
    return _WHEN_RE.search(text) is not None


def extract_dates(text: str, today: date | None = None) -> list[date]:
    """Calendar days a text names, in order; "today", "yesterday", "N days ago" need ``today``."""
    found: list[tuple[int, date]] = []
    for match in _DATE_SPAN_RE.finditer(text):
        try:
            found.append((match.start(), date_parser.parse(match.group(0)).date()))
        except (ValueError, OverflowError):
            continue  # "31 February 2026": a date-shaped span that is no day
    if today is not None:
        lower = text.lower()
        for word, delta in (("yesterday", 1), ("today", 0)):
            for m in re.finditer(rf"\b{word}\b", lower):
                found.append((m.start(), today - timedelta(days=delta)))
        for m in _AGO_RE.finditer(lower):
            count = _COUNTS.get(m.group(1)) or int(m.group(1))
            step = relativedelta(**{f"{m.group(2)}s": count})
            found.append((m.start(), today - step))
    out: list[date] = []
    for _, day in sorted(found, key=lambda item: item[0]):
        if day not in out:
            out.append(day)
    return out


def date_phrases(text: str) -> list[str]:
    """The date-like words of a text as written ("May 2023", "last Sunday"), for a keyword
    query: recall memory indexes each message with its date, so they find that day's talk."""
    phrases = [m.group(0) for m in _DATE_SPAN_RE.finditer(text)]
    for m in re.finditer(r"\b(?:in |of )?([A-Z][a-z]+),? (\d{4})\b", text):
        if is_month(m.group(1).lower()):
            phrases.append(f"{m.group(1)} {m.group(2)}")
    phrases += re.findall(r"\b(?:19|20)\d{2}\b", text)
    return list(dict.fromkeys(phrases))


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBER = r"(\d{1,3}|a|an|one|two|three)"
_RELATIVE_RE = re.compile(
    r"(?i)\b(?:"
    r"(?P<day>today|tonight|tomorrow|yesterday|the day after tomorrow|the day before yesterday)"
    rf"|(?P<which>next|last|this|coming) (?P<weekday>{'|'.join(_WEEKDAYS)})"
    r"|(?P<which2>next|last|this) (?P<unit>week|month|year)"
    rf"|{_NUMBER} (?P<agounit>day|week|month|year)s? ago"
    rf"|in {_NUMBER} (?P<inunit>day|week|month|year)s?"
    r")\b(?! ?\(\d{4})"  # already dated: left alone
)
_DAY_OFFSETS = {
    "today": 0,
    "tonight": 0,
    "tomorrow": 1,
    "yesterday": -1,
    "the day after tomorrow": 2,
    "the day before yesterday": -2,
}


def _relative_day(match: re.Match[str], today: date) -> str | None:
    """The date a relative phrase means, as written next to it ("2026-12-15", "2026-12")."""
    if match.group("day"):
        return (today + timedelta(days=_DAY_OFFSETS[match.group("day").lower()])).isoformat()
    if match.group("weekday"):
        target = _WEEKDAYS.index(match.group("weekday").lower())
        ahead = (target - today.weekday()) % 7
        which = match.group("which").lower()
        if which == "last":
            return (today - timedelta(days=(today.weekday() - target) % 7 or 7)).isoformat()
        if which in ("next", "coming") and ahead == 0:
            ahead = 7  # "next Monday" said on a Monday is a week away
        return (today + timedelta(days=ahead)).isoformat()
    if match.group("unit"):
        step = {"next": 1, "last": -1, "this": 0}[match.group("which2").lower()]
        unit = match.group("unit").lower()
        if unit == "week":
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=step)
            return f"week of {monday.isoformat()}"
        moved = today + relativedelta(**{f"{unit}s": step})
        return moved.strftime("%Y-%m") if unit == "month" else str(moved.year)
    words = match.group(0).lower().split()
    count = _COUNTS.get(words[1] if words[0] == "in" else words[0])
    count = count or int(words[1] if words[0] == "in" else words[0])
    unit = match.group("agounit") or match.group("inunit")
    sign = -1 if match.group("agounit") else 1
    return (today + sign * relativedelta(**{f"{unit.lower()}s": count})).isoformat()


def date_relative_phrases(text: str, today: date | None) -> str:
    """``text`` with the date each relative phrase means written after it: "next Tuesday"
    said on 2026-12-07 is stored as "next Tuesday (2026-12-08)", so the fact still says when
    once that day has passed. Nothing changes without ``today`` (a prompt without a date)."""
    if today is None:
        return text

    def dated(match: re.Match[str]) -> str:
        day = _relative_day(match, today)
        return match.group(0) if day is None else f"{match.group(0)} ({day})"

    return _RELATIVE_RE.sub(dated, text)
