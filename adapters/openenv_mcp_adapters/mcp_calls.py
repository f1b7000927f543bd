"""MCP `tools/call` params <-> `ToolCallAction`, both ways.

MCP has no call id; the action's `tool_call_id` travels in the request's `_meta`.

>>> params = action_to_mcp(ToolCallAction(tool_name="drop", parameters={"column": 3}), episode_id="e1")
>>> params.arguments
{'column': 3, 'episode_id': 'e1'}
>>> action_from_mcp(params)
ToolCallAction(type='tool_call', tool_name='drop', parameters={'column': 3}, tool_call_id=None)
"""

from __future__ import annotations

from typing import Any

from mcp.types import CallToolRequestParams, RequestParamsMeta

from openenv_mcp.spec import ToolCallAction

__all__ = ["META_TOOL_CALL_ID", "action_from_mcp", "action_to_mcp", "episode_of"]

META_TOOL_CALL_ID = "openenv-mcp/tool_call_id"
"""`_meta` key carrying the caller's id of a tool call."""


def action_from_mcp(params: CallToolRequestParams) -> ToolCallAction:
    """The action an inner tool call stands for (its `episode_id` argument is the handle, not a parameter)."""
    arguments = dict(params.arguments or {})
    arguments.pop("episode_id", None)
    call_id = (params.meta or {}).get(META_TOOL_CALL_ID)
    return ToolCallAction(
        tool_name=params.name,
        parameters=arguments,
        tool_call_id=call_id if isinstance(call_id, str) else None,
    )


def action_to_mcp(action: ToolCallAction, *, episode_id: str | None = None) -> CallToolRequestParams:
    """The `tools/call` params of an action, addressed to an episode when one is given."""
    arguments: dict[str, Any] = dict(action.parameters)
    if episode_id is not None:
        arguments["episode_id"] = episode_id
    meta: RequestParamsMeta | None = None
    if action.tool_call_id is not None:
        meta = {META_TOOL_CALL_ID: action.tool_call_id}  # pyright: ignore[reportAssignmentType]
    return CallToolRequestParams(name=action.tool_name, arguments=arguments, _meta=meta)


def episode_of(params: CallToolRequestParams) -> str | None:
    """The episode handle a call names, if any."""
    episode_id = (params.arguments or {}).get("episode_id")
    return episode_id if isinstance(episode_id, str) else None
