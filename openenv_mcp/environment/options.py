"""The option every environment takes: `max_steps`, the step budget of an episode.

An environment sets `default_max_steps`; a `reset` (or `open_episode`) may ask for another
budget with ``options={"max_steps": N}``. When the budget is spent the episode is truncated.

>>> parse_max_steps("echo", {"max_steps": 5, "other": 1}, 10), parse_max_steps("echo", {}, 10)
(5, 10)
"""

from __future__ import annotations

from typing import Any

from openenv_mcp.errors import InvalidOptionsError

__all__ = ["MAX_STEPS_LIMIT", "max_steps_schema", "parse_max_steps"]

MAX_STEPS_LIMIT = 1_000_000
"""The largest step budget an episode may ask for."""


def max_steps_schema(default: int | None) -> dict[str, Any]:
    """The JSON Schema of the `max_steps` option, with the environment's default."""
    return {
        "type": "integer",
        "minimum": 1,
        "maximum": MAX_STEPS_LIMIT,
        "default": default,
        "description": "Steps before the episode is truncated"
        + (f" (default {default})." if default is not None else " (default: no budget)."),
    }


def parse_max_steps(env: str, options: dict[str, Any], default: int | None) -> int | None:
    """Take `max_steps` out of `options` (the rest is the environment's) and check it.

    Raises:
        InvalidOptionsError: not a whole number from 1 to `MAX_STEPS_LIMIT`.
    """
    value = options.pop("max_steps", None)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_STEPS_LIMIT:
        raise InvalidOptionsError(
            f"invalid episode options for {env!r}: max_steps must be a whole number from 1 to "
            f"{MAX_STEPS_LIMIT:,}; got {value!r}"
        )
    return value
