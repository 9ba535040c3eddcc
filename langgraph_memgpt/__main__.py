"""``python -m langgraph_memgpt`` runs the CLI."""

from langgraph_memgpt.cli import main

raise SystemExit(main())
