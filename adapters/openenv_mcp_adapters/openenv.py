"""OpenEnv's wire actions onto the unified schema.

>>> from_openenv({"type": "call_tool", "tool_name": "echo", "arguments": {"message": "hi"}})
ToolCallAction(type='tool_call', tool_name='echo', parameters={'message': 'hi'}, tool_call_id=None)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openenv_mcp.spec import ToolCallAction
from openenv_mcp_adapters.errors import ParseError, ToolNames, check_tool

__all__ = ["LIST_TOOLS", "from_openenv", "to_openenv"]

LIST_TOOLS = "list_tools"
"""OpenEnv's `{"type": "list_tools"}`: not a step; a client answers it from `tools()`."""


def from_openenv(action: Mapping[str, Any], tools: ToolNames = None) -> ToolCallAction | ParseError:
    """`{"type": "call_tool", "tool_name", "arguments"}` as a `ToolCallAction`."""
    kind = action.get("type")
    if kind == LIST_TOOLS:
        return ParseError("list_tools is not a step: ask the client for its tools")
    if kind != "call_tool":
        return ParseError(f"an OpenEnv action has type 'call_tool'; got {kind!r}")
    return check_tool(action.get("tool_name"), action.get("arguments"), tools)


def to_openenv(action: ToolCallAction) -> dict[str, Any]:
    """A `ToolCallAction` as OpenEnv's wire action."""
    return {"type": "call_tool", "tool_name": action.tool_name, "arguments": dict(action.parameters)}
