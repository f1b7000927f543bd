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
    command += ["--ray", cluster.address, "--ray-namespace", namespace, "--ray-episodes-per-actor", "2"]
    with anyio.fail_after(120):
        async with (
            served_process(command, "/envs/echo/mcp", start_seconds=90) as served,
            mcp.Client(served.url, mode="2026-07-28", read_timeout_seconds=60) as client,
        ):
            ids: list[str] = []
            for seed in (5, 6):
                opened = await client.call_tool("reset", {"seed": seed})
                assert opened.structured_content is not None
                ids.append(opened.structured_content["episode_id"])
            assert all(e.startswith(f"ray.{namespace}.") for e in ids)
            assert len(live_actors(namespace)) == 1  # two episodes on one actor
            echoed = await client.call_tool("echo", {"message": "over http", "episode_id": ids[1]})
            assert echoed.structured_content == {"result": "over http"}
            for episode_id in ids:
                await client.call_tool("close", {"episode_id": episode_id})
            assert live_actors(namespace) == []


@pytest.mark.parametrize("given", ["0", "two"])
def test_episodes_per_actor_is_a_positive_number(given: str, capsys: pytest.CaptureFixture[str]) -> None:
    from openenv_mcp.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(["serve", "echo", "--ray", "auto", "--ray-episodes-per-actor", given])
    assert stopped.value.code == 2
    assert "--ray-episodes-per-actor" in capsys.readouterr().err


def test_ray_is_for_http_front_doors() -> None:
    from openenv_mcp.cli import main

    assert main(["serve", "echo", "--transport", "stdio", "--ray", "auto"]) != 0
