"""``python -m langgraph_memgpt.visualize``: see :func:`langgraph_memgpt.visualize.main`."""

from langgraph_memgpt.visualize import main

raise SystemExit(main())
