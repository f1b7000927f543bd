"""Stepping many episodes of one connection with one `step_batch` call."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from openenv_mcp.client.results import ClientError, RemoteStepResult, from_step_data, raise_for, remote_error
from openenv_mcp.spec import CodeAction, ToolCallAction
from openenv_mcp.spec.wire import MAX_BATCH

if TYPE_CHECKING:
    from openenv_mcp.client.connection import Connection

__all__ = ["STEP_BATCH", "step_batch"]

STEP_BATCH = "step_batch"
"""The control tool that carries many `(episode_id, action)` pairs."""


async def step_batch(
    connection: Connection, steps: Sequence[tuple[str, ToolCallAction | CodeAction]]
) -> list[RemoteStepResult | ClientError]:
    """Each step's result in order; an entry the server refused is a `ClientError` value."""
    results: list[RemoteStepResult | ClientError] = []
    for start in range(0, len(steps), MAX_BATCH):
        results += await _chunk(connection, steps[start : start + MAX_BATCH])
    return results


async def _chunk(
    connection: Connection, steps: Sequence[tuple[str, ToolCallAction | CodeAction]]
) -> list[RemoteStepResult | ClientError]:
    wire = [{"episode_id": e, "action": a.model_dump(exclude_none=True)} for e, a in steps]
    answer = await connection.call(STEP_BATCH, {"steps": wire})
    data = answer.structured_content
    if answer.is_error or data is None:
        raise_for(answer)
    entries: list[dict[str, Any]] = data["results"]
    return [_entry(entry, action) for entry, (_, action) in zip(entries, steps, strict=True)]


def _entry(entry: dict[str, Any], action: ToolCallAction | CodeAction) -> RemoteStepResult | ClientError:
    if entry.get("failed"):
        message = str(entry.get("error", "the step failed")).removeprefix("Error: ")
        return remote_error(str(entry.get("error_kind", "error")), message)
    call_id = action.tool_call_id if isinstance(action, ToolCallAction) else None
    return from_step_data(entry, call_id)
