"""The poisoning guard's policy: trust tiers, quarantine, and how flagged hits are shown.

The scan itself is a reader (``memory.text.injection``: text in, verdict out); this package
decides what a verdict means for a stored record (``policy``) and how an untrusted hit is
rendered to the model (``spotlight``). It may import ``memory.text``, ``memory.types`` and the
backends' database protocol; never a tier or the facade.
"""
