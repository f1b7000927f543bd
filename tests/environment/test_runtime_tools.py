"""Tools listed at runtime: the `list_tools` hook, forwarded tools, and an instance used directly."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import pytest

from openenv_mcp import Environment
from openenv_mcp.environment import InnerTool
from openenv_mcp.environment.tools import ForwardedTool, forwarded_tool, tool
from openenv_mcp.errors import DefinitionError
from openenv_mcp.spec import ToolCallAction, ToolDefinition

ADD = ToolDefinition(
    name="add",
    description="Add two numbers.",
    input_schema={
        "type": "object",
        "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
        "required": ["a", "b"],
        "additionalProperties": False,
    },
    output_schema={"type": "object", "properties": {"sum": {"type": "number"}}, "required": ["sum"]},
)


class Calculator(Environment):
    """Its tools come from `listing`, as a bridge's would come from the server it bridges."""

    name = "calculator"
    description = "A calculator whose tools are listed at runtime."
    listing: ClassVar[list[ToolDefinition]] = [ADD]

    def __init__(self) -> None:
        super().__init__()
        self.forwarded: list[tuple[str, dict[str, Any]]] = []

    async def list_tools(self) -> Iterable[InnerTool]:
        return [forwarded_tool(d, target=f"remote.{d.name}") for d in self.listing]

    async def on_reset(self, options: Any) -> str:
        return f"The calculator's tools: {', '.join(self.inner_tools)}."

    async def forward_call(self, tool: ForwardedTool, arguments: dict[str, Any]) -> Any:
        self.forwarded.append((tool.target, arguments))
        self.add_reward(1.0)
        return {"sum": arguments["a"] + arguments["b"]}


class Plain(Environment):
    name = "plain_runtime_check"

    @tool
    def ping(self) -> str:
        """Answer pong."""
        return "pong"


def test_only_a_class_that_overrides_the_hook_lists_at_runtime() -> None:
    assert Calculator.lists_tools_at_runtime() and not Plain.lists_tools_at_runtime()
    assert Calculator.actions() == [] and [d.name for d in Plain.actions()] == ["ping"]


async def test_an_instance_lists_its_tools_on_its_first_reset_and_forwards_calls() -> None:
    env = Calculator()
    assert env.definitions() == []
    await env.reset(seed=0)
    assert [d.name for d in env.definitions()] == ["add"]
    result = await env.step(ToolCallAction(tool_name="add", parameters={"a": 2, "b": 3}))
    assert result.error is None and result.observation == {"sum": 5} and result.reward == 1.0
    assert env.forwarded == [("remote.add", {"a": 2, "b": 3})]
    assert env.inner_tools["add"].structure(result.observation) == {"sum": 5}


async def test_a_forwarded_tools_arguments_are_checked_against_its_schema_before_forwarding() -> None:
    env = Calculator()
    await env.reset(seed=0)
    missing = await env.step(ToolCallAction(tool_name="add", parameters={"a": 2}))
    extra = await env.step(ToolCallAction(tool_name="add", parameters={"a": 2, "b": 3, "c": 4}))
    wrong = await env.step(ToolCallAction(tool_name="add", parameters={"a": "two", "b": 3}))
    for result in (missing, extra, wrong):
        assert result.error is not None and result.info["error_kind"] == "invalid_arguments"
    assert "'b' is a required property" in (missing.error or "")
    assert env.forwarded == [] and env.step_count == 3


def test_a_runtime_tool_may_not_take_a_reserved_name_or_parameter() -> None:
    with pytest.raises(DefinitionError, match="reserved name"):
        forwarded_tool(ADD.model_copy(update={"name": "reset"}))
    schema = {"type": "object", "properties": {"episode_id": {"type": "string"}}}
    with pytest.raises(DefinitionError, match="'episode_id' is reserved"):
        forwarded_tool(ADD.model_copy(update={"input_schema": schema}))


async def test_a_listing_that_names_a_tool_twice_is_refused() -> None:
    class Twice(Calculator):
        name = "calculator_twice"
        listing: ClassVar[list[ToolDefinition]] = [ADD, ADD]

    env = Twice()
    with pytest.raises(DefinitionError, match="lists the tool 'add' twice"):
        await env.reset(seed=0)


async def test_an_environment_without_a_forwarder_says_it_cannot_answer() -> None:
    class NoForwarder(Environment):
        name = "no_forwarder"

        async def list_tools(self) -> Iterable[InnerTool]:
            return [forwarded_tool(ADD)]

    env = NoForwarder()
    await env.reset(seed=0)
    result = await env.step(ToolCallAction(tool_name="add", parameters={"a": 1, "b": 2}))
    assert result.error is not None and "cannot answer its runtime tool 'add'" in result.error
