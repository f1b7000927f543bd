"""A remote that hangs, dies, answers garbage or never starts: an error observation and an ended episode.

Never a hang (every wait is bounded), never a wrong answer (a session whose request timed out
or was cancelled is dropped, so the late reply is never read), and the remote ends up holding
no session of ours.
"""

from __future__ import annotations

import os
import signal
import sys

import anyio
import mcp
import pytest
from mcp import StdioServerParameters
from mcp.shared.exceptions import MCPError

from environments.openenv_bridge.tests.garbage import GARBAGE, garbage_remote
from environments.openenv_bridge.tests.helpers import (
    Remote,
    free_port,
    remote_command,
    remote_pid,
    settled_sessions,
)
from openenv_mcp.server import EnvServer
from openenv_mcp.testing import connect, episode_id, step_meta, structured, text
from openenv_mcp.testing.results import error_kind
from openenv_mcp_openenv_bridge import BridgeConfig, OpenEnvBridgeEnvironment

pytestmark = [pytest.mark.subprocess]


def server_for(config: BridgeConfig) -> EnvServer:
    return EnvServer(OpenEnvBridgeEnvironment, factory=OpenEnvBridgeEnvironment.factory(config))


async def test_a_step_that_hangs_past_the_timeout_ends_the_episode_and_its_session(
    echo_remote: Remote,
) -> None:
    server = server_for(BridgeConfig(url=echo_remote.url, reply_timeout=0.5))
    with anyio.fail_after(30):
        async with connect(server, era="legacy") as client:
            episode = episode_id(await client.call_tool("reset", {}))
            other = episode_id(await client.call_tool("reset", {}))
            hung = await client.call_tool("sleep", {"seconds": 2, "episode_id": episode})
            assert hung.is_error and error_kind(hung) == "remote_failed"
            assert "did not answer within 0.5 s" in text(hung)
            assert step_meta(hung)["truncated"] and not step_meta(hung)["terminated"]
            later = await client.call_tool("echo", {"message": "late?", "episode_id": episode})
            assert error_kind(later) == "episode_ended"  # never the sleep's late answer
            said = await client.call_tool("echo", {"message": "fine", "episode_id": other})
            assert text(said) == "fine"  # the other episode's session is untouched
            again = episode_id(await client.call_tool("reset", {"episode_id": episode}))
            said = await client.call_tool("echo", {"message": "new session", "episode_id": again})
            assert text(said) == "new session"
            state = structured(await client.call_tool("state", {"episode_id": again}))
            assert state["extra"]["sessions_opened"] == 2
            for handle in (again, other):
                await client.call_tool("close", {"episode_id": handle})
    # The abandoned session ends once the remote's sleep does and it finds the socket gone.
    assert await settled_sessions(echo_remote.url) == 0


async def test_a_call_its_client_abandoned_never_answers_a_later_call(echo_remote: Remote) -> None:
    server = server_for(BridgeConfig(url=echo_remote.url))
    with anyio.fail_after(30):
        async with mcp.Client(server.server, mode="legacy", read_timeout_seconds=0.5) as client:
            episode = episode_id(await client.call_tool("reset", {}))
            with pytest.raises(MCPError):
                await client.call_tool("sleep", {"seconds": 1.5, "episode_id": episode})
            await anyio.sleep(1.5)  # the remote's late reply has come by now (to a dropped socket)
            after = await client.call_tool("echo", {"message": "mine", "episode_id": episode})
            assert after.is_error and "slept" not in text(after)
            assert error_kind(after) == "remote_failed" and step_meta(after)["truncated"]
            assert "cancelled" in text(after)
            await client.call_tool("close", {"episode_id": episode})
    assert await settled_sessions(echo_remote.url) == 0


@pytest.mark.parametrize("kind", list(GARBAGE))
async def test_a_garbage_reply_is_an_error_and_an_ended_episode(kind: str) -> None:
    with anyio.fail_after(30):
        async with garbage_remote() as remote:
            remote.kind = kind
            server = server_for(BridgeConfig(url=remote.url, reply_timeout=5))
            async with connect(server, era="2026-07-28") as client:
                episode = episode_id(await client.call_tool("reset", {}))
                bad = await client.call_tool("echo", {"episode_id": episode})
                assert error_kind(bad) == "remote_failed" and step_meta(bad)["truncated"]
                assert "garbage" in text(bad)
                await client.call_tool("close", {"episode_id": episode})
            with anyio.fail_after(5):
                while remote.sessions:  # noqa: ASYNC110 (the remote's own count)
                    await anyio.sleep(0.02)


