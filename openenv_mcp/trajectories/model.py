"""What a recorded episode is: its start (seed, options, first observation) and every step.

A trajectory is stored as JSON Lines: one ``start`` line, then one ``step`` line per step.
Every field is plain JSON, so the same lines load with `datasets` and with `json`.

>>> entry = StepEntry(step=1, action={"type": "code", "code": "1"}, observation="1", reward=0.5)
>>> StepEntry.model_validate_json(entry.model_dump_json()) == entry
True
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Start", "StepEntry", "Trajectory", "jsonable"]


def jsonable(value: Any) -> Any:
    """`value` as plain JSON data: pydantic models dumped, anything else JSON cannot hold as text."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return json.loads(json.dumps(value, default=str))


class Start(BaseModel):
    """The first line: which environment, task and seed, and what the agent read first."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["start"] = "start"
    env: str
    episode_id: str | None = None
    seed: int | None = None
    options: dict[str, Any] = Field(default_factory=dict[str, Any])
    observation: str = ""
    structured: Any = None
    info: dict[str, Any] = Field(default_factory=dict[str, Any])
    recorded_by: Literal["server", "client"] = "server"


class StepEntry(BaseModel):
    """One step: the action, what came back, and the model's tokens when the adapter had them."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["step"] = "step"
    step: int
    action: dict[str, Any]
    tool_call_id: str | None = None
    observation: str = ""
    structured: Any = None
    reward: float = 0.0
    terminated: bool = False
    truncated: bool = False
    error_kind: str | None = None
    seconds: float = 0.0
    info: dict[str, Any] = Field(default_factory=dict[str, Any])
    messages: list[dict[str, Any]] | None = None
    """The model's messages that led to this step (client recording), OpenAI chat format."""
    token_ids: list[int] | None = None
    logprobs: list[float] | None = None


class Trajectory(BaseModel):
    """A whole recorded episode."""

    start: Start
    steps: list[StepEntry] = Field(default_factory=list[StepEntry])

    @property
    def total_reward(self) -> float:
        return sum(step.reward for step in self.steps)

    @property
    def ended(self) -> str | None:
        """How it ended: ``terminated``, ``truncated``, or None (still open when recorded)."""
        last = self.steps[-1] if self.steps else None
        if last is None or not (last.terminated or last.truncated):
            return None
        return "terminated" if last.terminated else "truncated"
