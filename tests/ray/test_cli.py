"""`serve echo --ray ADDRESS`: the real command over HTTP, its episodes in the cluster's actors."""

from __future__ import annotations

import sys

import anyio
import mcp
import pytest

from openenv_mcp.testing.serving import served_process
from tests.ray.cluster import LocalCluster
from tests.ray.conftest import live_actors

pytestmark = pytest.mark.subprocess


async def test_serve_with_ray_keeps_every_episode_in_an_actor(cluster: LocalCluster, namespace: str) -> None:
    command = [sys.executable, "-m", "openenv_mcp", "serve", "echo", "--port", "0"]
    command += ["--ray", cluster.address, "--ray-namespace", namespace]
    with anyio.fail_after(120):
        async with (
            served_process(command, "/envs/echo/mcp", start_seconds=90) as served,
            mcp.Client(served.url, mode="2026-07-28", read_timeout_seconds=60) as client,
        ):
            opened = await client.call_tool("reset", {"seed": 5})
            assert opened.structured_content is not None
            episode_id = opened.structured_content["episode_id"]
            assert episode_id.startswith(f"ray.{namespace}.") and len(live_actors(namespace)) == 1
            echoed = await client.call_tool("echo", {"message": "over http", "episode_id": episode_id})
            assert echoed.structured_content == {"result": "over http"}
            await client.call_tool("close", {"episode_id": episode_id})
            assert live_actors(namespace) == []


def test_ray_is_for_http_front_doors() -> None:
    from openenv_mcp.cli import main

    assert main(["serve", "echo", "--transport", "stdio", "--ray", "auto"]) != 0
