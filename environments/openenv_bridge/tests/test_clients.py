"""The bridge served as a process: over stdio, from a Claude Desktop entry, and to our VectorEnvClient."""

from __future__ import annotations

import sys

import anyio
import mcp
import pytest
from mcp import StdioServerParameters
from mcp.client.client import ConnectMode

from environments.openenv_bridge.tests.helpers import Remote, settled_sessions
from openenv_mcp.cli import claude_config
from openenv_mcp.client import VectorEnvClient
from openenv_mcp.server import EnvServer
from openenv_mcp.testing import ERAS, episode_id, step_meta, text
from openenv_mcp.testing.serving import running_http
from openenv_mcp.transports import build_app
from openenv_mcp_openenv_bridge import URL_VARIABLE, BridgeConfig, OpenEnvBridgeEnvironment

pytestmark = [pytest.mark.subprocess]

SERVE = ["-m", "openenv_mcp", "serve", "openenv_bridge", "--transport", "stdio"]


@pytest.mark.parametrize("era", ERAS)
async def test_stdio_serves_the_remote_named_by_its_url(echo_remote: Remote, era: ConnectMode) -> None:
    environ = {URL_VARIABLE: echo_remote.url}
    parameters = StdioServerParameters(command=sys.executable, args=SERVE, env=environ)
    with anyio.fail_after(60):
        async with mcp.Client(parameters, mode=era, read_timeout_seconds=30) as client:
            assert "echo" in {t.name for t in (await client.list_tools()).tools}
            episode = episode_id(await client.call_tool("reset", {"seed": 1}))
            said = await client.call_tool("echo", {"message": "over stdio", "episode_id": episode})
            assert text(said) == "over stdio" and step_meta(said)["step_count"] == 1
            await client.call_tool("close", {"episode_id": episode})
    assert await settled_sessions(echo_remote.url) == 0


async def test_a_claude_desktop_entry_plays_the_game(game_remote: Remote) -> None:
    entry = claude_config("openenv_bridge")["mcpServers"]["openenv-openenv_bridge"]
    # What a person adds to the entry: the remote, in its "env".
    parameters = StdioServerParameters(
        command=entry["command"], args=entry["args"], env={URL_VARIABLE: game_remote.url}
    )
    with anyio.fail_after(60):
        async with mcp.Client(parameters, mode="legacy", read_timeout_seconds=30) as client:
            assert client.protocol_version == "2025-11-25"
            first = await client.call_tool("reset", {"seed": 2, "options": {"high": 1}})
            assert "guess a number from 1 to 1" in text(first)
            won = await client.call_tool("guess", {"guess": 1})  # the session's own episode
            assert '"correct"' in text(won)
            assert step_meta(won)["reward"] == 1.0 and step_meta(won)["terminated"]
    assert await settled_sessions(game_remote.url) == 0


async def test_vector_env_client_steps_many_bridged_episodes_at_once(echo_remote: Remote) -> None:
    factory = OpenEnvBridgeEnvironment.factory(BridgeConfig(url=echo_remote.url))
    server = EnvServer(OpenEnvBridgeEnvironment, factory=factory)
    with anyio.fail_after(60):
        async with running_http(build_app([server])) as base:
            url = f"{base}/envs/openenv_bridge/mcp"
            async with VectorEnvClient(url, 4, connections=2) as vector:
                await vector.reset_all(seeds=10)
                assert await settled_sessions(echo_remote.url, expected=4) == 4
                actions = [{"tool_name": "echo", "parameters": {"message": f"m{i}"}} for i in range(4)]
                for step in range(1, 4):
                    results = await vector.step_all(actions)
                    assert [r.observation for r in results] == [f"m{i}" for i in range(4)]
                    assert not any(r.terminated or r.truncated for r in results)
                    assert [r.step_count for r in results] == [step] * 4
    assert await settled_sessions(echo_remote.url) == 0
