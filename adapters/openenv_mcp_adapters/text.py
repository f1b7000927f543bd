"""Free model text -> one action: a Hermes tool call, a JSON tool call, or a Python block.

>>> parse_text('{"name": "echo", "arguments": {"message": "hi"}}')
ToolCallAction(type='tool_call', tool_name='echo', parameters={'message': 'hi'}, tool_call_id=None)
>>> parse_text("I am not sure what to do.").message.startswith("no action found")
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from openenv_mcp.spec import ACTION_ADAPTER, CodeAction, ToolCallAction
from openenv_mcp_adapters.code import CODE_BLOCK, from_code_block
from openenv_mcp_adapters.errors import Parsed, ParseError, ToolNames, as_object, check_tool, load_json_object
from openenv_mcp_adapters.hermes import from_hermes_text, has_tool_call
from openenv_mcp_adapters.openenv import from_openenv

__all__ = ["NO_ACTION", "from_json", "parse_action", "parse_text"]

NO_ACTION = (
    'no action found: write a <tool_call>{"name": ..., "arguments": {...}}</tool_call>, '
    "a JSON tool call or a ```python block"
)
_JSON_FENCE = re.compile(r"```json[ \t]*\n(?P<body>.*?)```", re.DOTALL | re.IGNORECASE)


def from_json(call: Mapping[str, Any], tools: ToolNames = None) -> Parsed:
    """A JSON tool call in any shape we know: unified, OpenEnv, or `{"name", "arguments"}`."""
    kind = call.get("type")
    if kind == "call_tool" or kind == "list_tools":
        return from_openenv(call, tools)
    if kind in ("tool_call", "code"):
        try:
            action = ACTION_ADAPTER.validate_python(dict(call))
        except ValueError as exc:
            return ParseError(f"invalid action {dict(call)!r}: {exc}")
        if isinstance(action, ToolCallAction):
            return check_tool(action.tool_name, action.parameters, tools, action.tool_call_id)
        return action
    name = call.get("name", call.get("tool_name"))
    return check_tool(name, call.get("arguments", call.get("parameters")), tools)


def parse_text(text: str, tools: ToolNames = None, *, allow_code: bool = True) -> Parsed:
    """The first action in the text; several tool calls in one turn take the first."""
    if has_tool_call(text):
        return from_hermes_text(text, tools)[0]
    stripped = text.strip()
    if stripped.startswith("{"):
        body = load_json_object(stripped, "the JSON tool call")
        return body if isinstance(body, ParseError) else from_json(body, tools)
    fenced = _JSON_FENCE.search(text)
    if fenced:
        body = load_json_object(fenced.group("body"), "the ```json tool call")
        return body if isinstance(body, ParseError) else from_json(body, tools)
    if allow_code and CODE_BLOCK.search(text):
        return from_code_block(text)
    return ParseError(NO_ACTION)


def parse_action(action: object, tools: ToolNames = None) -> Parsed:
    """Anything a trainer may hand a client: an action, a JSON dict, or model text."""
    if isinstance(action, ToolCallAction | CodeAction | ParseError):
        return action
    if isinstance(action, str):
        return parse_text(action, tools)
    found = as_object(action)
    if found is not None:
        return from_json(found, tools)
    return ParseError(f"cannot read an action from a {type(action).__name__}: {json.dumps(repr(action))}")
