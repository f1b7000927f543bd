from __future__ import annotations

import anyio
import anyio.lowlevel
import pytest

from openenv_mcp import Environment, tool
from openenv_mcp.episodes import EpisodeRegistry, RegistryLimits
from openenv_mcp.errors import AtCapacityError, EpisodeClosedError, InvalidOptionsError, UnknownEpisodeError
from openenv_mcp.spec import ToolCallAction
from openenv_mcp_echo import EchoEnvironment


def registry(capacity: int = 4, idle_ttl: float | None = 600.0) -> EpisodeRegistry:
    return EpisodeRegistry(EchoEnvironment, RegistryLimits(capacity=capacity, idle_ttl=idle_ttl))


async def test_episode_ids_are_server_minted_and_unguessable() -> None:
    episodes = registry(capacity=64)
    ids = [(await episodes.create())[0].id for _ in range(50)]
    assert len(set(ids)) == 50
    assert all(len(i) >= 22 for i in ids)
    assert episodes.live == 50


async def test_at_capacity_is_a_clear_error_and_close_makes_room() -> None:
    episodes = registry(capacity=2)
    first, _ = await episodes.create()
    await episodes.create()
    with pytest.raises(AtCapacityError, match="at capacity: 2 of 2 episodes are live"):
        await episodes.create()
    assert await episodes.close(first.id)
    await episodes.create()
    assert episodes.live == 2


async def test_unknown_and_closed_episodes_are_told_apart() -> None:
    episodes = registry()
    episode, _ = await episodes.create()
    await episodes.close(episode.id)
    with pytest.raises(EpisodeClosedError, match="was closed; call reset"):
        episodes.get(episode.id)
    with pytest.raises(UnknownEpisodeError, match="unknown episode 'nope'"):
        episodes.get("nope")
    assert not await episodes.close(episode.id)


async def test_a_failed_create_leaves_nothing_behind() -> None:
    episodes = registry()
    with pytest.raises(InvalidOptionsError):
        await episodes.create(options={"max_steps": "many"})
    assert episodes.live == 0


async def test_reset_in_place_keeps_the_id() -> None:
    episodes = registry()
    episode, _ = await episodes.create(seed=1)
    await episode.step(ToolCallAction(tool_name="echo", parameters={"message": "x"}))
    await episode.reset(seed=2, options=None)
    assert episodes.get(episode.id).env.step_count == 0
    assert episode.env.seed == 2


async def test_the_reaper_closes_idle_episodes() -> None:
    episodes = registry(idle_ttl=0.05)
    idle, _ = await episodes.create()
    with anyio.fail_after(5):
        async with episodes.running():
            while episodes.live:
                await anyio.sleep(0.02)
    with pytest.raises(EpisodeClosedError, match="idle TTL"):
        episodes.get(idle.id)


async def test_reap_spares_recently_used_episodes() -> None:
    episodes = registry(idle_ttl=10)
    kept, _ = await episodes.create()
    assert await episodes.reap(now=kept.last_used + 5) == 0
    assert await episodes.reap(now=kept.last_used + 11) == 1


class Overlapping(Environment):
    """A tool that yields to the loop mid-step and counts how many of its calls run at once."""

    name = "overlapping"

    def __init__(self) -> None:
        super().__init__()
        self.running = self.most = 0

    @tool
    async def slow(self) -> int:
        """Take a few loop turns."""
        self.running += 1
        self.most = max(self.most, self.running)
        for _ in range(3):
            await anyio.lowlevel.checkpoint()
        self.running -= 1
        return self.most


async def test_steps_of_one_episode_run_one_at_a_time() -> None:
    episodes = EpisodeRegistry(Overlapping, RegistryLimits(capacity=4))
    episode, _ = await episodes.create()
    other, _ = await episodes.create()
    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            for _ in range(50):
                tg.start_soon(episode.step, ToolCallAction(tool_name="slow", parameters={}))
                tg.start_soon(other.step, ToolCallAction(tool_name="slow", parameters={}))
    assert episode.env.step_count == 50
    assert isinstance(episode.env, Overlapping) and episode.env.most == 1, (
        "two steps of one episode overlapped"
    )
