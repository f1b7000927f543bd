"""Hermes / Qwen tool calls in model text: `<tool_call>{...}</tool_call>` and `<tool_response>`.

>>> from_hermes_text('<tool_call>\\n{"name": "drop", "arguments": {"column": 3}}\\n</tool_call>')
[ToolCallAction(type='tool_call', tool_name='drop', parameters={'column': 3}, tool_call_id=None)]
"""

from __future__ import annotations

import json
import re

from openenv_mcp.spec import StepResult, ToolCallAction
from openenv_mcp_adapters.errors import ParseError, ToolNames, as_object, check_tool, load_json_object
from openenv_mcp_adapters.results import result_text

__all__ = ["TOOL_CALL", "from_hermes_text", "has_tool_call", "to_hermes_call", "to_hermes_response"]

TOOL_CALL = re.compile(r"<tool_call>\s*(?P<body>.*?)\s*(?:</tool_call>|$)", re.DOTALL)
"""One tool call; an unclosed last tag (generation stopped early) still counts."""


def has_tool_call(text: str) -> bool:
    """Whether the text tries to call a tool."""
    return "<tool_call>" in text


def _one(body: str, tools: ToolNames) -> ToolCallAction | ParseError:
    call = load_json_object(body, "the <tool_call> body")
    if isinstance(call, ParseError):
        return call
    arguments: object = call.get("arguments", call.get("parameters"))
    if isinstance(arguments, str):  # some templates emit the arguments as a JSON string
        parsed = load_json_object(arguments, f"the arguments of tool {call.get('name')!r}")
        if isinstance(parsed, ParseError):
            return parsed
        arguments = parsed
    call_id = call.get("id")
    return check_tool(call.get("name"), arguments, tools, call_id if isinstance(call_id, str) else None)


def from_hermes_text(text: str, tools: ToolNames = None) -> list[ToolCallAction | ParseError]:
    """Every `<tool_call>` in the text; none at all is one `ParseError`."""
    calls = [_one(m.group("body"), tools) for m in TOOL_CALL.finditer(text)]
    return calls or [ParseError("no <tool_call>{...}</tool_call> found: call one of the tools")]


def to_hermes_call(action: ToolCallAction) -> str:
    """A `ToolCallAction` the way a Hermes-style model writes it."""
    body = json.dumps({"name": action.tool_name, "arguments": action.parameters})
    return f"<tool_call>\n{body}\n</tool_call>"


def to_hermes_response(result: StepResult | ParseError, name: str | None = None) -> str:
    """A `<tool_response>` block.

    With `name`, the body is Hermes' `{"name", "content"}` JSON; without, the plain text (Qwen).
    """
    text = result.observation() if isinstance(result, ParseError) else result_text(result)
    if name is None:
        return f"<tool_response>\n{text}\n</tool_response>"
    content: object = text
    if not isinstance(result, ParseError) and as_object(result.observation) is not None:
        content = result.observation
    body = json.dumps({"name": name, "content": content}, ensure_ascii=False)
    return f"<tool_response>\n{body}\n</tool_response>"
