"""A credential reaches the child through its environment and nowhere else."""

from __future__ import annotations

import json
import logging

import anyio
import mcp
import pytest

from environments.mcp_proxy.tests.helpers import everything_config, garbage_config, text, toy_config
from openenv_mcp.server import EnvServer
from openenv_mcp.spec import ToolCallAction
from openenv_mcp_mcp_proxy import build_proxy_class

pytestmark = [pytest.mark.subprocess]
SECRET = "sk-live-5f0c9e1d2b"


def everything_said(*results: mcp.types.CallToolResult) -> str:
    return json.dumps([r.model_dump(mode="json") for r in results])


async def test_the_child_sees_the_credential_and_the_agent_sees_stars(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    proxy = await build_proxy_class(toy_config(env={"TOY_SECRET": SECRET}))
    server = EnvServer(proxy)
    with anyio.fail_after(60):
        async with mcp.Client(server.server, mode="legacy", read_timeout_seconds=20) as client:
            reset = await client.call_tool("reset", {})
            value = await client.call_tool("toy__env_value", {"name": "TOY_SECRET"})
            echoed = await client.call_tool("toy__echo", {"message": f"say {SECRET} twice"})
            unset = await client.call_tool("toy__env_value", {"name": "HOME_OF_NOTHING"})
            state = await client.call_tool("state", {})
            await client.call_tool("close", {})
    assert text(value) == "***" and value.structured_content == {"result": "***"}
    assert text(echoed) == "say *** twice"
    assert text(unset) == ""
    assert SECRET not in everything_said(reset, value, echoed, unset, state)
    assert SECRET not in caplog.text


async def test_garbage_quoting_the_credential_never_reaches_the_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    proxy = await build_proxy_class(garbage_config(env={"JUNK_TOKEN": SECRET}, call_timeout=1))
    env = proxy()
    try:
        with anyio.fail_after(60):
            await env.reset(seed=0)
            result = await env.step(ToolCallAction(tool_name="junk__mumble"))
        assert result.error is not None and SECRET not in result.error
    finally:
        await env.close()
    assert SECRET not in caplog.text


@pytest.mark.node
async def test_the_everything_servers_environment_dump_is_masked(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server = EnvServer(await build_proxy_class(everything_config(env={"EVERYTHING_TOKEN": SECRET})))
    with anyio.fail_after(60):
        async with mcp.Client(server.server, mode="2026-07-28", read_timeout_seconds=20) as client:
            reset = await client.call_tool("reset", {})
            assert reset.structured_content is not None
            episode = reset.structured_content["episode_id"]
            dumped = await client.call_tool("everything__get-env", {"episode_id": episode})
            await client.call_tool("close", {"episode_id": episode})
    assert '"EVERYTHING_TOKEN": "***"' in text(dumped)
    assert SECRET not in everything_said(dumped)
    assert SECRET not in caplog.text
