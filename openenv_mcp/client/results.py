"""Tool results of the server turned back into `StepResult`s for the trainer."""

from __future__ import annotations

from typing import Any, NoReturn, cast

from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel, ConfigDict, StrictBool, ValidationError

from openenv_mcp.errors import OpenEnvError, error_class
from openenv_mcp.spec import StepResult, ToolDefinition
from openenv_mcp.spec.wire import META_ERROR, META_STEP, observation_text

__all__ = [
    "ClientError",
    "RemoteStepResult",
    "error_kind",
    "from_inner_result",
    "from_step_data",
    "from_step_result",
    "raise_for",
    "remote_error",
    "result_text",
    "unwraps",
]


class ClientError(OpenEnvError):
    """The server refused a call (unknown or closed episode, at capacity, bad options, ...).

    What the client raises is also of the class the error's kind names, so that both
    ``except ClientError`` and ``except AtCapacityError`` catch a refusal at capacity:

    >>> error = remote_error("at_capacity", "full")
    >>> from openenv_mcp.errors import AtCapacityError
    >>> isinstance(error, ClientError), isinstance(error, AtCapacityError), error.kind
    (True, True, 'at_capacity')
    """


_REMOTE: dict[str, type[ClientError]] = {}


def remote_error(kind: str, message: str) -> ClientError:
    """An exception of `kind`'s class that is a `ClientError` too (a plain one for unknown kinds)."""
    base = error_class(kind)
    if base is OpenEnvError:
        return ClientError(message)
    cls = _REMOTE.get(kind)
    if cls is None:
        doc = f"The server answered with an error of kind {kind!r}."
        cls = _REMOTE[kind] = type(f"Remote{base.__name__}", (ClientError, base), {"__doc__": doc})
    return cls(message)


def error_kind(result: CallToolResult) -> str:
    """The stable kind of an error result, from its `_meta` ("error" when the server gave none)."""
    entry: Any = (result.meta or {}).get(META_ERROR)
    kind: Any = cast("dict[str, Any]", entry).get("kind") if isinstance(entry, dict) else None
    return kind if isinstance(kind, str) else OpenEnvError.kind


def raise_for(result: CallToolResult) -> NoReturn:
    """Raise the typed error a refused call carries, its message without the "Error: " prefix."""
    raise remote_error(error_kind(result), result_text(result).removeprefix("Error: "))


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
        raise_for(result)
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
        raise_for(result)
    return from_step_data(data, tool_call_id)


class _StepFields(BaseModel):
    """What a step result must hold, typed (the rest is passed on as it came)."""

    model_config = ConfigDict(extra="allow")
    reward: float
    terminated: StrictBool
    truncated: StrictBool
    step_count: int = 0
    text: str | None = None
    info: dict[str, Any] | None = None
    error: str | None = None


def from_step_data(data: dict[str, Any], tool_call_id: str | None) -> RemoteStepResult:
    """One step's fields, as `step` and each entry of `step_batch` report them.

    A result without them, or with the wrong types, is a `ClientError` that says what is wrong.
    """
    try:
        fields = _StepFields.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ClientError(f"the server's step result is malformed: {problems}") from None
    info = dict(fields.info or {})
    if fields.error is not None:
        info.setdefault("error", fields.error)
    return RemoteStepResult(
        observation=fields.text if fields.text is not None else observation_text(data.get("observation")),
        structured=data.get("observation"),
        reward=fields.reward,
        terminated=fields.terminated,
        truncated=fields.truncated,
        info=info,
        step_count=fields.step_count,
        tool_call_id=tool_call_id,
    )
