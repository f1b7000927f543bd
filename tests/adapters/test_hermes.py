"""Hermes / Qwen `<tool_call>` text, as the Hermes-Function-Calling and Qwen templates write it."""

from __future__ import annotations

import json

from openenv_mcp.spec import StepResult, ToolCallAction
from openenv_mcp_adapters import ParseError
from openenv_mcp_adapters.hermes import from_hermes_text, to_hermes_call, to_hermes_response

# A Qwen2.5 assistant turn: thinking text, then two calls.
QWEN_TURN = """I need the temperature now and tomorrow.
<tool_call>
{"name": "get_current_temperature", "arguments": {"location": "San Francisco, CA, USA"}}
</tool_call>
<tool_call>
{"name": "get_temperature_date", "arguments": {"location": "San Francisco, CA, USA", "date": "2024-10-01"}}
</tool_call>"""


def test_every_call_is_read_in_order() -> None:
    actions = from_hermes_text(QWEN_TURN)
    assert actions == [
        ToolCallAction(
            tool_name="get_current_temperature", parameters={"location": "San Francisco, CA, USA"}
        ),
        ToolCallAction(
            tool_name="get_temperature_date",
            parameters={"location": "San Francisco, CA, USA", "date": "2024-10-01"},
        ),
    ]


def test_a_call_round_trips_and_arguments_may_be_a_json_string() -> None:
    action = ToolCallAction(tool_name="drop", parameters={"column": 3})
    assert from_hermes_text(to_hermes_call(action)) == [action]
    stringly = '<tool_call>{"name": "drop", "arguments": "{\\"column\\": 3}"}</tool_call>'
    assert from_hermes_text(stringly) == [action]
    unclosed = '<tool_call>\n{"name": "drop", "arguments": {"column": 3}}'
    assert from_hermes_text(unclosed) == [action]


def test_results_become_tool_responses() -> None:
    assert to_hermes_response(StepResult(observation="26.1")) == "<tool_response>\n26.1\n</tool_response>"
    hermes = to_hermes_response(StepResult(observation={"temperature": 26.1}), name="get_current_temperature")
    body = hermes.removeprefix("<tool_response>\n").removesuffix("\n</tool_response>")
    assert json.loads(body) == {"name": "get_current_temperature", "content": {"temperature": 26.1}}


def test_malformed_calls_are_parse_errors() -> None:
    [broken] = from_hermes_text('<tool_call>{"name": "drop", "arguments": {"column": 3}</tool_call>')
    assert isinstance(broken, ParseError) and "not valid JSON" in broken.message
    [unknown] = from_hermes_text('<tool_call>{"name": "fly", "arguments": {}}</tool_call>', ["drop"])
    assert isinstance(unknown, ParseError) and "unknown tool 'fly'; the tools are: drop" in unknown.message
    [none] = from_hermes_text("I would drop in column 3.")
    assert isinstance(none, ParseError)
    assert "<tool_response>" in to_hermes_response(none)
