"""An MCP OpenEnv environment (the echo remote) through the bridge, served in memory and over HTTP."""

from __future__ import annotations

import anyio
import pytest
from mcp.client.client import ConnectMode

from environments.openenv_bridge.tests.helpers import Remote, bridged, live_sessions, settled_sessions
from openenv_mcp.server import EnvServer
from openenv_mcp.testing import (
    ERAS,
    Transport,
    check_environment,
    check_server,
    connect,
    episode_id,
    step_meta,
    text,
)
from openenv_mcp.testing.results import error_kind, structured
from openenv_mcp_openenv_bridge import BridgeConfig, OpenEnvBridgeEnvironment

pytestmark = [pytest.mark.subprocess]


def server_for(remote: Remote, **changes: object) -> EnvServer:
    factory = OpenEnvBridgeEnvironment.factory(BridgeConfig.model_validate({"url": remote.url, **changes}))
    return EnvServer(OpenEnvBridgeEnvironment, factory=factory)


@pytest.mark.parametrize("era", ERAS)
@pytest.mark.parametrize("transport", ["memory", "http"])
async def test_a_remote_tool_call_is_a_step_of_one_session(
    echo_remote: Remote, era: ConnectMode, transport: Transport
) -> None:
    server = server_for(echo_remote)
    with anyio.fail_after(60):
        async with connect(server, transport=transport, era=era) as client:
            listed = {t.name for t in (await client.list_tools()).tools}
            assert {"reset", "step", "state", "echo", "sleep", "delayed_echo", "whoami"} <= listed
            reset = await client.call_tool("reset", {"seed": 5})
            episode = episode_id(reset)
            assert "Its tools: echo, sleep, delayed_echo, whoami" in text(reset)
            assert await live_sessions(echo_remote.url) == 1
            said = await client.call_tool("echo", {"message": "hi", "episode_id": episode})
            assert (text(said), said.is_error) == ("hi", False)
            assert step_meta(said)["step_count"] == 1
            who = await client.call_tool("whoami", {"episode_id": episode})
            assert text(who) == episode  # our episode id is the remote session's
            state = structured(await client.call_tool("state", {"episode_id": episode}))
            assert state["extra"]["remote_state"] == {"episode_id": episode, "step_count": 1}
            await client.call_tool("close", {"episode_id": episode})
    assert server.registry.live == 0
    assert await settled_sessions(echo_remote.url) == 0


async def test_reset_forwards_the_seed_and_options_and_a_reset_in_place_opens_a_new_session(
    echo_remote: Remote,
) -> None:
    server = server_for(echo_remote)
    with anyio.fail_after(60):
        async with connect(server, era="legacy") as client:
            first = await client.call_tool("reset", {"seed": 11, "options": {"level": "hard"}})
            assert '"seed": 11' in text(first) and '"level": "hard"' in text(first)
            episode = episode_id(first)
            again = await client.call_tool("reset", {"episode_id": episode, "seed": 12})
            assert episode_id(again) == episode and '"seed": 12' in text(again)
            state = structured(await client.call_tool("state", {"episode_id": episode}))
            assert state["extra"]["sessions_opened"] == 2
            assert await settled_sessions(echo_remote.url, expected=1) == 1
            await client.call_tool("close", {"episode_id": episode})
    assert await settled_sessions(echo_remote.url) == 0


async def test_bad_calls_are_error_observations_and_the_episode_goes_on(echo_remote: Remote) -> None:
    server = server_for(echo_remote)
    with anyio.fail_after(60):
        async with connect(server, era="2026-07-28") as client:
            episode = episode_id(await client.call_tool("reset", {}))
            missing = await client.call_tool("echo", {"episode_id": episode})
            assert missing.is_error and error_kind(missing) == "invalid_arguments"
            wrong = await client.call_tool("sleep", {"seconds": "long", "episode_id": episode})
            assert wrong.is_error and error_kind(wrong) == "invalid_arguments"
            fine = await client.call_tool("echo", {"message": "still here", "episode_id": episode})
            assert text(fine) == "still here" and not step_meta(fine)["terminated"]
            await client.call_tool("close", {"episode_id": episode})
    assert await settled_sessions(echo_remote.url) == 0


async def test_the_bridge_passes_the_conformance_checks(echo_remote: Remote) -> None:
    environment = bridged(BridgeConfig(url=echo_remote.url))
    with anyio.fail_after(90):
        await check_environment(environment)
        await check_server(environment)
    assert await settled_sessions(echo_remote.url) == 0
