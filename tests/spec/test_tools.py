from __future__ import annotations

from openenv_mcp.spec import ToolAnnotationsSpec, ToolDefinition

SCHEMA = {"type": "object", "properties": {"message": {"type": "string"}}, "required": ["message"]}
DEFINITION = ToolDefinition(
    name="echo",
    description="Echo a message back.",
    input_schema=SCHEMA,
    output_schema={"type": "object", "properties": {"result": {"type": "string"}}},
    annotations=ToolAnnotationsSpec(read_only=True),
)


def test_renders_as_an_mcp_tool_with_annotations_and_meta() -> None:
    tool = DEFINITION.to_mcp({"openenv-mcp/role": "inner"})
    wire = tool.model_dump(by_alias=True, exclude_none=True)
    assert wire["inputSchema"] == SCHEMA
    assert wire["outputSchema"]["properties"]["result"]["type"] == "string"
    assert wire["annotations"] == {"readOnlyHint": True}
    assert wire["_meta"] == {"openenv-mcp/role": "inner"}


def test_renders_as_an_openai_function_tool() -> None:
    assert DEFINITION.to_openai() == {
        "type": "function",
        "function": {"name": "echo", "description": "Echo a message back.", "parameters": SCHEMA},
    }


def test_renders_as_an_anthropic_tool() -> None:
    assert DEFINITION.to_anthropic() == {
        "name": "echo",
        "description": "Echo a message back.",
        "input_schema": SCHEMA,
    }
