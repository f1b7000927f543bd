"""The echo environment on its own."""

from __future__ import annotations

import pytest

from openenv_mcp import ToolCallAction
from openenv_mcp.conformance import check_environment
from openenv_mcp_echo import EchoEnvironment


def say(message: str) -> ToolCallAction:
    return ToolCallAction(tool_name="echo", parameters={"message": message})


async def test_echo_conforms() -> None:
    await check_environment(EchoEnvironment)


async def test_the_reward_is_the_length_scaled() -> None:
    env = EchoEnvironment()
    await env.reset(options={"reward_scale": 0.25})
    assert (await env.step(say("12345678"))).reward == pytest.approx(2.0)
    assert (await env.step(say(""))).reward == 0.0


async def test_the_first_observation_greets() -> None:
    env = EchoEnvironment()
    first = await env.reset(seed=0)
    assert env.greeting in first.observation
    assert "echo" in first.observation


async def test_max_steps_comes_from_reset_options() -> None:
    env = EchoEnvironment()
    await env.reset(options={"max_steps": 3})
    results = [await env.step(say("x")) for _ in range(3)]
    assert [r.truncated for r in results] == [False, False, True]
    assert env.state().extra["max_steps"] == 3
