"""A remote the bridge starts: one for every episode of a server, and none left once the server stops."""

from __future__ import annotations

import os
import shlex
import signal
import sys

import anyio
import pytest

from environments.openenv_bridge.tests.helpers import remote_command, remote_pid
from openenv_mcp.client import EnvClient
from openenv_mcp.server import EnvServer
from openenv_mcp.testing import connect, structured
from openenv_mcp.testing.serving import served_process
from openenv_mcp_openenv_bridge import COMMAND_VARIABLE, BridgeConfig, OpenEnvBridgeEnvironment

pytestmark = [pytest.mark.subprocess]


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def gone(pid: int, within: float = 10.0) -> bool:
    with anyio.move_on_after(within):
        while running(pid):  # noqa: ASYNC110 (a process that is not our child)
            await anyio.sleep(0.05)
    return not running(pid)


async def test_episodes_share_one_started_remote_that_stops_after_the_last() -> None:
    config = BridgeConfig(command=remote_command("echo_remote.py"), linger=30)
    async with OpenEnvBridgeEnvironment.factory(config) as factory:
        with anyio.fail_after(60):
            await factory.definitions()  # the listing starts it; it lingers for the first episode
            envs = [factory() for _ in range(3)]
            for env in envs:
                await env.reset(seed=1)
            remote = factory.runtime.remote
            assert remote is not None and remote.starts == 1 and remote.users == 3
            url = envs[0].state().extra["remote_url"]
            pid = await remote_pid(url)
            for env in envs:
                await env.close()
            assert remote.users == 0 and running(pid)  # lingering, for the next episode
    assert await gone(pid)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "killed"])
async def test_a_served_bridge_leaves_no_remote_behind(
    monkeypatch: pytest.MonkeyPatch, how: signal.Signals
) -> None:
    monkeypatch.setenv(COMMAND_VARIABLE, shlex.join(remote_command("echo_remote.py")))
    command = [sys.executable, "-m", "openenv_mcp", "serve", "openenv_bridge", "--port", "0"]
    with anyio.fail_after(90):
        async with served_process(command, "/envs/openenv_bridge/mcp") as served:
            async with EnvClient(served.url) as client:
                await client.reset(seed=1)
                said = await client.step({"tool_name": "echo", "parameters": {"message": "hi"}})
                assert said.observation == "hi"
                pid = await remote_pid((await client.state()).extra["remote_url"])
            served.process.send_signal(how)
            await served.process.wait()
        assert await gone(pid)


async def test_a_server_that_stops_stops_its_remote_at_once() -> None:
    config = BridgeConfig(command=remote_command("echo_remote.py"), linger=600)
    factory = OpenEnvBridgeEnvironment.factory(config)
    server = EnvServer(OpenEnvBridgeEnvironment, factory=factory)
    with anyio.fail_after(60):
        async with connect(server, era="legacy") as client:
            reset = await client.call_tool("reset", {"seed": 1})
            assert factory.runtime.remote is not None
            state = structured(
                await client.call_tool("state", {"episode_id": structured(reset)["episode_id"]})
            )
            pid = await remote_pid(state["extra"]["remote_url"])
        assert running(pid)
        await server.aclose()  # what the transports do when they stop serving
        assert await gone(pid, within=10), "the remote waited out its linger"
