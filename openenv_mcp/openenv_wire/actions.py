"""OpenEnv's action shapes, read into our unified action schema (RFC 004).

A ``step`` carries one of:

- OpenEnv's `CallToolAction`: ``{"type": "call_tool", "tool_name": ..., "arguments": {...}}``;
- OpenEnv's `ListToolsAction`: ``{"type": "list_tools"}`` (answered without a step);
- a code action as OpenEnv's code environments send it, ``{"code": "..."}``, or ours,
  ``{"type": "code", "code": "..."}``;
- our own tool call, ``{"type": "tool_call", "tool_name": ..., "parameters": {...}}``.

OpenEnv's actions carry a ``metadata`` object; it is accepted and not used.

>>> parse_action({"type": "call_tool", "tool_name": "echo", "arguments": {"message": "hi"}}).to_action()
ToolCallAction(type='tool_call', tool_name='echo', parameters={'message': 'hi'}, tool_call_id=None)
>>> parse_action({"code": "print(1)"}).to_action()
CodeAction(type='code', code='print(1)')
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, TypeAdapter

from openenv_mcp.spec import CodeAction, ToolCallAction

from .jsonish import member

__all__ = ["WIRE_ACTION", "CallTool", "ListTools", "NativeToolCall", "RunCode", "WireAction", "parse_action"]


class _WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    metadata: dict[str, Any] = Field(default_factory=dict, description="Accepted and ignored (OpenEnv's).")


class CallTool(_WireModel):
    """OpenEnv's `CallToolAction`: one call of an inner tool."""

    type: Literal["call_tool"] = "call_tool"
    tool_name: str = Field(min_length=1, description="The inner tool to call.")
    arguments: dict[str, Any] = Field(default_factory=dict, description="Its arguments by name.")

    def to_action(self) -> ToolCallAction:
        return ToolCallAction(tool_name=self.tool_name, parameters=self.arguments)


class ListTools(_WireModel):
    """OpenEnv's `ListToolsAction`: the inner tools, without a step."""

    type: Literal["list_tools"] = "list_tools"


class RunCode(_WireModel):
    """A code action (CodeAct): Python run in the episode's sandbox with the inner tools in scope."""

    type: Literal["code"] = "code"
    code: str = Field(description="Python source to run.")

    def to_action(self) -> CodeAction:
        return CodeAction(code=self.code)


class NativeToolCall(ToolCallAction):
    """Our own `ToolCallAction`, as our MCP `step` tool takes it."""

    def to_action(self) -> ToolCallAction:
        return ToolCallAction(tool_name=self.tool_name, parameters=self.parameters)


def _shape(value: object) -> str | None:
    # OpenEnv's code environments send {"code": ...} with no type: that is a code action.
    kind = member(value, "type") or getattr(value, "type", None)
    if kind is None and member(value, "code") is not None:
        return "code"
    return kind if isinstance(kind, str) else None


WireAction = Annotated[
    Annotated[CallTool, Tag("call_tool")]
    | Annotated[ListTools, Tag("list_tools")]
    | Annotated[RunCode, Tag("code")]
    | Annotated[NativeToolCall, Tag("tool_call")],
    Discriminator(
        _shape,
        custom_error_type="unknown_action",
        custom_error_message="an action is call_tool, list_tools, tool_call or code",
    ),
]
"""Any action a ``step`` frame or ``POST /step`` may carry."""

WIRE_ACTION: TypeAdapter[CallTool | ListTools | RunCode | NativeToolCall] = TypeAdapter(WireAction)


def parse_action(data: Any) -> CallTool | ListTools | RunCode | NativeToolCall:
    """Read one wire action; raises pydantic's `ValidationError` when it is none of the shapes."""
    return WIRE_ACTION.validate_python(data)
