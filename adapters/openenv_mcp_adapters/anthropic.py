"""Anthropic tool use: tool definitions, `tool_use` blocks -> actions, results -> `tool_result`.

>>> block = {"type": "tool_use", "id": "toolu_1", "name": "echo", "input": {"message": "hi"}}
>>> from_tool_use(block)
ToolCallAction(type='tool_call', tool_name='echo', parameters={'message': 'hi'}, tool_call_id='toolu_1')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from openenv_mcp.spec import StepResult, ToolCallAction, ToolDefinition
from openenv_mcp_adapters.errors import ParseError, ToolNames, as_list, as_object, check_tool
from openenv_mcp_adapters.results import result_text

__all__ = [
    "anthropic_tools",
    "from_content",
    "from_message",
    "from_tool_use",
    "to_tool_result",
    "to_tool_result_message",
    "to_tool_use",
]


def anthropic_tools(tools: Iterable[ToolDefinition]) -> list[dict[str, Any]]:
    """The `tools` parameter of a Messages API request."""
    return [t.to_anthropic() for t in tools]


def from_tool_use(block: Mapping[str, Any], tools: ToolNames = None) -> ToolCallAction | ParseError:
    """One `tool_use` content block."""
    call_id = block.get("id")
    call_id = call_id if isinstance(call_id, str) else None
    if block.get("type") != "tool_use":
        return ParseError(f"expected a tool_use block; got type {block.get('type')!r}", call_id)
    return check_tool(block.get("name"), block.get("input"), tools, call_id)


def from_content(
    content: Iterable[Mapping[str, Any]], tools: ToolNames = None
) -> list[ToolCallAction | ParseError]:
    """Every `tool_use` block of an assistant message's content; none at all is one `ParseError`."""
    calls = [from_tool_use(block, tools) for block in content if block.get("type") == "tool_use"]
    return calls or [ParseError("the message has no tool_use block: call one of the tools")]


def from_message(message: Mapping[str, Any], tools: ToolNames = None) -> list[ToolCallAction | ParseError]:
    """Every `tool_use` block of an assistant message (or of a whole Messages API response)."""
    found = [as_object(block) for block in as_list(message.get("content"))]
    return from_content([block for block in found if block is not None], tools)


def to_tool_use(action: ToolCallAction) -> dict[str, Any]:
    """A `ToolCallAction` as a `tool_use` block."""
    return {
        "type": "tool_use",
        "id": action.tool_call_id,
        "name": action.tool_name,
        "input": action.parameters,
    }


def to_tool_result(result: StepResult | ParseError, tool_use_id: str | None) -> dict[str, Any]:
    """The `tool_result` block answering a `tool_use`; errors set `is_error`."""
    if isinstance(result, ParseError):
        text, error = result.observation(), True
    else:
        text, error = result_text(result), result.error is not None
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": tool_use_id, "content": text}
    if error:
        block["is_error"] = True
    return block


def to_tool_result_message(blocks: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The user message carrying `tool_result` blocks."""
    return {"role": "user", "content": list(blocks)}
