"""Search machinery shared by the recall and archival tiers.

Owns what a record is indexed *as* (``indexing``: neighbour context, dates), rank fusion
(``fusion``), embeddings and the background embedding worker (``embeddings``,
``embed_worker``) and subject-aware ranking (``subject_focus``). May import ``memory.text``,
``memory.types`` and ``memory._validate``; never a tier, a decider or the facade.
"""
