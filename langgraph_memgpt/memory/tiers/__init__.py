"""The three MemGPT tiers: core (pinned blocks), recall (every message), archival (passages).

Each tier validates its arguments, writes through a backend (``memory.backends``) and searches
with ``memory.search``. Tiers never import a decider (hygiene, io, the guard's policy module
is the one exception that they call as a pure trust table and write hook) nor the facade:
anything above them reaches them through their public methods.
"""
