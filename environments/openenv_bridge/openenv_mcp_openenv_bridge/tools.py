"""The remote's tools as inner tools: an MCP environment's own, or one per action type of a typed one.

An MCP environment (its action schema is OpenEnv's `CallToolAction`) lists its tools with a
`list_tools` step; each is forwarded as a `call_tool` action. A typed environment's action
schema becomes one tool per action type: its fields are the tool's arguments (less
`metadata`, and less the `type` discriminator of a union, which the bridge fills in).

>>> schema = {"title": "GuessAction", "type": "object", "required": ["guess"],
...           "properties": {"metadata": {"type": "object"}, "guess": {"type": "integer"}}}
>>> tools = action_tools(schema)
>>> [(t.name, t.definition.input_schema["properties"]) for t in tools.values()]
[('guess', {'guess': {'type': 'integer'}})]
>>> union = {"anyOf": [{"$ref": "#/$defs/Move"}, {"$ref": "#/$defs/Say"}], "$defs": {
...     "Move": {"title": "Move", "properties": {"type": {"const": "move"}, "x": {"type": "integer"}}},
...     "Say": {"title": "Say", "properties": {"type": {"const": "say"}, "text": {"type": "string"}}}}}
>>> {name: tool.fixed for name, tool in action_tools(union).items()}
{'move': {'type': 'move'}, 'say': {'type': 'say'}}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, cast

from openenv_mcp.environment import RESERVED_NAMES, ForwardedTool, forwarded_tool
from openenv_mcp.errors import DefinitionError
from openenv_mcp.spec import ToolDefinition

__all__ = ["RemoteTool", "action_tools", "is_mcp_schema", "mcp_tools"]

_MCP_ACTIONS = frozenset({"call_tool", "list_tools"})
_MCP_TITLES = frozenset({"CallToolAction", "ListToolsAction"})


@dataclass(frozen=True)
class RemoteTool:
    """An inner tool and what its call sends: a `call_tool` of `tool.target`, or an action with `fixed`."""

    tool: ForwardedTool
    typed: bool
    fixed: dict[str, Any] = field(default_factory=dict[str, Any])

    @property
    def name(self) -> str:
        return self.tool.name

    @property
    def definition(self) -> ToolDefinition:
        return self.tool.definition

    def action(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """The step's action for a call with `arguments` (already checked against the schema)."""
        if self.typed:
            return {**arguments, **self.fixed}
        return {"type": "call_tool", "tool_name": self.tool.target, "arguments": arguments}


def is_mcp_schema(schema: dict[str, Any]) -> bool:
    """Whether an action schema is OpenEnv's MCP actions (`call_tool`, `list_tools`)."""
    return any(
        variant.get("title") in _MCP_TITLES or _const(variant) in _MCP_ACTIONS
        for variant in _variants(schema)
    )


def mcp_tools(listed: list[dict[str, Any]]) -> dict[str, RemoteTool]:
    """The tools a `list_tools` observation lists (`name`, `description`, `input_schema`)."""
    tools: dict[str, RemoteTool] = {}
    for entry in listed:
        name = str(entry.get("name", ""))
        schema: Any = entry.get("input_schema") or entry.get("inputSchema") or {"type": "object"}
        if not name or not isinstance(schema, dict):
            raise DefinitionError(f"the remote listed a malformed tool: {entry!r:.200}")
        definition = ToolDefinition(
            name=name,
            description=str(entry.get("description") or f"The remote's {name!r} tool."),
            input_schema=cast(dict[str, Any], schema),
        )
        tools[name] = RemoteTool(forwarded_tool(definition), typed=False)
    return tools


def action_tools(schema: dict[str, Any]) -> dict[str, RemoteTool]:
    """One tool per action type of a typed environment's action schema."""
    definitions: dict[str, Any] = schema.get("$defs") or {}
    tools: dict[str, RemoteTool] = {}
    for variant in _variants(schema):
        name, fixed = _tool_name(variant), {}
        properties = dict(cast(dict[str, Any], variant.get("properties") or {}))
        properties.pop("metadata", None)
        if (const := _const(variant)) is not None:
            properties.pop("type")
            fixed = {"type": const}
        required = [r for r in variant.get("required", []) if r in properties]
        input_schema: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
        input_schema["additionalProperties"] = variant.get("additionalProperties", False)
        if definitions:
            input_schema["$defs"] = definitions
        title = variant.get("title") or name
        description = variant.get("description") or f"Send the remote environment a {title} action."
        definition = ToolDefinition(
            name=name, description=str(description).strip(), input_schema=input_schema
        )
        if name in tools:
            raise DefinitionError(f"the remote's action schema has two action types named {name!r}")
        tools[name] = RemoteTool(forwarded_tool(definition), typed=True, fixed=fixed)
    return tools


def _variants(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The action types: the members of a union (references resolved), or the schema itself."""
    members: list[Any] = schema.get("anyOf") or schema.get("oneOf") or [schema]
    definitions: dict[str, Any] = schema.get("$defs") or {}
    found: list[dict[str, Any]] = []
    for member in members:
        if isinstance(member, dict) and "$ref" in member:
            reference = str(cast(dict[str, Any], member)["$ref"])
            member = definitions.get(reference.rsplit("/", 1)[-1], {})
        if isinstance(member, dict):
            found.append(cast(dict[str, Any], member))
    return found


def _const(variant: dict[str, Any]) -> Any:
    properties = cast(dict[str, Any], variant.get("properties") or {})
    found: Any = properties.get("type")
    if not isinstance(found, dict):
        return None
    kind = cast(dict[str, Any], found)
    if "const" in kind:
        return kind["const"]
    choices: Any = kind.get("enum")
    if isinstance(choices, list) and len(cast(list[Any], choices)) == 1:
        return cast(list[Any], choices)[0]
    return None


def _tool_name(variant: dict[str, Any]) -> str:
    """`type`'s constant, else the title less "Action", in snake case; a reserved name gets `_action`."""
    const = _const(variant)
    raw = str(const) if const is not None else str(variant.get("title") or "act").removesuffix("Action")
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", raw).lower()
    name = re.sub(r"[^a-z0-9_]+", "_", snake).strip("_") or "act"
    return f"{name}_action" if name in RESERVED_NAMES else name
