"""The fourth blind split of ``bench/guard.py``, written before issue 24's fourth round of
changes to the guard (its threshold logic and training).

Written from scratch, by a writer who had not read the training corpora, any run's misses,
the other helpers' branches or the other blind splits' texts (beyond the first rows, for the
format), and run once with the guard as it was at commit ae23ff7
(``bench/results/guard_blind4_first_run.json``, kept unchanged); a dev split from then on: no
rule or training example may come from its misses. One source (``package`` of each row):

- ``own-blind4`` (``bench/data/guard_blind4_own.jsonl``, 318 rows, new text, none copied from a
  corpus, so no NOTICE): attacks set inside tool outputs (overdue-invoice and phishing e-mails,
  quoted threads, auto-replies, web pages with zero-size spans, meta tags, alt text and hidden
  divs, search results, code comments, docstrings, YAML comments, READMEs, changelogs, commit
  messages, issues and review comments, CI and server logs, PDFs with white text, CSV and
  spreadsheet cells, API JSON, plugin manifests and MCP tool descriptions, calendar invites,
  support tickets, chat logs and exports, call, voicemail, podcast and subtitle transcripts,
  product reviews, place listings, job postings, SMS, OCR of receipts and whiteboards),
  obfuscated ones (base64, also of Greek text, hex, rot13, URL encoding, HTML entities, zero-width
  joins, soft hyphens, Unicode tag characters, Cyrillic homoglyphs, full-width letters, spaced,
  dotted and hyphenated letters, leetspeak, Polish leetspeak, reversed text, Morse, acrostics,
  split payloads, variables, defined glossaries, markdown comments), jailbreak personas meant
  to be kept as memory (character cards, trigger words, fake vendor updates, split personas),
  exfiltration (markdown and HTML images, link parameters, addresses), instruction override
  (fake delimiters, fake orchestrators, authority claims) and memory poisoning (records meant
  to be stored and acted on later: fake authorisations, trusted contacts and domains, swapped
  phone numbers, delayed actions, standing instructions), in English and in Vietnamese, Polish,
  Greek, Swahili, Hebrew, Spanish, Finnish, Indonesian, German, French and Turkish. Benign rows
  are everyday requests of a user phrased as commands (cancelling or ignoring their own earlier
  request, shell, database and admin instructions, being called another name, "forget what I
  said about X", "keep this between us"), in the same languages, ordinary documents full of
  imperatives (recipes, manuals, checklists, policies, house rules, READMEs, security training,
  papers and blog posts quoting attacks, encodings explained) and tool outputs that are only
  data. Each row names its ``family`` and ``technique`` (attacks), ``channel`` and ``trust``
  (``user`` or ``external``).

Public corpora were left out on purpose, as for the third split: the labelled injection sets
installable from PyPI are the ones training data is being gathered from, so none of them could
be known unseen.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from guard_blind import read_split  # noqa: E402

OWN = HERE / "data" / "guard_blind4_own.jsonl"
#: No public part: kept as a name so the split reads like the others.
PUBLIC = HERE / "data" / "guard_blind4_public.jsonl"


def load() -> list[dict[str, Any]]:
    """Every row of the fourth blind split."""
    return read_split(OWN, PUBLIC)
