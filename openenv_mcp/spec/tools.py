"""Tool definitions, rendered for MCP, OpenAI and Anthropic from one source.

>>> d = ToolDefinition(name="echo", description="Echo a message.",
...     input_schema={"type": "object", "properties": {"message": {"type": "string"}}})
>>> d.to_openai()["function"]["name"]
'echo'
>>> d.to_anthropic()["input_schema"]["type"]
'object'
"""

from __future__ import annotations

from typing import Any

from mcp.types import Tool, ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ToolAnnotationsSpec", "ToolDefinition"]


class ToolAnnotationsSpec(BaseModel):
    """Behaviour hints for a tool, as MCP defines them."""

    model_config = ConfigDict(frozen=True)

    title: str | None = None
    read_only: bool | None = None
    destructive: bool | None = None
    idempotent: bool | None = None
    open_world: bool | None = None

    def to_mcp(self) -> ToolAnnotations:
        """Render as MCP `ToolAnnotations`."""
        return ToolAnnotations(
            title=self.title,
            read_only_hint=self.read_only,
            destructive_hint=self.destructive,
            idempotent_hint=self.idempotent,
            open_world_hint=self.open_world,
        )


class ToolDefinition(BaseModel):
    """One tool: its name, what it does, and the JSON Schemas of its input and output."""

    model_config = ConfigDict(frozen=True)

    name: str
    description: str = ""
    input_schema: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    output_schema: dict[str, Any] | None = None
    annotations: ToolAnnotationsSpec = Field(default_factory=ToolAnnotationsSpec)

    def to_mcp(self, meta: dict[str, Any] | None = None) -> Tool:
        """Render as an MCP `Tool`, with optional `_meta`."""
        return Tool(
            name=self.name,
            description=self.description,
            input_schema=self.input_schema,
            output_schema=self.output_schema,
            annotations=self.annotations.to_mcp(),
            _meta=meta,
        )

    def to_openai(self) -> dict[str, Any]:
        """Render as an OpenAI function tool (Chat Completions `tools` entry)."""
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.input_schema},
        }

    def to_anthropic(self) -> dict[str, Any]:
        """Render as an Anthropic Messages API tool."""
        return {"name": self.name, "description": self.description, "input_schema": self.input_schema}
