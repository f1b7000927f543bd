"""Rendering observations and step outcomes as MCP tool results."""

from __future__ import annotations

import json
from typing import Any

from mcp.types import CallToolResult, TextContent

from openenv_mcp.spec.wire import META_ERROR, observation_text

__all__ = ["META_ERROR", "error_result", "observation_text", "structured_result", "tool_result"]


def error_result(message: str, kind: str, meta: dict[str, Any] | None = None) -> CallToolResult:
    """An `isError` result the model can read, its stable `kind` in `_meta` for the client."""
    meta = {**(meta or {}), META_ERROR: {"kind": kind}}
    return CallToolResult(content=[TextContent(type="text", text=message)], is_error=True, _meta=meta)


def structured_result(
    data: dict[str, Any],
    *,
    text: str | None = None,
    is_error: bool = False,
    meta: dict[str, Any] | None = None,
) -> CallToolResult:
    """A result with structured content; the text defaults to the JSON of the data."""
    body = text if text is not None else json.dumps(data, ensure_ascii=False)
    return CallToolResult(
        content=[TextContent(type="text", text=body)],
        structured_content=data,
        is_error=is_error,
        _meta=meta,
    )


def tool_result(
    text: str, structured: dict[str, Any] | None, *, meta: dict[str, Any] | None = None
) -> CallToolResult:
    """A successful inner tool result: the agent's text, and structured content when the tool has a schema."""
    return CallToolResult(
        content=[TextContent(type="text", text=text)], structured_content=structured, _meta=meta
    )
