"""OpenEnv's observation envelope, built from our results.

Every reset and step answers ``{"observation": {...}, "reward": r, "done": d, "metadata": {...}}``.
The observation always has ``text`` (what the agent reads) and ``data`` (the observation as
JSON); a tool call's adds OpenEnv's `CallToolObservation` fields (``tool_name``, ``result``,
``error``), so its `MCPToolClient` reads it as one, and a code action's adds ``stdout``,
``stderr`` and ``exit_code``, as OpenEnv's code environments answer. The reward is reported
only to a caller with control (training, and a token with the control scope): production
never sees it, as on our MCP endpoint.
"""

from __future__ import annotations

from typing import Any

from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel, Field

from openenv_mcp.episodes import Caller, Episode
from openenv_mcp.spec import CodeAction, ResetResult, StepResult, ToolCallAction, ToolDefinition
from openenv_mcp.spec.data import jsonable
from openenv_mcp.spec.wire import observation_text

from .codes import tool_error_type
from .jsonish import member

__all__ = ["Envelope", "call_result", "listed_tools", "reset_envelope", "step_envelope", "tools_envelope"]


class Envelope(BaseModel):
    """OpenEnv's step and reset response (its `StepResponse`)."""

    observation: dict[str, Any] = Field(description="The observation's fields: text and data at least.")
    reward: float | None = Field(default=None, description="The step's reward; null in production.")
    done: bool = Field(default=False, description="Whether the episode has ended (terminated or truncated).")
    metadata: dict[str, Any] = Field(default_factory=dict, description="Episode id, step count, and more.")


def reset_envelope(first: ResetResult, episode: Episode, caller: Caller, client_id: str | None) -> Envelope:
    """The answer to a reset: the briefing, and the episode's id in the metadata."""
    metadata: dict[str, Any] = {"episode_id": episode.id, "step_count": 0}
    if caller.control:
        metadata["info"] = jsonable(first.info)
    if client_id is not None:
        metadata["client_episode_id"] = client_id
    observation = {"text": observation_text(first.observation), "data": jsonable(first.observation)}
    return Envelope(observation=observation, metadata=metadata)


def step_envelope(
    action: ToolCallAction | CodeAction, result: StepResult, episode: Episode, caller: Caller
) -> Envelope:
    """The answer to one step."""
    data = jsonable(result.observation)
    observation: dict[str, Any] = {"text": observation_text(result.observation), "data": data}
    failure = _failure(result)
    if isinstance(action, ToolCallAction):
        structured = None if failure else _structured(episode, action.tool_name, result.observation)
        observation.update(tool_name=action.tool_name, result=call_result(result, structured), error=failure)
    else:
        observation.update(_code_fields(data), error=failure)
    metadata: dict[str, Any] = {"episode_id": episode.id, "step_count": episode.env.step_count}
    if caller.control:
        info: Any = jsonable(result.info) if result.info else {}
        metadata.update(terminated=result.terminated, truncated=result.truncated, info=info)
    reward = result.reward if caller.control else None
    return Envelope(observation=observation, reward=reward, done=result.done, metadata=metadata)


def tools_envelope(tools: list[ToolDefinition], episode: Episode | None) -> Envelope:
    """The answer to OpenEnv's `ListToolsAction`: the inner tools, no step taken."""
    listed = [{"name": t.name, "description": t.description, "input_schema": t.input_schema} for t in tools]
    done = episode is not None and (episode.env.terminated or episode.env.truncated)
    metadata = {"episode_id": episode.id if episode else None}
    return Envelope(observation={"tools": listed, "text": "", "data": None}, done=done, metadata=metadata)


def call_result(result: StepResult, structured: dict[str, Any] | None) -> dict[str, Any]:
    """An MCP `CallToolResult` as JSON, with OpenEnv's ``data`` (the observation) beside it."""
    rendered = CallToolResult(
        content=[TextContent(type="text", text=observation_text(result.observation))],
        structured_content=structured,
        is_error=result.error is not None,
    )
    body = rendered.model_dump(mode="json", by_alias=True, exclude_none=True)
    body["data"] = jsonable(result.observation)
    return body


def listed_tools(tools: list[ToolDefinition]) -> list[dict[str, Any]]:
    """The inner tools as MCP `Tool` JSON, as OpenEnv's ``tools/list`` answers."""
    return [t.to_mcp().model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools]


def _failure(result: StepResult) -> dict[str, str] | None:
    if result.error is None:
        return None
    return {"error_type": tool_error_type(result.error_kind or ""), "message": result.error}


def _structured(episode: Episode, tool: str, observation: Any) -> dict[str, Any] | None:
    spec = episode.env.inner_tools.get(tool)
    return spec.structure(observation) if spec is not None else None


def _code_fields(data: Any) -> dict[str, Any]:
    """OpenEnv's code-observation fields, where the observation is a sandbox execution's."""
    stdout = member(data, "stdout")
    if not isinstance(stdout, str):
        return {}
    failed = any(member(data, key) for key in ("error", "killed", "timed_out"))
    return {"stdout": stdout, "stderr": member(data, "stderr") or "", "exit_code": int(failed)}
