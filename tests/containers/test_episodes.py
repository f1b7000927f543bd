"""Episodes with an environment in a container, over stdio (`docker run -i`) and HTTP."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from openenv_mcp.containers import ContainerPool, ContainerSession, DockerEngine, DockerProvider, Transport

pytestmark = pytest.mark.docker


async def play_echo(session: ContainerSession) -> dict[str, Any]:
    reset = await session.call_tool("reset", {"seed": 7})
    assert not reset.is_error and reset.structured_content is not None
    episode = reset.structured_content["episode_id"]
    step = await session.call_tool("echo", {"message": "hello", "episode_id": episode})
    assert not step.is_error, step.content
    assert step.structured_content is not None
    return step.structured_content


@pytest.mark.parametrize("transport", ["stdio", "http"])
async def test_an_echo_episode_in_a_container(provider: DockerProvider, transport: Transport) -> None:
    with anyio.fail_after(90):
        async with provider.session("echo", transport=transport) as session:
            step = await play_echo(session)
            state = await session.state()
    assert "hello" in str(step)
    assert state is not None and state.running
    if transport == "http":
        assert session.url is not None and session.url.startswith("http://127.0.0.1:")


async def test_the_container_is_hardened_and_removed(provider: DockerProvider, engine: DockerEngine) -> None:
    with anyio.fail_after(60):
        async with provider.session("echo") as session:
            attrs: dict[str, Any] = engine.inspect(session.name)
    host = attrs["HostConfig"]
    assert host["NetworkMode"] == "none"
    assert host["ReadonlyRootfs"] is True and host["CapDrop"] == ["ALL"]
    assert host["Memory"] == provider.limits.memory_bytes and host["PidsLimit"] == provider.limits.pids
    assert attrs["Config"]["User"] == "10001:10001"
    assert engine.state(session.name) is None


async def test_a_pool_hands_out_started_containers(provider: DockerProvider) -> None:
    with anyio.fail_after(120):
        async with ContainerPool(provider, "echo", size=1) as pool:
            first = await pool.acquire()
            await play_echo(first)
            await pool.release(first)
            second = await pool.acquire()
            assert second.name != first.name
            await play_echo(second)
            await pool.release(second)
