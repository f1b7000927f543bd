"""The unified action schema (RFC 004): a tool call or a block of code.

>>> from pydantic import TypeAdapter
>>> TypeAdapter(Action).validate_python({"type": "code", "code": "1 + 1"})
CodeAction(type='code', code='1 + 1')
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

__all__ = ["ACTION_ADAPTER", "Action", "CodeAction", "ToolCallAction"]


class ToolCallAction(BaseModel):
    """Call one of the environment's inner tools with named parameters."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["tool_call"] = "tool_call"
    tool_name: str = Field(min_length=1, description="Name of the inner tool to call.")
    parameters: dict[str, Any] = Field(default_factory=dict, description="Arguments by name.")
    tool_call_id: str | None = Field(default=None, description="The caller's id for this call, echoed back.")


class CodeAction(BaseModel):
    """Run Python code in the episode's sandbox, with the inner tools in scope (CodeAct)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["code"] = "code"
    code: str = Field(description="Python source to execute.")


Action = Annotated[ToolCallAction | CodeAction, Field(discriminator="type")]
"""Any action an agent can take, discriminated on `type`."""

ACTION_ADAPTER: TypeAdapter[ToolCallAction | CodeAction] = TypeAdapter(Action)
