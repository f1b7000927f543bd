"""Model text, code blocks, OpenEnv wire actions and MCP params onto the unified schema."""

from __future__ import annotations

from mcp.types import CallToolRequestParams

from openenv_mcp.spec import CodeAction, ToolCallAction
from openenv_mcp_adapters import ParseError, parse_action, parse_text
from openenv_mcp_adapters.code import from_code_block, to_code_block
from openenv_mcp_adapters.mcp_calls import action_from_mcp, action_to_mcp, episode_of
from openenv_mcp_adapters.openenv import from_openenv, to_openenv

DROP = ToolCallAction(tool_name="drop", parameters={"column": 3})


def test_mcp_params_round_trip_with_the_call_id_and_the_episode() -> None:
    action = ToolCallAction(tool_name="drop", parameters={"column": 3}, tool_call_id="call_7")
    params = action_to_mcp(action, episode_id="ep")
    assert params.model_dump(by_alias=True, exclude_none=True) == {
        "_meta": {"openenv-mcp/tool_call_id": "call_7"},
        "name": "drop",
        "arguments": {"column": 3, "episode_id": "ep"},
    }
    assert episode_of(params) == "ep"
    assert action_from_mcp(params) == action
    wire = CallToolRequestParams.model_validate({"name": "echo", "arguments": {"message": "hi"}})
    assert action_from_mcp(wire) == ToolCallAction(tool_name="echo", parameters={"message": "hi"})
    assert episode_of(wire) is None


def test_openenv_wire_actions() -> None:
    wire = {"type": "call_tool", "tool_name": "drop", "arguments": {"column": 3}}
    assert from_openenv(wire) == DROP
    assert to_openenv(DROP) == wire
    assert isinstance(from_openenv({"type": "list_tools"}), ParseError)
    assert isinstance(from_openenv({"type": "reset"}), ParseError)
    assert isinstance(from_openenv({**wire, "tool_name": "fly"}, ["drop"]), ParseError)


def test_code_blocks() -> None:
    text = "First a draft:\n```python\nx = 1\n```\nThen the real one:\n```python\nprint(x + 1)\n```\n"
    assert from_code_block(text) == CodeAction(code="print(x + 1)")
    assert from_code_block(to_code_block(CodeAction(code="print(2)"))) == CodeAction(code="print(2)")
    assert isinstance(from_code_block("no code here"), ParseError)
    assert isinstance(from_code_block("```python\n\n```"), ParseError)


def test_parse_text_reads_every_shape() -> None:
    assert parse_text('<tool_call>{"name": "drop", "arguments": {"column": 3}}</tool_call>') == DROP
    assert parse_text('{"name": "drop", "arguments": {"column": 3}}') == DROP
    assert parse_text('{"type": "call_tool", "tool_name": "drop", "arguments": {"column": 3}}') == DROP
    assert parse_text('{"type": "tool_call", "tool_name": "drop", "parameters": {"column": 3}}') == DROP
    assert parse_text('Sure:\n```json\n{"name": "drop", "arguments": {"column": 3}}\n```') == DROP
    assert parse_text("```python\nprint(1)\n```") == CodeAction(code="print(1)")
    assert isinstance(parse_text("```python\nprint(1)\n```", allow_code=False), ParseError)


def test_parse_text_explains_what_was_wrong() -> None:
    cases = {
        "{not json": "not valid JSON",
        '{"name": "fly", "arguments": {}}': "unknown tool 'fly'",
        "I'll play the middle.": "no action found",
        '{"type": "tool_call", "tool_name": "drop", "colour": "red"}': "invalid action",
        '{"name": "drop", "arguments": [3]}': "must be a JSON object",
    }
    for text, expected in cases.items():
        error = parse_text(text, ["drop"])
        assert isinstance(error, ParseError), text
        assert expected in error.message, (text, error.message)


def test_parse_action_takes_actions_dicts_and_text() -> None:
    assert parse_action(DROP) is DROP
    assert parse_action({"tool_name": "drop", "parameters": {"column": 3}}) == DROP
    assert parse_action({"type": "code", "code": "1"}) == CodeAction(code="1")
    assert parse_action('{"name": "drop", "arguments": {"column": 3}}', ["drop"]) == DROP
    assert isinstance(parse_action(42), ParseError)
