"""A node killed mid-run: its episodes answer episode_lost, every other episode finishes its steps."""

from __future__ import annotations

import time
from typing import Any

import anyio
import mcp

from openenv_mcp.errors import EpisodeLostError
from openenv_mcp.ray import EpisodePool, RayEpisodes, RayResources
from openenv_mcp.ray.remote import RemoteEpisode
from openenv_mcp.server import EnvServer
from openenv_mcp.spec import StepResult, ToolCallAction
from openenv_mcp_echo import EchoEnvironment
from tests.ray.cluster import LocalCluster, Node
from tests.ray.conftest import live_actors

STEPS, KILL_AFTER = 5, 2
DOOMED, STEADY = RayResources(custom={"doomed": 0.01}), RayResources(custom={"steady": 0.01})
"""Pinned by custom resources: the doomed node has `doomed`, the second node `steady`."""


def echo(message: str) -> dict[str, Any]:
    return {"type": "tool_call", "tool_name": "echo", "parameters": {"message": message}}


def wait_dead(node: Node, timeout: float = 30.0) -> None:
    node.kill()
    deadline = time.monotonic() + timeout
    while node.processes():
        if time.monotonic() > deadline:
            raise TimeoutError("the killed node's processes are still there")
        time.sleep(0.05)


async def test_a_killed_node_loses_its_episodes_only(cluster: LocalCluster, namespace: str) -> None:
    import ray

    doomed_node = cluster.add_node(resources={"doomed": 100})
    cluster.wait_for_nodes(ray, alive=3)
    provider = RayEpisodes(EchoEnvironment, namespace=namespace)
    server = EnvServer(EchoEnvironment)
    server.registry.provider = provider
    pools = [EpisodePool("echo", namespace=namespace, resources=r) for r in (DOOMED, STEADY)]
    with anyio.fail_after(100):
        async with mcp.Client(server.server, mode="2026-07-28", read_timeout_seconds=60) as c:
            handles: dict[str, str] = {}
            for name, resources in (("doomed", DOOMED), ("steady", STEADY)):
                provider.resources = resources
                reset = await c.call_tool("reset", {})
                assert reset.structured_content is not None
                handles[reset.structured_content["episode_id"]] = name
            names = ("doomed", "steady")
            pooled = [((await pool.open())[0], name) for pool, name in zip(pools, names, strict=True)]
            for episode_id, name in handles.items():
                remote = RemoteEpisode.find(episode_id)
                assert remote is not None
                # Neither lives on the head: one on the doomed node, one on the second.
                assert (await remote.where()).node_id != ray.get_runtime_context().get_node_id(), name

            answered: dict[tuple[str, str], list[str]] = {}
            for step in range(STEPS):
                if step == KILL_AFTER:
                    wait_dead(doomed_node)
                batch = await c.call_tool(
                    "step_batch", {"steps": [{"episode_id": e, "action": echo(f"s{step}")} for e in handles]}
                )
                assert batch.structured_content is not None
                for entry in batch.structured_content["results"]:
                    got = entry.get("error_kind") or entry["observation"]
                    answered.setdefault(("mcp", handles[entry["episode_id"]]), []).append(got)
                for episode, name in pooled:
                    result = (await pools[0].step_batch([(episode, ToolCallAction(**echo(f"s{step}")))]))[0]
                    kind = result.observation if isinstance(result, StepResult) else result.kind
                    answered.setdefault(("pool", name), []).append(kind)

            ok = [f"s{i}" for i in range(STEPS)]
            lost = ok[:KILL_AFTER] + [EpisodeLostError.kind] * (STEPS - KILL_AFTER)
            assert answered == {
                ("mcp", "doomed"): lost,
                ("mcp", "steady"): ok,
                ("pool", "doomed"): lost,
                ("pool", "steady"): ok,
            }
            state = await c.call_tool("state", {"episode_id": next(iter(handles))})
            assert state.is_error and "was lost" in str(state.content)

            await server.registry.close_all()
            for pool in pools:
                await pool.close_all()
    with anyio.fail_after(30):
        while live_actors(namespace):  # the dead node's actors: until the cluster marks them dead
            await anyio.sleep(0.2)
