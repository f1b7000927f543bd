"""OpenAI Chat Completions and Responses shapes, as the API reference shows them."""

from __future__ import annotations

import json
from typing import Any

from openenv_mcp.spec import StepResult, ToolCallAction, ToolDefinition
from openenv_mcp_adapters import ParseError
from openenv_mcp_adapters.openai import (
    from_chat_message,
    from_chat_tool_call,
    from_responses_item,
    from_responses_output,
    openai_tools,
    to_chat_tool_call,
    to_chat_tool_message,
    to_responses_function_call,
    to_responses_output,
)

WEATHER = ToolDefinition(
    name="get_current_weather",
    description="Get the current weather in a given location",
    input_schema={
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["location"],
    },
)

# A Chat Completions response's choices[0].message, from the function-calling guide.
CHAT_MESSAGE: dict[str, Any] = {
    "role": "assistant",
    "content": None,
    "tool_calls": [
        {
            "id": "call_abc123",
            "type": "function",
            "function": {"name": "get_current_weather", "arguments": '{\n"location": "Boston, MA"\n}'},
        }
    ],
    "refusal": None,
}

# A Responses API `output` list: a reasoning item, then a function call.
RESPONSES_OUTPUT: list[dict[str, Any]] = [
    {"type": "reasoning", "id": "rs_68c1", "summary": []},
    {
        "type": "function_call",
        "id": "fc_12345xyz",
        "call_id": "call_12345xyz",
        "name": "get_current_weather",
        "arguments": '{"location":"Paris, France"}',
        "status": "completed",
    },
]


def test_tool_definitions_in_both_api_shapes() -> None:
    assert openai_tools([WEATHER]) == [
        {
            "type": "function",
            "function": {
                "name": "get_current_weather",
                "description": "Get the current weather in a given location",
                "parameters": WEATHER.input_schema,
            },
        }
    ]
    assert openai_tools([WEATHER], api="responses") == [
        {
            "type": "function",
            "name": "get_current_weather",
            "description": "Get the current weather in a given location",
            "parameters": WEATHER.input_schema,
        }
    ]


def test_a_chat_message_round_trips() -> None:
    [action] = from_chat_message(CHAT_MESSAGE, [WEATHER])
    assert action == ToolCallAction(
        tool_name="get_current_weather", parameters={"location": "Boston, MA"}, tool_call_id="call_abc123"
    )
    assert isinstance(action, ToolCallAction)
    back = to_chat_tool_call(action)
    assert back["id"] == "call_abc123" and back["type"] == "function"
    assert json.loads(back["function"]["arguments"]) == {"location": "Boston, MA"}
    assert from_chat_tool_call(back) == action


def test_a_step_result_answers_the_call() -> None:
    result = StepResult(observation="22 degrees and sunny", reward=1.0)
    assert to_chat_tool_message(result, "call_abc123") == {
        "role": "tool",
        "tool_call_id": "call_abc123",
        "content": "22 degrees and sunny",
    }
    structured = StepResult(observation={"temperature": 22})
    assert to_chat_tool_message(structured, "c")["content"] == '{"temperature": 22}'


def test_parallel_tool_calls_keep_their_ids() -> None:
    message = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "a", "arguments": "{}"}},
            {"id": "call_2", "type": "function", "function": {"name": "b", "arguments": '{"x": 1}'}},
        ],
    }
    actions = from_chat_message(message)
    assert [a.tool_call_id for a in actions] == ["call_1", "call_2"]


def test_broken_json_unknown_tools_and_no_call_are_parse_errors() -> None:
    broken = {
        "id": "call_9",
        "type": "function",
        "function": {"name": "get_current_weather", "arguments": "{"},
    }
    error = from_chat_tool_call(broken, [WEATHER])
    assert isinstance(error, ParseError) and error.tool_call_id == "call_9"
    assert "not valid JSON" in error.message
    unknown = {"id": "call_8", "type": "function", "function": {"name": "fly", "arguments": "{}"}}
    error = from_chat_tool_call(unknown, [WEATHER])
    assert isinstance(error, ParseError) and "unknown tool 'fly'" in error.message
    assert "get_current_weather" in error.message
    [none] = from_chat_message({"role": "assistant", "content": "Hello!"})
    assert isinstance(none, ParseError) and "no tool_calls" in none.message
    listed = from_chat_tool_call({"id": "c", "function": {"name": "x", "arguments": "[1]"}})
    assert isinstance(listed, ParseError) and "JSON object" in listed.message
    reply = to_chat_tool_message(none, None)
    assert reply["content"].startswith("Could not read an action")


def test_a_responses_output_round_trips() -> None:
    [action] = from_responses_output(RESPONSES_OUTPUT, [WEATHER])
    assert action == ToolCallAction(
        tool_name="get_current_weather",
        parameters={"location": "Paris, France"},
        tool_call_id="call_12345xyz",
    )
    assert isinstance(action, ToolCallAction)
    item = to_responses_function_call(action)
    assert from_responses_item(item) == action
    assert to_responses_output(StepResult(observation="18C"), "call_12345xyz") == {
        "type": "function_call_output",
        "call_id": "call_12345xyz",
        "output": "18C",
    }


def test_a_responses_output_without_a_call_is_a_parse_error() -> None:
    message = {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hi"}]}
    [error] = from_responses_output([message])
    assert isinstance(error, ParseError)
    assert isinstance(from_responses_item(message), ParseError)
