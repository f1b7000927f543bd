"""The child's tools as the proxy's inner tools: namespaced, filtered, their schemas kept.

>>> from mcp.types import Tool
>>> listed = [Tool(name="read", input_schema={"type": "object", "properties": {"path": {"type": "string"}}}),
...           Tool(name="write", input_schema={"type": "object"})]
>>> [t.name for t in child_tools("fs", listed, allow=None, deny=["write"]).values()]
['fs__read']
"""

from __future__ import annotations

import fnmatch
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from mcp.types import Tool
from pydantic import BaseModel, ConfigDict

from openenv_mcp.environment import InnerTool
from openenv_mcp.schema import SchemaCheck
from openenv_mcp.spec import ToolAnnotationsSpec, ToolDefinition
from openenv_mcp_mcp_proxy.child import ChildConnection
from openenv_mcp_mcp_proxy.config import ProxyConfig
from openenv_mcp_mcp_proxy.observation import ChildResult
from openenv_mcp_mcp_proxy.redact import Redactor

__all__ = ["SEPARATOR", "ChildTool", "child_tools", "fetch_tools", "fetch_tools_blocking", "kept"]

SEPARATOR = "__"


class _AnyArguments(BaseModel):
    """Arguments pass to the child as given; the child's schema checks them."""

    model_config = ConfigDict(extra="allow")


@dataclass(frozen=True)
class ChildTool(InnerTool):
    """An inner tool that forwards to the child tool `child_name`."""

    child_name: str = ""

    def structure(self, value: Any) -> dict[str, Any] | None:
        """The child's structured content, when it declared an output schema."""
        if self.definition.output_schema is None or not isinstance(value, ChildResult):
            return None
        return value.structured_content


def kept(name: str, allow: list[str] | None, deny: list[str], namespace: str) -> bool:
    """Whether the allow and deny lists (globs on the child's or the namespaced name) keep a tool."""
    names = (name, f"{namespace}{SEPARATOR}{name}")

    def matches(patterns: list[str]) -> bool:
        return any(fnmatch.fnmatchcase(n, p) for n in names for p in patterns)

    return (allow is None or matches(allow)) and not matches(deny)


def child_tools(
    namespace: str, listed: list[Tool], allow: list[str] | None, deny: list[str]
) -> dict[str, ChildTool]:
    """The inner tools for the child's listing, by namespaced name."""
    tools = [_child_tool(namespace, t) for t in listed if kept(t.name, allow, deny, namespace)]
    return {t.name: t for t in tools}


def _child_tool(namespace: str, listed: Tool) -> ChildTool:
    schema = _closed(dict(listed.input_schema))
    annotations = listed.annotations
    definition = ToolDefinition(
        name=f"{namespace}{SEPARATOR}{listed.name}",
        description=listed.description or f"The {listed.name!r} tool of the {namespace!r} MCP server.",
        input_schema=schema,
        output_schema=listed.output_schema,
        annotations=ToolAnnotationsSpec(
            title=listed.title or (annotations.title if annotations else None),
            read_only=annotations.read_only_hint if annotations else None,
            destructive=annotations.destructive_hint if annotations else None,
            idempotent=annotations.idempotent_hint if annotations else None,
            open_world=annotations.open_world_hint if annotations else None,
        ),
    )
    check = SchemaCheck(schema)
    return ChildTool(definition, "call_child", _AnyArguments, check, False, True, child_name=listed.name)


def _closed(schema: dict[str, Any]) -> dict[str, Any]:
    """Unknown arguments are a mistake of the agent's: refuse them unless the child accepts extras."""
    schema.setdefault("type", "object")
    if "additionalProperties" not in schema and "patternProperties" not in schema:
        schema["additionalProperties"] = False
    return schema


async def fetch_tools(config: ProxyConfig) -> list[Tool]:
    """Start the child once, list its tools and stop it."""
    with tempfile.TemporaryDirectory(prefix="openenv-mcp-proxy-") as folder:
        workspace = Path(folder) if config.workspace else None
        child = ChildConnection(config, Redactor(config.secrets()), workspace)
        try:
            return await child.list_tools()
        finally:
            await child.stop()


def fetch_tools_blocking(config: ProxyConfig) -> list[Tool]:
    """`fetch_tools` from synchronous code (a class built on first use), on a thread of its own."""
    with ThreadPoolExecutor(1, thread_name_prefix="mcp-proxy-list") as pool:
        return pool.submit(anyio.run, fetch_tools, config).result()
