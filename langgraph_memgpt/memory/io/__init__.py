"""Data in and out: document ingestion (``ingest``, ``loaders``), agent files and the portable
export/import document (``agent_file``, ``portable``) and SQLite → Postgres migration
(``migrate``). Functions here take a ``Memory`` (or its tiers) and call their public methods;
the facade's ``ingest``/``export`` are thin wrappers over them, with no import back.
"""
