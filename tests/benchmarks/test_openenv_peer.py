"""The OpenEnv peer: its virtual environment, its echo server, and both drivers, for real.

The server takes ~10 s to start (OpenEnv imports gradio), so one serves the whole module;
its start and stop are bounded inside `openenv_server`, every step here by `fail_after`.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from pathlib import Path

import anyio
import pytest
import pytest_asyncio

from benchmarks.drivers import Driver, StepFailed
from benchmarks.peers.openenv import (
    OPENENV_VERSION,
    OpenEnvMcp,
    OpenEnvServer,
    OpenEnvWebSocket,
    PeerError,
    ensure_venv,
    installed_version,
    openenv_server,
    raise_fd_limit,
)

pytestmark = [
    pytest.mark.subprocess,
    # A fresh machine installs OpenEnv first (seconds with uv, longer with pip).
    pytest.mark.timeout(300),
]

in_module_loop = pytest.mark.asyncio(loop_scope="module")
"""The tests that use the module's server run in the loop that started it."""

DriverClass = type[OpenEnvWebSocket] | type[OpenEnvMcp]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def server() -> AsyncGenerator[OpenEnvServer]:
    async with openenv_server(max_sessions=16) as running:
        yield running


@pytest.fixture(params=[OpenEnvWebSocket, OpenEnvMcp], ids=["ws", "mcp"])
def driver_class(request: pytest.FixtureRequest) -> DriverClass:
    return request.param


def test_the_venv_is_installed_once(server: OpenEnvServer) -> None:
    python = ensure_venv()
    assert python.is_file() and installed_version(python.parent.parent) == OPENENV_VERSION
    assert ensure_venv() == python


def test_the_server_pid_is_the_peer_python(server: OpenEnvServer) -> None:
    command = Path(f"/proc/{server.pid}/cmdline").read_bytes().split(b"\0")
    assert any(part.endswith(b"openenv_echo_server.py") for part in command), command
    assert Path(f"/proc/{server.pid}/status").read_text().count("VmRSS") == 1


def test_raise_fd_limit_reaches_the_hard_limit() -> None:
    import resource

    limit = raise_fd_limit()
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == limit >= 1024


@in_module_loop
async def test_episodes_step_and_a_bad_step_fails_alone(
    server: OpenEnvServer, driver_class: DriverClass
) -> None:
    driver, wrong_tool = driver_class(server), driver_class(server, tool="nope")
    checked: Driver = driver  # pyright checks that each driver meets the protocol
    assert checked.server_pid == server.pid
    try:
        with anyio.fail_after(30):
            episodes = [await driver.open() for _ in range(3)]
            for _ in range(3):
                for episode in episodes:
                    await driver.step(episode)
            with pytest.raises(StepFailed, match="nope"):
                await wrong_tool.step(episodes[0])
            for episode in episodes:
                await driver.step(episode)
            for episode in episodes:
                await driver.close(episode)
    finally:
        await driver.aclose()
        await wrong_tool.aclose()


@in_module_loop
async def test_labels(server: OpenEnvServer) -> None:
    ws, mcp = OpenEnvWebSocket(server), OpenEnvMcp(server)
    assert (ws.label, mcp.label) == ("openenv ws", "openenv /mcp")
    await ws.aclose()
    await mcp.aclose()


@in_module_loop
async def test_an_mcp_episode_is_a_real_session(server: OpenEnvServer) -> None:
    # On the shared pool, so that a step after close reaches the server (a per-session
    # connection is closed with its session).
    driver = OpenEnvMcp(server, connection_per_session=False)
    try:
        with anyio.fail_after(30):
            first, second = await driver.open(), await driver.open()
            assert first != second
            await driver.step(first)
            await driver.close(first)
            with pytest.raises(StepFailed, match="Unknown session_id"):
                await driver.step(first)
            await driver.step(second)
            await driver.close(second)
    finally:
        await driver.aclose()


@in_module_loop
async def test_a_full_server_refuses_with_a_clear_error(server: OpenEnvServer) -> None:
    driver = OpenEnvWebSocket(server)
    try:
        with anyio.fail_after(60):
            episodes = [await driver.open() for _ in range(16)]
            with pytest.raises(PeerError, match="CAPACITY_REACHED"):
                await driver.open()
            for episode in episodes:
                await driver.close(episode)
    finally:
        await driver.aclose()
