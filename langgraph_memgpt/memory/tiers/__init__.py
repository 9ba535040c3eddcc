"""The three MemGPT tiers: core (pinned blocks), recall (every message), archival (passages).

Each tier validates its arguments, writes through a backend (``memory.backends``) and searches
with ``memory.search``. Tiers never import a decider (hygiene, io, the guard) nor the facade:
the guard's write policy comes in as a ``types.WriteGuard`` callable the facade wires, trust
names live in ``memory.types``, and reading a stored guard flag is ``text.guard_flags``.
Anything above the tiers reaches them through their public methods.
"""
