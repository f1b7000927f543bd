"""The Python API on a real two-node cluster: episodes spread, steps, step_batch, from Ray tasks."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from openenv_mcp.errors import EpisodeClosedError, InvalidOptionsError
from openenv_mcp.ray import EpisodePool, RayResources
from openenv_mcp.spec import StepResult, ToolCallAction
from openenv_mcp_echo import EchoEnvironment
from tests.ray.cluster import LocalCluster
from tests.ray.conftest import live_actors


def echo(message: str) -> ToolCallAction:
    return ToolCallAction(tool_name="echo", parameters={"message": message})


async def test_episodes_spread_over_both_nodes_and_step_as_locally(namespace: str) -> None:
    pool = EpisodePool("echo", namespace=namespace)
    local = EchoEnvironment()
    try:
        with anyio.fail_after(60):
            opened = [await pool.open(seed=7) for _ in range(4)]
            nodes = {(await e.where()).node_id for e, _ in opened}
            assert len(nodes) == 2  # SPREAD over the head and the second node
            expected_first = await local.reset(seed=7)
            assert all(first == expected_first for _, first in opened)
            results = await pool.step_batch([(e, echo(f"m{i}")) for i, (e, _) in enumerate(opened)])
            assert results[0] == await local.step(echo("m0"))
            assert [r.observation for r in results if isinstance(r, StepResult)] == ["m0", "m1", "m2", "m3"]
            state = await opened[0][0].state()
            assert (state.step_count, state.environment, state.seed) == (1, "echo", 7)
            assert len(live_actors(namespace)) == 4
    finally:
        await pool.close_all()
    assert live_actors(namespace) == []


async def test_a_closed_episode_answers_closed_and_bad_options_are_the_environments_error(
    namespace: str,
) -> None:
    pool = EpisodePool(EchoEnvironment, namespace=namespace)
    try:
        with anyio.fail_after(60):
            episode, _ = await pool.open()
            with pytest.raises(InvalidOptionsError, match="no_such_option"):
                await episode.reset(options={"no_such_option": 1})
            await episode.close()
            with pytest.raises(EpisodeClosedError):
                await episode.step(echo("after close"))
    finally:
        await pool.close_all()


def test_a_ray_task_steps_episodes_it_was_handed_and_opens_its_own(
    cluster: LocalCluster, namespace: str
) -> None:
    import ray

    pool = EpisodePool("echo", namespace=namespace, resources=RayResources(num_cpus=0.1))
    episode, _ = pool.open_sync(seed=1)

    @ray.remote(num_cpus=0.1)
    def trainer_task(pool: EpisodePool, episode: Any) -> list[Any]:
        own, _ = pool.open_sync(seed=2)
        batch = pool.step_batch_sync([(episode, echo("a")), (own, echo("b"))])
        pool.close_all_sync()  # closes only what this copy of the pool opened: its own episode
        return [r.observation if isinstance(r, StepResult) else r for r in batch]

    try:
        assert ray.get(trainer_task.remote(pool, episode), timeout=60) == ["a", "b"]
        assert episode.step_sync(echo("c")).observation == "c"
        assert len(live_actors(namespace)) == 1
    finally:
        pool.close_all_sync()
