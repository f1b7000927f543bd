"""OpenAI function calling: tool definitions, calls -> actions, results -> tool messages.

Both APIs are covered: Chat Completions (`message["tool_calls"]`, answered by
`{"role": "tool", ...}` messages) and Responses (`function_call` output items, answered by
`function_call_output` items).

>>> call = {"id": "call_1", "type": "function",
...         "function": {"name": "echo", "arguments": '{"message": "hi"}'}}
>>> from_chat_tool_call(call)
ToolCallAction(type='tool_call', tool_name='echo', parameters={'message': 'hi'}, tool_call_id='call_1')
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from openenv_mcp.spec import StepResult, ToolCallAction, ToolDefinition
from openenv_mcp_adapters.errors import (
    ParseError,
    ToolNames,
    as_list,
    as_object,
    check_tool,
    load_json_object,
)
from openenv_mcp_adapters.results import result_text

__all__ = [
    "from_chat_message",
    "from_chat_tool_call",
    "from_responses_item",
    "from_responses_output",
    "openai_tools",
    "to_chat_tool_call",
    "to_chat_tool_message",
    "to_responses_function_call",
    "to_responses_output",
]

Api = Literal["chat", "responses"]


def openai_tools(tools: Iterable[ToolDefinition], api: Api = "chat") -> list[dict[str, Any]]:
    """The `tools` parameter of a Chat Completions (`chat`) or Responses (`responses`) request."""
    if api == "chat":
        return [t.to_openai() for t in tools]
    return [
        {"type": "function", "name": t.name, "description": t.description, "parameters": t.input_schema}
        for t in tools
    ]


def _arguments(raw: object, name: object, call_id: str | None) -> dict[str, Any] | ParseError:
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        parsed = load_json_object(raw, f"the arguments of tool {name!r}")
        if isinstance(parsed, ParseError):
            return ParseError(parsed.message, call_id)
        return parsed
    found = as_object(raw)
    if found is None:
        return ParseError(
            f"the arguments of tool {name!r} must be a JSON object string; got {raw!r}", call_id
        )
    return found


def _call(
    name: object, raw_arguments: object, call_id: object, tools: ToolNames
) -> ToolCallAction | ParseError:
    call_id = call_id if isinstance(call_id, str) else None
    arguments = _arguments(raw_arguments, name, call_id)
    if isinstance(arguments, ParseError):
        return arguments
    return check_tool(name, arguments, tools, call_id)


def from_chat_tool_call(call: Mapping[str, Any], tools: ToolNames = None) -> ToolCallAction | ParseError:
    """One entry of a Chat Completions message's `tool_calls`."""
    function = as_object(call.get("function"))
    if function is None:
        return ParseError(f"a tool call needs a 'function' object; got {call!r}", _id(call.get("id")))
    return _call(function.get("name"), function.get("arguments"), call.get("id"), tools)


def from_chat_message(
    message: Mapping[str, Any], tools: ToolNames = None
) -> list[ToolCallAction | ParseError]:
    """Every tool call of an assistant message; a message without any is one `ParseError`."""
    calls = as_list(message.get("tool_calls"))
    if not calls:
        return [ParseError("the message has no tool_calls: call one of the tools")]
    actions: list[ToolCallAction | ParseError] = []
    for call in calls:
        found = as_object(call)
        actions.append(_not_object(call) if found is None else from_chat_tool_call(found, tools))
    return actions


def to_chat_tool_call(action: ToolCallAction) -> dict[str, Any]:
    """A `ToolCallAction` as a Chat Completions `tool_calls` entry."""
    return {
        "id": action.tool_call_id,
        "type": "function",
        "function": {"name": action.tool_name, "arguments": json.dumps(action.parameters)},
    }


def to_chat_tool_message(result: StepResult | ParseError, tool_call_id: str | None) -> dict[str, Any]:
    """The `{"role": "tool"}` message answering a call."""
    return {"role": "tool", "tool_call_id": tool_call_id, "content": _text(result)}


def from_responses_item(item: Mapping[str, Any], tools: ToolNames = None) -> ToolCallAction | ParseError:
    """A Responses API `function_call` output item (its `call_id` is the call's id)."""
    if item.get("type") != "function_call":
        return ParseError(f"expected a function_call item; got type {item.get('type')!r}")
    return _call(item.get("name"), item.get("arguments"), item.get("call_id"), tools)


def from_responses_output(
    output: Iterable[Mapping[str, Any]], tools: ToolNames = None
) -> list[ToolCallAction | ParseError]:
    """Every `function_call` of a response's `output`; none at all is one `ParseError`."""
    calls = [from_responses_item(item, tools) for item in output if item.get("type") == "function_call"]
    return calls or [ParseError("the response has no function_call: call one of the tools")]


def to_responses_function_call(action: ToolCallAction) -> dict[str, Any]:
    """A `ToolCallAction` as a Responses `function_call` item."""
    return {
        "type": "function_call",
        "call_id": action.tool_call_id,
        "name": action.tool_name,
        "arguments": json.dumps(action.parameters),
    }


def to_responses_output(result: StepResult | ParseError, call_id: str | None) -> dict[str, Any]:
    """The `function_call_output` input item answering a call."""
    return {"type": "function_call_output", "call_id": call_id, "output": _text(result)}


def _text(result: StepResult | ParseError) -> str:
    return result.observation() if isinstance(result, ParseError) else result_text(result)


def _id(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _not_object(call: object) -> ParseError:
    return ParseError(f"a tool call must be a JSON object; got {call!r}")
