"""Deciders that keep stored facts current: supersede (one fact replaces another) and the
sleep-time consolidation pass. They read text with ``memory.text`` and act on records only
through the tiers' public methods.
"""
