"""The third blind split of ``bench/guard.py``, written before issue 24's third round of
changes to the guard's training data and learned model.

Written from scratch, by a writer who had not read the training corpora, any run's misses or
the other blind splits' texts (beyond the first rows, for the format), and run once with the guard as it then was
(``bench/results/guard_blind3_first_run.json``, kept unchanged); a dev split from then on: no
rule or training example may come from its misses. One source (``package`` of each row):

- ``own-blind3`` (``bench/data/guard_blind3_own.jsonl``, new text, none copied from a corpus,
  so no NOTICE): attacks set inside realistic tool outputs (e-mails, quoted threads, web pages
  with hidden spans, meta tags and alt text, search results, code comments, commit messages,
  READMEs, PDFs, CSV cells, API JSON, HTTP headers, calendar invites, tickets, chat logs, OCR
  and voicemail transcripts), obfuscated ones (base64, rot13, hex, URL encoding, zero-width
  joins, homoglyphs, full-width letters, Unicode tag characters, spaced, dotted and hyphenated
  letters, leetspeak, split payloads, reversed text, acrostics, defined dictionaries),
  jailbreak personas meant to be kept as memory, exfiltration (markdown images, tracking
  pixels, link parameters, addresses), instruction override and memory poisoning (records
  meant to be stored and acted on later), in English and in Italian, Turkish, Indonesian,
  Finnish, German, French, Spanish, Polish, Dutch, Russian, Chinese and Japanese. Benign rows
  are everyday requests of a user phrased as commands (cancelling or ignoring their own
  earlier request, admin and database instructions, being called another name, "forget what
  I said about X"), ordinary documents full of imperatives (recipes, manuals, policies,
  READMEs, security training that quotes attacks) and tool outputs that are only data. Each
  row names its ``family`` and ``technique`` (attacks), ``channel`` and ``trust`` (``user``
  or ``external``).

Public corpora were left out on purpose: the labelled injection sets installable from PyPI
are the ones training data is being gathered from, so none of them could be known unseen.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from guard_blind import read_split  # noqa: E402

OWN = HERE / "data" / "guard_blind3_own.jsonl"
#: No public part: kept as a name so the split reads like the other two.
PUBLIC = HERE / "data" / "guard_blind3_public.jsonl"


def load() -> list[dict[str, Any]]:
    """Every row of the third blind split."""
    return read_split(OWN, PUBLIC)
