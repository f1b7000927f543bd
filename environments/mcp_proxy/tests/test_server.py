"""The proxy served by `EnvServer` in memory: each child call is a step, rewarded by the hook."""

from __future__ import annotations

from typing import Any

import anyio
import mcp
import pytest
from mcp.client.client import ConnectMode

from environments.mcp_proxy.tests.helpers import filesystem_config, step_meta, text, toy_config
from openenv_mcp.server import EnvServer
from openenv_mcp_mcp_proxy import ChildResult, McpProxyEnvironment

pytestmark = [pytest.mark.subprocess]
ERAS: list[ConnectMode] = ["legacy", "2026-07-28"]


@pytest.mark.parametrize("era", ERAS)
async def test_a_call_is_a_step_with_the_hooks_reward_in_meta(era: ConnectMode) -> None:
    proxy = McpProxyEnvironment.factory(toy_config(reward="openenv_mcp_mcp_proxy.rewards:success"))
    server = EnvServer(McpProxyEnvironment, factory=proxy)
    with anyio.fail_after(60):
        async with mcp.Client(server.server, mode=era, read_timeout_seconds=20) as client:
            listed = {t.name for t in (await client.list_tools()).tools}
            assert {"reset", "step", "toy__echo", "toy__pid"} <= listed
            reset = await client.call_tool("reset", {"seed": 1})
            assert reset.structured_content is not None
            episode = reset.structured_content["episode_id"]
            first = await client.call_tool("toy__echo", {"message": "hi", "episode_id": episode})
            second = await client.call_tool("toy__echo", {"message": "again", "episode_id": episode})
            assert (text(first), first.is_error) == ("hi", False)
            assert first.structured_content == {"result": "hi"}
            assert step_meta(first)["reward"] == 1.0 and step_meta(first)["step_count"] == 1
            assert step_meta(second)["step_count"] == 2
            state = await client.call_tool("state", {"episode_id": episode})
            assert state.structured_content is not None
            assert state.structured_content["total_reward"] == 2.0
            await client.call_tool("close", {"episode_id": episode})
    assert server.registry.live == 0


async def test_the_reward_hook_sees_the_childs_tool_name_arguments_and_result() -> None:
    proxy = McpProxyEnvironment.factory(toy_config())
    seen: list[tuple[str, dict[str, Any], str]] = []

    def hook(name: str, arguments: dict[str, Any], result: ChildResult) -> float:
        seen.append((name, arguments, result.to_text()))
        return 0.5

    proxy.runtime.reward = hook
    server = EnvServer(McpProxyEnvironment, factory=proxy)
    with anyio.fail_after(60):
        async with mcp.Client(server.server, mode="legacy", read_timeout_seconds=20) as client:
            await client.call_tool("reset", {})
            answered = await client.call_tool("toy__echo", {"message": "x"})
            await client.call_tool("close", {})
    assert seen == [("echo", {"message": "x"}, "x")]
    assert step_meta(answered)["reward"] == 0.5


@pytest.mark.node
@pytest.mark.parametrize("era", ERAS)
async def test_the_filesystem_server_structured_content_passes_through(era: ConnectMode) -> None:
    server = EnvServer(McpProxyEnvironment, factory=McpProxyEnvironment.factory(filesystem_config()))
    with anyio.fail_after(60):
        async with mcp.Client(server.server, mode=era, read_timeout_seconds=20) as client:
            reset = await client.call_tool("reset", {})
            assert reset.structured_content is not None
            episode, workspace = (
                reset.structured_content["episode_id"],
                reset.structured_content["info"]["workspace"],
            )
            listed = await client.call_tool("fs__list_allowed_directories", {"episode_id": episode})
            assert listed.structured_content == {"content": f"Allowed directories:\n{workspace}"}
            await client.call_tool("close", {"episode_id": episode})


async def test_the_default_configuration_serves_the_toolbox() -> None:
    with anyio.fail_after(30):
        names = {t.name for t in await McpProxyEnvironment().list_tools()}
    assert {"toolbox__echo", "toolbox__remember", "toolbox__recall"} <= names
