"""The error an evaluation refuses to start with: a bad policy, options that do not fit together."""

from __future__ import annotations

from openenv_mcp.errors import OpenEnvError

__all__ = ["EvaluationError"]


class EvaluationError(OpenEnvError):
    """An evaluation cannot run: an unknown policy, the oracle over a URL, conflicting options."""

    kind = "evaluation"
