"""A child that crashes, hangs or answers garbage is an error observation; nothing else breaks."""

from __future__ import annotations

import anyio
import mcp
import pytest

from environments.mcp_proxy.tests.helpers import garbage_config, step_meta, text, toy_config
from openenv_mcp.conformance import child_pids
from openenv_mcp.server import EnvServer
from openenv_mcp.spec import ToolCallAction
from openenv_mcp_mcp_proxy import McpProxyEnvironment

pytestmark = [pytest.mark.subprocess]


def call(name: str, **parameters: object) -> ToolCallAction:
    return ToolCallAction(tool_name=f"toy__{name}", parameters=parameters)


async def test_a_crashing_child_is_an_error_and_is_started_again() -> None:
    proxy = McpProxyEnvironment.factory(toy_config())
    before = child_pids()
    crashing, bystander = proxy(), proxy()
    try:
        with anyio.fail_after(60):
            await crashing.reset(seed=0)
            await bystander.reset(seed=0)
            crashed = await crashing.step(call("crash"))
            assert crashed.error is not None and "Connection closed" in crashed.error
            assert not crashing.state().extra["child_alive"]
            again = await crashing.step(call("echo", message="back"))
            assert again.error is None and again.observation.to_text() == "back"
            assert crashing.state().extra["child_starts"] == 2
            assert (await bystander.step(call("echo", message="fine"))).error is None
    finally:
        await crashing.close()
        await bystander.close()
    assert child_pids() - before == set()


async def test_a_killed_child_is_an_error_observation() -> None:
    import os
    import signal

    proxy = McpProxyEnvironment.factory(toy_config())
    env = proxy()
    try:
        with anyio.fail_after(60):
            await env.reset(seed=0)
            pid = (await env.step(call("pid"))).observation.structured_content["result"]
            os.kill(pid, signal.SIGKILL)
            killed = await env.step(call("echo", message="anyone?"))
            assert killed.error is not None
            assert (await env.step(call("echo", message="restarted"))).error is None
    finally:
        await env.close()


async def test_a_hanging_call_times_out_and_the_child_answers_the_next() -> None:
    proxy = McpProxyEnvironment.factory(toy_config(call_timeout=1))
    env = proxy()
    try:
        with anyio.fail_after(60):
            await env.reset(seed=0)
            hung = await env.step(call("sleep", seconds=30))
            assert hung.error is not None and "within 1 s" in hung.error
            assert (await env.step(call("echo", message="awake"))).observation.to_text() == "awake"
            assert env.step_count == 2
    finally:
        await env.close()


async def test_a_child_answering_garbage_is_an_error_and_the_server_lives_on() -> None:
    server = EnvServer(McpProxyEnvironment, factory=McpProxyEnvironment.factory(garbage_config()))
    with anyio.fail_after(60):
        async with mcp.Client(server.server, mode="legacy", read_timeout_seconds=20) as client:
            await client.call_tool("reset", {})
            first = await client.call_tool("junk__mumble", {})
            assert first.is_error and text(first).startswith("Error: the child server")
            assert step_meta(first)["step_count"] == 1
            second = await client.call_tool("junk__mumble", {})
            assert second.is_error and step_meta(second)["step_count"] == 2
            state = await client.call_tool("state", {})
            assert state.structured_content is not None and state.structured_content["step_count"] == 2
            await client.call_tool("close", {})
    assert server.registry.live == 0
