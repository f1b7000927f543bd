"""What travels on the wire beside the schema: the `_meta` keys and the agent's text of an observation.

Shared by the server, which writes them, and the client, which reads them, so that a
client needs none of the server's, the sandbox's or the containers' code.
"""

from __future__ import annotations

import json
from typing import Any

from openenv_mcp.spec.data import jsonable

__all__ = ["MAX_BATCH", "META_ERROR", "META_ROLE", "META_STEP", "observation_text"]

META_ROLE = "openenv-mcp/role"
"""`_meta` key on every tool: "control" or "inner"."""
META_STEP = "openenv-mcp/step"
"""`_meta` key on an inner tool's result: episode id, reward, ending, step count."""
META_ERROR = "openenv-mcp/error"
"""`_meta` key on every error result: ``{"kind": ...}``, the error's stable kind (see openenv_mcp.errors)."""
MAX_BATCH = 1024
"""The most steps one `step_batch` call may carry."""


def observation_text(observation: Any) -> str:
    """What the agent reads: strings as they are, objects with `to_text()` their way, the rest as JSON.

    >>> observation_text({"board": [1, 2]}).splitlines()[0], observation_text("hi")
    ('{', 'hi')
    """
    if observation is None:
        return ""
    if isinstance(observation, str):
        return observation
    to_text = getattr(observation, "to_text", None)
    if callable(to_text):
        return str(to_text())
    return json.dumps(jsonable(observation), indent=2, ensure_ascii=False)
