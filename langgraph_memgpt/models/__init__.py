"""Chat models shipped with the package.

Only the offline driver lives here: a deterministic, rule-based stand-in for an LLM (not a
language model) so the agent runs with no API key. Real models are any LangChain chat model.
"""

from langgraph_memgpt.models.offline import OFFLINE_DRIVER_LABEL, OfflineDriver

__all__ = ["OFFLINE_DRIVER_LABEL", "OfflineDriver"]
