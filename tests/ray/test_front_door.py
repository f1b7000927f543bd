"""The MCP front door with its episodes in Ray actors: the same tools, results and errors as locally."""

from __future__ import annotations

import time
from typing import Any

import anyio
import mcp
import pytest

from openenv_mcp.episodes import Caller, RegistryLimits
from openenv_mcp.errors import UnknownEpisodeError
from openenv_mcp.ray import RayEpisodes
from openenv_mcp.ray.remote import RemoteEpisode
from openenv_mcp.rewards import Reward, Rubric
from openenv_mcp.rewards.server import reward_server
from openenv_mcp.server import EnvServer
from openenv_mcp_echo import EchoEnvironment
from tests.ray.conftest import live_actors


def front_door(namespace: str, limits: RegistryLimits | None = None) -> EnvServer:
    server = EnvServer(EchoEnvironment, limits=limits)
    server.registry.provider = RayEpisodes(EchoEnvironment, namespace=namespace)
    return server


def client(server: EnvServer) -> mcp.Client:
    return mcp.Client(server.server, mode="2026-07-28", read_timeout_seconds=60)


async def call(c: mcp.Client, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await c.call_tool(tool, arguments)
    assert result.structured_content is not None
    return result.structured_content


async def test_reset_step_state_close_through_mcp_with_the_episode_in_an_actor(namespace: str) -> None:
    server = front_door(namespace)
    with anyio.fail_after(90):
        async with client(server) as c:
            opened = await call(c, "reset", seed=3)
            episode_id = opened["episode_id"]
            assert episode_id.startswith(f"ray.{namespace}.")  # the handle says where it lives
            stepped = await call(
                c,
                "step",
                episode_id=episode_id,
                action={"type": "tool_call", "tool_name": "echo", "parameters": {"message": "hi"}},
            )
            assert (stepped["observation"], stepped["step_count"]) == ("hi", 1)
            inner = await c.call_tool("echo", {"message": "again", "episode_id": episode_id})
            assert inner.structured_content is not None and inner.meta is not None
            state = await call(c, "state", episode_id=episode_id)
            assert (state["step_count"], state["seed"]) == (2, 3)
            assert len(live_actors(namespace)) == 1
            await call(c, "close", episode_id=episode_id)
            assert live_actors(namespace) == []
            after = await c.call_tool(
                "step",
                {
                    "episode_id": episode_id,
                    "action": {"type": "tool_call", "tool_name": "echo", "parameters": {"message": "x"}},
                },
            )
            assert after.is_error


async def test_any_front_door_steps_any_episode_from_its_handle_alone(namespace: str) -> None:
    first, second = front_door(namespace), front_door(namespace)
    with anyio.fail_after(90):
        async with client(first) as a, client(second) as b:
            episode_id = (await call(a, "reset"))["episode_id"]
            action = {"type": "tool_call", "tool_name": "echo", "parameters": {"message": "via b"}}
            stepped = await call(b, "step", episode_id=episode_id, action=action)
            assert (stepped["observation"], stepped["step_count"]) == ("via b", 1)
            assert (await call(a, "state", episode_id=episode_id))[
                "step_count"
            ] == 0  # a's mirror: its last call
            with pytest.raises(UnknownEpisodeError):  # a stranger's handle is unknown on every front door
                second.registry.get(episode_id, Caller(owner="someone else"))
            await call(b, "close", episode_id=episode_id)
            await first.registry.close_all()
    assert live_actors(namespace) == []


async def test_episodes_spread_over_the_nodes_and_the_idle_ttl_ends_their_actors(namespace: str) -> None:
    server = front_door(namespace, RegistryLimits(capacity=8, idle_ttl=600.0))
    with anyio.fail_after(90):
        async with client(server) as c:
            ids = [(await call(c, "reset"))["episode_id"] for _ in range(2)]
            places: list[str] = []
            for episode_id in ids:
                remote = RemoteEpisode.find(episode_id)
                assert remote is not None
                places.append((await remote.where()).node_id)
            assert len(set(places)) == 2
            assert await server.registry.reap(now=time.monotonic() + 601) == 2
            assert live_actors(namespace) == []
            assert server.registry.live == 0 and server.registry.expired_total == 2


def steps_taken(completions: list[str], **kwargs: Any) -> list[float]:
    return [0.5 * step for step in kwargs["step"]]


async def test_a_rubric_on_the_front_door_scores_the_episodes_in_actors_too(namespace: str) -> None:
    server, other = front_door(namespace), front_door(namespace)
    for door in (server, other):
        reward_server(door, Rubric([Reward(steps_taken, on="step")]))
    action = {"type": "tool_call", "tool_name": "echo", "parameters": {"message": "scored"}}
    with anyio.fail_after(90):
        async with client(server) as a, client(other) as b:
            episode_id = (await call(a, "reset"))["episode_id"]
            stepped = await call(a, "step", episode_id=episode_id, action=action)
            assert stepped["info"]["external_rewards"] == {"steps_taken": 0.5}
            adopted = await call(b, "step", episode_id=episode_id, action=action)  # another front door
            assert adopted["info"]["external_rewards"] == {"steps_taken": 1.0}
            await call(b, "close", episode_id=episode_id)
            await server.registry.close_all()


async def test_the_idle_ttl_asks_the_host_before_it_closes_an_episode_used_through_another_door(
    namespace: str,
) -> None:
    limits = RegistryLimits(capacity=8, idle_ttl=3.0)
    first, second = front_door(namespace, limits), front_door(namespace, limits)
    action = {"type": "tool_call", "tool_name": "echo", "parameters": {"message": "here"}}
    with anyio.fail_after(90):
        async with client(first) as a, client(second) as b:
            episode_id = (await call(a, "reset"))["episode_id"]
            # Its client moves to the second front door: the first sees no call for 6 s, twice its TTL.
            began = time.monotonic()
            while time.monotonic() - began < 6:
                await call(b, "step", episode_id=episode_id, action=action)
                await anyio.sleep(0.3)
            assert first.registry.live == 1 and first.registry.expired_total == 0  # the host said: in use
            # Left alone everywhere, it is closed by the TTL (the first front door's reaper, here).
            with anyio.fail_after(20):
                while first.registry.expired_total + second.registry.expired_total == 0:
                    await anyio.sleep(0.2)
            await first.registry.close_all()
            await second.registry.close_all()
    assert live_actors(namespace) == []
