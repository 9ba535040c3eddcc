"""Readers: code that only looks at text and knows nothing of storage.

Owns tokenising and stemming (``analysis``), the claim reader that finds who/what/value in a
sentence (``claims``, in ``claim_frames`` and ``claim_structure``, with its word lists as data in
``claim_words.json``) and the injection scan the guard
runs on every write and read (``injection``). May import only the standard library, third-party
text tools and ``memory.types``; everything else in ``memory/`` builds on these, never the
other way round.
"""