async def test_a_remote_killed_mid_episode_ends_it_and_the_next_reset_starts_another() -> None:
    config = BridgeConfig(command=remote_command("echo_remote.py"), linger=0)
    factory = OpenEnvBridgeEnvironment.factory(config)
    server = EnvServer(OpenEnvBridgeEnvironment, factory=factory)
    with anyio.fail_after(90):
        async with connect(server, era="legacy") as client:
            episode = episode_id(await client.call_tool("reset", {}))
            state = structured(await client.call_tool("state", {"episode_id": episode}))
            first_url = state["extra"]["remote_url"]
            os.kill(await remote_pid(first_url), signal.SIGKILL)
            dead = await client.call_tool("echo", {"message": "anyone?", "episode_id": episode})
            assert error_kind(dead) == "remote_failed" and step_meta(dead)["truncated"]
            assert "the remote closed the session" in text(dead)
            await client.call_tool("reset", {"episode_id": episode})
            said = await client.call_tool("echo", {"message": "back", "episode_id": episode})
            assert text(said) == "back"
            state = structured(await client.call_tool("state", {"episode_id": episode}))
            second_url = state["extra"]["remote_url"]
            assert second_url != first_url and factory.runtime.remote is not None
            assert factory.runtime.remote.starts == 3  # the listing's, the first episode's, the restart
            pid = await remote_pid(second_url)
            await client.call_tool("close", {"episode_id": episode})
    await factory.aclose()
    assert not _running(pid)


async def test_a_remote_that_cannot_start_says_why_on_reset() -> None:
    exits = [sys.executable, "-c", "print('no such environment'); raise SystemExit(3)"]
    never_serves = [sys.executable, "-c", "import time; time.sleep(60)"]
    cases = {
        "exit status 3": BridgeConfig(command=exits),
        "no such environment": BridgeConfig(command=exits),
        "/health within 1 s": BridgeConfig(command=never_serves, start_timeout=1),
        "/schema failed": BridgeConfig(url=f"http://127.0.0.1:{free_port()}", connect_timeout=1),
    }
    for said, config in cases.items():
        with anyio.fail_after(20):
            async with connect(server_for(config), era="legacy") as client:
                assert {t.name for t in (await client.list_tools()).tools} >= {"reset", "step"}
                reset = await client.call_tool("reset", {})
                assert reset.is_error and said in text(reset), text(reset)
                assert error_kind(reset) == "remote_unavailable"


async def test_unconfigured_it_still_serves_and_says_how_to_configure() -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OPENENV_BRIDGE_")}
    serve = ["-m", "openenv_mcp", "serve", "openenv_bridge", "--transport", "stdio"]
    parameters = StdioServerParameters(command=sys.executable, args=serve, env=environ)
    with anyio.fail_after(30):
        async with mcp.Client(parameters, mode="legacy", read_timeout_seconds=20) as client:
            reset = await client.call_tool("reset", {})
    assert reset.is_error and error_kind(reset) == "remote_unconfigured"
    assert "set OPENENV_BRIDGE_URL to a running OpenEnv server" in text(reset)
    assert "OPENENV_BRIDGE_IMAGE" in text(reset) and "OPENENV_BRIDGE_COMMAND" in text(reset)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_a_full_remote_refuses_the_next_episode_and_says_so() -> None:
    remote = Remote.start("game_remote.py", "--max-sessions", "1")
    try:
        with anyio.fail_after(30):
            async with connect(server_for(BridgeConfig(url=remote.url)), era="legacy") as client:
                first = episode_id(await client.call_tool("reset", {}))
                refused = await client.call_tool("reset", {})
                assert refused.is_error and error_kind(refused) == "remote_unavailable"
                assert "CAPACITY_REACHED" in text(refused), text(refused)
                await client.call_tool("close", {"episode_id": first})
                again = episode_id(await client.call_tool("reset", {}))  # the slot is free again
                await client.call_tool("close", {"episode_id": again})
            assert await settled_sessions(remote.url) == 0
    finally:
        remote.stop()


async def test_an_image_that_does_not_exist_is_a_clear_reset_error() -> None:
    config = BridgeConfig(image="openenv-bridge-test-no-such-image:never", start_timeout=30)
    with anyio.fail_after(60):
        async with connect(server_for(config), era="legacy") as client:
            reset = await client.call_tool("reset", {})
    assert reset.is_error and error_kind(reset) == "remote_unavailable"
    assert "openenv-bridge-test-no-such-image:never" in text(reset), text(reset)
