"""A child tool's answer as the proxy's observation: its content and structured content.

>>> from mcp.types import TextContent
>>> answer = CallToolResult(content=[TextContent(type="text", text="token abcd1234")])
>>> ChildResult.from_mcp(answer, Redactor(["abcd1234"])).to_text()
'token ***'
"""

from __future__ import annotations

from typing import Any

from mcp.types import CallToolResult
from pydantic import BaseModel, ConfigDict

from openenv_mcp_mcp_proxy.redact import Redactor

__all__ = ["ChildResult"]


class ChildResult(BaseModel):
    """What a child tool answered, with every credential masked."""

    model_config = ConfigDict(frozen=True)

    content: list[dict[str, Any]]
    """The MCP content blocks, as JSON."""
    structured_content: dict[str, Any] | None = None
    is_error: bool = False

    @classmethod
    def from_mcp(cls, result: CallToolResult, redactor: Redactor) -> ChildResult:
        dumped = [block.model_dump(mode="json", by_alias=True, exclude_none=True) for block in result.content]
        blocks: list[dict[str, Any]] = redactor.data(dumped)
        structured = (
            redactor.data(result.structured_content) if result.structured_content is not None else None
        )
        return cls(content=blocks, structured_content=structured, is_error=bool(result.is_error))

    def to_text(self) -> str:
        """What the agent reads: the text blocks, and a line for each other block."""
        return "\n".join(_describe(block) for block in self.content)


def _describe(block: dict[str, Any]) -> str:
    kind = block.get("type")
    if kind == "text":
        return str(block.get("text", ""))
    if kind in ("image", "audio"):
        return f"[{kind} {block.get('mimeType', '')}, {len(str(block.get('data', '')))} base64 characters]"
    if kind == "resource_link":
        return f"[resource link {block.get('uri', '')}: {block.get('name', '')}]"
    if kind == "resource":
        resource: dict[str, Any] = block.get("resource", {})
        return str(resource.get("text") or f"[resource {resource.get('uri', '')}]")
    return f"[{kind}]"
