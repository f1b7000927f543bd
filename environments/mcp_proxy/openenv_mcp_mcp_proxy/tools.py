"""The child's tools as the proxy's inner tools: namespaced, filtered, their schemas kept, masked.

>>> from mcp.types import Tool
>>> listed = [Tool(name="read", input_schema={"type": "object", "properties": {"path": {"type": "string"}}}),
...           Tool(name="write", input_schema={"type": "object"})]
>>> [t.name for t in child_tools("fs", listed, allow=None, deny=["write"]).values()]
['fs__read']

A credential in the child's listing is masked; the call still goes to the child's own name:

>>> leaky = [Tool(name="get_hunter2", description="uses hunter2", input_schema={"type": "object"})]
>>> tool = child_tools("fs", leaky, None, [], Redactor(["hunter2"]))["fs__get_redacted"]
>>> tool.definition.description, tool.target
('uses ***', 'get_hunter2')
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

from openenv_mcp.environment.tools import ForwardedTool
from openenv_mcp.errors import DefinitionError
from openenv_mcp.schema import SchemaCheck
from openenv_mcp.spec import ToolAnnotationsSpec, ToolDefinition
from openenv_mcp_mcp_proxy.child import ChildConnection
from openenv_mcp_mcp_proxy.config import ProxyConfig
from openenv_mcp_mcp_proxy.observation import ChildResult
from openenv_mcp_mcp_proxy.redact import Redactor

__all__ = [
    "NAME_MASK",
    "SEPARATOR",
    "ChildTool",
    "child_tools",
    "fetch_tools",
    "fetch_tools_blocking",
    "kept",
]

SEPARATOR = "__"
NAME_MASK = "redacted"
"""What replaces a credential in a tool's name: `***` is not a valid tool name for most model APIs."""
_NO_SECRETS = Redactor([])


class _AnyArguments(BaseModel):
    """Arguments pass to the child as given; the child's schema checks them."""

    model_config = ConfigDict(extra="allow")


@dataclass(frozen=True)
class ChildTool(ForwardedTool):
    """An inner tool that forwards to the child tool `target`, checked against the child's own schema."""

    def structure(self, value: Any) -> dict[str, Any] | None:
        """The child's structured content, when it declared an output schema."""
        if self.definition.output_schema is None or not isinstance(value, ChildResult):
            return None
        return value.structured_content


def kept(name: str, allow: list[str] | None, deny: list[str], namespace: str) -> bool:
    """Whether the allow and deny lists (globs on the child's or the namespaced name) keep a tool."""
    allowed = allow is None or any(_matches(name, p, namespace) for p in allow)
    return allowed and not any(_matches(name, p, namespace) for p in deny)


def child_tools(
    namespace: str,
    listed: list[Tool],
    allow: list[str] | None,
    deny: list[str],
    redactor: Redactor = _NO_SECRETS,
) -> dict[str, ChildTool]:
    """The inner tools for the child's listing, by namespaced name, every credential masked.

    An `allow` or `deny` pattern that matches none of the child's tools is a `DefinitionError`:
    a misspelt name would otherwise quietly offer too little, or deny nothing.
    """
    _check_patterns(namespace, listed, [*(allow or []), *deny], redactor)
    tools: dict[str, ChildTool] = {}
    for tool in listed:
        if kept(tool.name, allow, deny, namespace):
            name = _unique(f"{namespace}{SEPARATOR}{redactor.text(tool.name, NAME_MASK)}", tools)
            tools[name] = _child_tool(name, namespace, tool, redactor)
    return tools


def _check_patterns(namespace: str, listed: list[Tool], patterns: list[str], redactor: Redactor) -> None:
    unmatched = [p for p in patterns if not any(_matches(t.name, p, namespace) for t in listed)]
    if unmatched:
        names = ", ".join(redactor.text(t.name, NAME_MASK) for t in listed) or "(none)"
        raise DefinitionError(
            f"the allow and deny lists of {namespace!r} name tools its child does not have: "
            f"{', '.join(map(repr, unmatched))}; the child's tools are: {names}"
        )


def _matches(name: str, pattern: str, namespace: str) -> bool:
    return any(fnmatch.fnmatchcase(n, pattern) for n in (name, f"{namespace}{SEPARATOR}{name}"))


def _unique(name: str, taken: dict[str, ChildTool]) -> str:
    """`name`, numbered when masking made two tools' names the same."""
    found, number = name, 1
    while found in taken:
        number += 1
        found = f"{name}_{number}"
    return found


def _child_tool(name: str, namespace: str, listed: Tool, redactor: Redactor) -> ChildTool:
    schema = _closed(dict(listed.input_schema))
    annotations = listed.annotations
    shown = redactor.text(listed.name, NAME_MASK)
    description = listed.description or f"The {shown!r} tool of the {namespace!r} MCP server."
    definition = ToolDefinition(
        name=name,
        description=redactor.text(description),
        input_schema=redactor.data(schema),
        output_schema=redactor.data(listed.output_schema),
        annotations=ToolAnnotationsSpec(
            title=_masked(redactor, listed.title or (annotations.title if annotations else None)),
            read_only=annotations.read_only_hint if annotations else None,
            destructive=annotations.destructive_hint if annotations else None,
            idempotent=annotations.idempotent_hint if annotations else None,
            open_world=annotations.open_world_hint if annotations else None,
        ),
    )
    # Arguments are checked against the child's real schema; the caller masks what the check says.
    check = SchemaCheck(schema)
    return ChildTool(definition, "forward_call", _AnyArguments, check, False, True, target=listed.name)


def _masked(redactor: Redactor, value: str | None) -> str | None:
    return None if value is None else redactor.text(value)


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
