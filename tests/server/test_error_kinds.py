"""Every error carries a stable kind (in `_meta`, a step's info, step_batch entries); the client raises it."""

from __future__ import annotations

import anyio
import mcp
import pytest
from mcp.client.client import ConnectMode

from openenv_mcp import Environment, tool
from openenv_mcp.client import EnvClient
from openenv_mcp.client.results import ClientError, error_kind
from openenv_mcp.episodes import RegistryLimits
from openenv_mcp.errors import AtCapacityError, InvalidArgumentsError, error_kinds
from openenv_mcp.server import EnvServer
from openenv_mcp_echo import EchoEnvironment
from tests.conftest import connect

ECHO = {"type": "tool_call", "tool_name": "echo", "parameters": {"message": "x"}}


class Fragile(Environment):
    """A tool whose own code breaks: the environment failed, not the agent."""

    name = "fragile"

    @tool
    def crash(self) -> str:
        """Raise."""
        raise RuntimeError("the environment's own bug")


async def reset(client: mcp.Client, **options: object) -> str:
    result = await client.call_tool("reset", {"seed": 1, "options": options or None})
    assert result.structured_content is not None, result.content
    return result.structured_content["episode_id"]


async def test_an_ended_episode_says_episode_ended(era: ConnectMode) -> None:
    async with connect(EnvServer(EchoEnvironment), era) as client:
        episode = await reset(client, max_steps=1)
        await client.call_tool("step", {"episode_id": episode, "action": ECHO})
        step = await client.call_tool("step", {"episode_id": episode, "action": ECHO})
        assert (
            step.structured_content is not None and step.structured_content["error_kind"] == "episode_ended"
        )
        inner = await client.call_tool("echo", {"message": "x", "episode_id": episode})
        assert inner.is_error and error_kind(inner) == "episode_ended"


async def test_an_environment_s_own_failure_is_environment_failed(era: ConnectMode) -> None:
    async with connect(EnvServer(Fragile), era) as client:
        episode = await reset(client)
        result = await client.call_tool("crash", {"episode_id": episode})
        assert result.is_error and error_kind(result) == "environment_failed"
        again = await client.call_tool("crash", {"episode_id": episode})
        assert error_kind(again) == "environment_failed", "the server must go on serving"


async def test_capacity_and_stateless_calls_have_kinds() -> None:
    server = EnvServer(EchoEnvironment, limits=RegistryLimits(capacity=1))
    async with connect(server, "2026-07-28") as client:
        await reset(client)
        full = await client.call_tool("reset", {})
        assert full.is_error and error_kind(full) == "at_capacity"
        stateless = await client.call_tool("echo", {"message": "x"})
        assert stateless.is_error and error_kind(stateless) == "no_episode"


async def test_step_batch_entries_carry_their_kind(era: ConnectMode) -> None:
    async with connect(EnvServer(EchoEnvironment), era) as client:
        episode = await reset(client)
        batch = {"steps": [{"episode_id": episode, "action": ECHO}, {"episode_id": "forged", "action": ECHO}]}
        result = await client.call_tool("step_batch", batch)
        assert result.structured_content is not None
        good, bad = result.structured_content["results"]
        assert good["error_kind"] is None and bad["error_kind"] == "unknown_episode"


async def test_the_client_raises_the_kind_and_keeps_its_handle() -> None:
    server = EnvServer(EchoEnvironment, limits=RegistryLimits(capacity=1))
    with anyio.fail_after(30):
        async with EnvClient(server) as env:
            await env.reset(seed=1)
            handle = env._episode.episode_id  # pyright: ignore[reportPrivateUsage]
            with pytest.raises(InvalidArgumentsError) as bad:
                await env.reset(options={"max_steps": "lots"})
            assert isinstance(bad.value, ClientError) and "max_steps" in str(bad.value)
            assert env._episode.episode_id == handle, "a failed in-place reset must keep the handle"  # pyright: ignore[reportPrivateUsage]
            assert server.registry.live == 1
            assert (await env.step(ECHO)).error is None, "the kept episode still steps"
            async with EnvClient(server) as other:
                with pytest.raises(AtCapacityError) as full:
                    await other.reset()
                assert isinstance(full.value, ClientError) and "capacity" in str(full.value)


def test_every_kind_is_documented() -> None:
    with open("README.md", encoding="utf-8") as readme:
        text = readme.read()
    missing = [kind for kind in [*error_kinds(), "environment_failed"] if f"`{kind}`" not in text]
    assert not missing, f"README lacks the error kinds {missing}"
