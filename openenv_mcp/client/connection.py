"""One MCP connection to an environment server, and its inner tools."""

from __future__ import annotations

from contextlib import AsyncExitStack
from types import TracebackType
from typing import Any, Self

import mcp
from mcp.client.client import ConnectMode
from mcp.types import CallToolResult, Tool

from openenv_mcp.client.results import unwraps
from openenv_mcp.client.targets import Target, mcp_target
from openenv_mcp.spec import ToolAnnotationsSpec, ToolDefinition
from openenv_mcp.spec.wire import META_ROLE

__all__ = ["Connection", "inner_definition"]


def inner_definition(tool: Tool) -> ToolDefinition:
    """An inner tool as the model should see it: without the `episode_id` handle."""
    schema = dict(tool.input_schema)
    schema["properties"] = {k: v for k, v in schema.get("properties", {}).items() if k != "episode_id"}
    hints = tool.annotations
    annotations = ToolAnnotationsSpec(
        title=hints.title if hints else None,
        read_only=hints.read_only_hint if hints else None,
        destructive=hints.destructive_hint if hints else None,
        idempotent=hints.idempotent_hint if hints else None,
        open_world=hints.open_world_hint if hints else None,
    )
    return ToolDefinition(
        name=tool.name,
        description=tool.description or "",
        input_schema=schema,
        output_schema=tool.output_schema,
        annotations=annotations,
    )


class Connection:
    """An open `mcp.Client` with the server's inner tools listed once."""

    def __init__(self, target: Target, *, mode: ConnectMode = "auto", read_timeout: float = 60.0) -> None:
        self._client = mcp.Client(mcp_target(target), mode=mode, read_timeout_seconds=read_timeout)
        self._stack = AsyncExitStack()
        self.tools: list[ToolDefinition] = []
        self.control: set[str] = set()
        """Names of the server's control tools (`step_batch` among them on servers that have it)."""
        self.wrapped: dict[str, bool] = {}
        """Inner tool name -> whether its structured output wraps the value as `{"result": ...}`."""

    @property
    def protocol_version(self) -> str:
        return self._client.protocol_version

    async def __aenter__(self) -> Self:
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(self._client)
            listed = await self._client.list_tools()
            inner = [t for t in listed.tools if (t.meta or {}).get(META_ROLE) == "inner"]
            self.tools = [inner_definition(t) for t in inner]
            self.wrapped = {d.name: unwraps(d) for d in self.tools}
            self.control = {t.name for t in listed.tools if (t.meta or {}).get(META_ROLE) == "control"}
            self._stack = stack.pop_all()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._stack.aclose()

    async def call(self, name: str, arguments: dict[str, Any]) -> CallToolResult:
        """Call a tool by name."""
        return await self._client.call_tool(name, arguments)
