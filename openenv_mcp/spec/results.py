"""What an environment answers: step results, reset results and episode state."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ResetResult", "State", "StepResult"]


class StepResult(BaseModel):
    """The outcome of one step, in Gymnasium's terms.

    `info["error"]` holds a message when the action could not be carried out, and
    `info["error_kind"]` its stable kind (see `openenv_mcp.errors`); the episode goes on
    all the same.

    >>> StepResult(observation="hi", reward=0.5).done
    False
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    observation: Any = None
    reward: float = 0.0
    terminated: bool = False
    truncated: bool = False
    info: dict[str, Any] = Field(default_factory=dict)

    @property
    def done(self) -> bool:
        """Whether the episode has ended, by termination or truncation."""
        return self.terminated or self.truncated

    @property
    def error(self) -> str | None:
        """The error message of a failed action, or None."""
        message = self.info.get("error")
        return message if isinstance(message, str) else None

    @property
    def error_kind(self) -> str | None:
        """The stable kind of a failed action's error (``unknown_tool``, ...), or None."""
        kind = self.info.get("error_kind")
        return kind if isinstance(kind, str) else None


class ResetResult(BaseModel):
    """The first observation of an episode and its info."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    observation: Any = None
    info: dict[str, Any] = Field(default_factory=dict)


class State(BaseModel):
    """Where an episode stands; environments add their own fields in `extra`."""

    episode_id: str
    environment: str
    step_count: int = 0
    total_reward: float = 0.0
    terminated: bool = False
    truncated: bool = False
    seed: int | None = None
    extra: dict[str, Any] = Field(default_factory=dict)
