"""Tool results of the server turned back into `StepResult`s for the trainer."""

from __future__ import annotations

from typing import Any

from mcp.types import CallToolResult, TextContent

from openenv_mcp.errors import OpenEnvError
from openenv_mcp.server import META_STEP
from openenv_mcp.server.render import observation_text
from openenv_mcp.spec import StepResult, ToolDefinition

__all__ = [
    "ClientError",
    "RemoteStepResult",
    "from_inner_result",
    "from_step_data",
    "from_step_result",
    "result_text",
    "unwraps",
]


class ClientError(OpenEnvError):
    """The server refused a control call (unknown or closed episode, at capacity, bad options)."""


class RemoteStepResult(StepResult):
    """A `StepResult` from a remote environment.

    `observation` is the text the agent reads; `structured` holds the same observation as
    data (for a learner that wants the board, not its picture).
    """

    structured: Any = None
    step_count: int = 0
    tool_call_id: str | None = None
    """The id of the call this answers, echoed from the action, for the model's tool message."""


def result_text(result: CallToolResult) -> str:
    """The text content of a tool result."""
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def unwraps(definition: ToolDefinition) -> bool:
    """Whether a tool's structured output wraps a non-object value as `{"result": ...}`."""
    schema = definition.output_schema or {}
    return set(schema.get("properties", {})) == {"result"} and schema.get("required") == ["result"]


def from_inner_result(result: CallToolResult, wrapped: bool, tool_call_id: str | None) -> RemoteStepResult:
    """An inner tool's result: the agent's text, and the step's outcome from `_meta`."""
    text = result_text(result)
    step = (result.meta or {}).get(META_STEP)
    if not isinstance(step, dict):
        raise ClientError(text)
    meta: dict[str, Any] = step  # pyright: ignore[reportUnknownVariableType]
    structured = result.structured_content
    if wrapped and structured is not None:
        structured = structured.get("result")
    info = dict(meta.get("info") or {})
    if result.is_error and "error" not in info:
        info["error"] = text.removeprefix("Error: ")
    return RemoteStepResult(
        observation=text,
        structured=structured if structured is not None else text,
        reward=float(meta.get("reward", 0.0)),
        terminated=bool(meta.get("terminated", False)),
        truncated=bool(meta.get("truncated", False)),
        info=info,
        step_count=int(meta.get("step_count", 0)),
        tool_call_id=tool_call_id,
    )


def from_step_result(result: CallToolResult, tool_call_id: str | None) -> RemoteStepResult:
    """The `step` control tool's structured result."""
    data = result.structured_content
    if data is None or "reward" not in data:
        raise ClientError(result_text(result))
    return from_step_data(data, tool_call_id)


def from_step_data(data: dict[str, Any], tool_call_id: str | None) -> RemoteStepResult:
    """One step's fields, as `step` and each entry of `step_batch` report them."""
    info = dict(data.get("info") or {})
    if data.get("error") is not None:
        info.setdefault("error", data["error"])
    text = data.get("text")
    return RemoteStepResult(
        observation=text if isinstance(text, str) else observation_text(data.get("observation")),
        structured=data.get("observation"),
        reward=float(data["reward"]),
        terminated=bool(data["terminated"]),
        truncated=bool(data["truncated"]),
        info=info,
        step_count=int(data.get("step_count", 0)),
        tool_call_id=tool_call_id,
    )
