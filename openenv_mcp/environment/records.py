"""What an episode records of each step."""

from __future__ import annotations

from dataclasses import dataclass

from openenv_mcp.spec import CodeAction, ToolCallAction

__all__ = ["StepRecord"]


@dataclass(frozen=True, slots=True)
class StepRecord:
    """One step of an episode's trajectory: the action, the reward, how it ended."""

    step: int
    action: ToolCallAction | CodeAction
    reward: float
    terminated: bool
    truncated: bool
    error: str | None
