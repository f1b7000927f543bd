"""Anthropic Messages API tool use, in the shapes of its documentation."""

from __future__ import annotations

from typing import Any

from openenv_mcp.spec import StepResult, ToolCallAction, ToolDefinition
from openenv_mcp_adapters import ParseError
from openenv_mcp_adapters.anthropic import (
    anthropic_tools,
    from_content,
    from_message,
    from_tool_use,
    to_tool_result,
    to_tool_result_message,
    to_tool_use,
)

GET_WEATHER = ToolDefinition(
    name="get_weather",
    description="Get the current weather in a given location",
    input_schema={
        "type": "object",
        "properties": {"location": {"type": "string", "description": "The city and state"}},
        "required": ["location"],
    },
)

# A whole Messages API response with stop_reason "tool_use".
RESPONSE: dict[str, Any] = {
    "id": "msg_01Aq9w938a90dw8q",
    "model": "claude-sonnet-4-5",
    "stop_reason": "tool_use",
    "role": "assistant",
    "content": [
        {"type": "text", "text": "I'll check the current weather in San Francisco for you."},
        {
            "type": "tool_use",
            "id": "toolu_01A09q90qw90lq917835lq9",
            "name": "get_weather",
            "input": {"location": "San Francisco, CA"},
        },
    ],
}


def test_tool_definitions() -> None:
    assert anthropic_tools([GET_WEATHER]) == [
        {
            "name": "get_weather",
            "description": "Get the current weather in a given location",
            "input_schema": GET_WEATHER.input_schema,
        }
    ]


def test_a_tool_use_round_trips() -> None:
    [action] = from_message(RESPONSE, [GET_WEATHER])
    assert action == ToolCallAction(
        tool_name="get_weather",
        parameters={"location": "San Francisco, CA"},
        tool_call_id="toolu_01A09q90qw90lq917835lq9",
    )
    assert isinstance(action, ToolCallAction)
    assert to_tool_use(action) == RESPONSE["content"][1]
    assert from_tool_use(to_tool_use(action)) == action


def test_results_become_tool_result_blocks_with_is_error() -> None:
    ok = to_tool_result(StepResult(observation="15 degrees"), "toolu_01A09q90qw90lq917835lq9")
    assert ok == {
        "type": "tool_result",
        "tool_use_id": "toolu_01A09q90qw90lq917835lq9",
        "content": "15 degrees",
    }
    failed = StepResult(observation="Error: column 3 is full", info={"error": "column 3 is full"})
    assert to_tool_result(failed, "toolu_2")["is_error"] is True
    message = to_tool_result_message([ok])
    assert message == {"role": "user", "content": [ok]}


def test_malformed_tool_use_is_a_parse_error() -> None:
    unknown: dict[str, Any] = {"type": "tool_use", "id": "toolu_3", "name": "fly", "input": {}}
    error = from_tool_use(unknown, [GET_WEATHER])
    assert isinstance(error, ParseError) and error.tool_call_id == "toolu_3"
    assert to_tool_result(error, error.tool_call_id)["is_error"] is True
    bad_input = from_tool_use({"type": "tool_use", "id": "toolu_4", "name": "get_weather", "input": "SF"})
    assert isinstance(bad_input, ParseError) and "JSON object" in bad_input.message
    [none] = from_content([{"type": "text", "text": "Sunny, probably."}])
    assert isinstance(none, ParseError) and "no tool_use" in none.message
