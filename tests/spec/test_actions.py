from __future__ import annotations

import pytest
from pydantic import ValidationError

from openenv_mcp.spec import ACTION_ADAPTER, CodeAction, ToolCallAction


def test_tool_call_action_round_trips_through_the_union() -> None:
    action = ToolCallAction(tool_name="echo", parameters={"message": "hi"}, tool_call_id="call_1")
    parsed = ACTION_ADAPTER.validate_python(action.model_dump())
    assert parsed == action


def test_code_action_is_chosen_by_its_type() -> None:
    parsed = ACTION_ADAPTER.validate_python({"type": "code", "code": "print(1)"})
    assert isinstance(parsed, CodeAction)
    assert parsed.code == "print(1)"


def test_an_unknown_action_type_is_rejected() -> None:
    with pytest.raises(ValidationError, match="tool_call"):
        ACTION_ADAPTER.validate_python({"type": "shell", "command": "ls"})


def test_a_tool_call_needs_a_tool_name() -> None:
    with pytest.raises(ValidationError):
        ToolCallAction.model_validate({"type": "tool_call", "tool_name": ""})


def test_actions_forbid_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="extra"):
        ACTION_ADAPTER.validate_python({"type": "code", "code": "1", "language": "ruby"})
