"""Model output that could not be read as an action is a value, never an exception.

>>> ParseError("no action found").observation()
'Could not read an action from your output: no action found'
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias, cast

from openenv_mcp.spec import CodeAction, ToolCallAction, ToolDefinition

__all__ = [
    "ParseError",
    "Parsed",
    "ToolNames",
    "as_list",
    "as_object",
    "check_tool",
    "load_json_object",
    "tool_names",
]


@dataclass(frozen=True)
class ParseError:
    """Why the model's output is not an action; the client answers it with an error observation."""

    message: str
    tool_call_id: str | None = None
    """The call id the model gave, so the error can answer that call."""

    def observation(self) -> str:
        """What the model reads back."""
        return f"Could not read an action from your output: {self.message}"


Parsed: TypeAlias = ToolCallAction | CodeAction | ParseError
"""What a parser returns: an action, or why there is none."""

ToolNames: TypeAlias = Iterable[ToolDefinition | str] | None
"""The tools an action may name (definitions or names); None accepts any name."""


def tool_names(tools: ToolNames) -> list[str] | None:
    """The names among `tools`, or None when any name is accepted."""
    if tools is None:
        return None
    return [t if isinstance(t, str) else t.name for t in tools]


def as_object(value: object) -> dict[str, Any] | None:
    """`value` as a JSON object with string keys, or None."""
    if isinstance(value, Mapping):
        items = cast(Mapping[object, Any], value)
        if all(isinstance(key, str) for key in items):
            return {str(key): item for key, item in items.items()}
    return None


def as_list(value: object) -> list[object]:
    """`value` as a list of JSON values; anything else is an empty list."""
    return list(cast(list[object], value)) if isinstance(value, list) else []


def load_json_object(text: str, what: str) -> dict[str, Any] | ParseError:
    """Parse `text` as one JSON object; a readable `ParseError` otherwise."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return ParseError(
            f"{what} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}): {text!r}"
        )
    found = as_object(value)
    if found is None:
        return ParseError(f"{what} must be a JSON object; got {type(value).__name__}: {text!r}")
    return found


def check_tool(
    name: object, parameters: object, tools: ToolNames, tool_call_id: str | None = None
) -> ToolCallAction | ParseError:
    """A `ToolCallAction`, once the name is a known tool and the parameters an object."""
    if not isinstance(name, str) or not name:
        return ParseError(f"a tool call needs a non-empty tool name; got {name!r}", tool_call_id)
    known = tool_names(tools)
    if known is not None and name not in known:
        listed = ", ".join(known) or "(none)"
        return ParseError(f"unknown tool {name!r}; the tools are: {listed}", tool_call_id)
    arguments = {} if parameters is None else as_object(parameters)
    if arguments is None:
        return ParseError(
            f"the arguments of tool {name!r} must be a JSON object; got {parameters!r}", tool_call_id
        )
    return ToolCallAction(tool_name=name, parameters=arguments, tool_call_id=tool_call_id)
