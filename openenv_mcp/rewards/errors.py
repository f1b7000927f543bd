"""The error rewards from outside raise: a reward that cannot be loaded, run or read."""

from __future__ import annotations

from openenv_mcp.errors import OpenEnvError

__all__ = ["RewardError"]


class RewardError(OpenEnvError):
    """A reward function cannot be loaded (a bad `MODULE:CALLABLE[=WEIGHT]`), or failed to score."""

    kind = "reward_failed"
