"""Policies the evaluation tests name as MODULE:CALLABLE."""

from __future__ import annotations

from openenv_mcp.client import RemoteStepResult
from openenv_mcp.spec import ToolCallAction, ToolDefinition

__all__ = ["Crane", "raises", "stops"]


def raises(last: RemoteStepResult, tools: list[ToolDefinition]) -> None:
    raise RuntimeError("the policy fell over")


def stops(last: RemoteStepResult, tools: list[ToolDefinition]) -> None:
    return None


class Crane:
    """Guesses crane once, then stops: one instance per episode."""

    def __init__(self) -> None:
        self.done = False

    async def __call__(self, last: RemoteStepResult, tools: list[ToolDefinition]) -> ToolCallAction | None:
        if self.done:
            return None
        self.done = True
        return ToolCallAction(tool_name="guess", parameters={"word": "crane"})
