"""Episodes for a trainer that already runs on Ray: host actors called directly, no HTTP and no MCP.

The pool and its episodes are picklable, so a Ray task or actor can take them and step on
its own. Results are the server's: `StepResult`, and `step_batch` answers one entry per step
with a failure as that entry's value (an `OpenEnvError`), the others unaffected.

    pool = EpisodePool("echo")
    episode, first = pool.open_sync(seed=1)
    result = episode.step_sync(ToolCallAction(tool_name="echo", parameters={"message": "hi"}))
    pool.close_all_sync()
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio

from openenv_mcp import discovery
from openenv_mcp.environment import Environment
from openenv_mcp.errors import EpisodeLostError, OpenEnvError
from openenv_mcp.ray import _ray
from openenv_mcp.ray.actor import Mirror, Placement
from openenv_mcp.ray.hosts import Hosts
from openenv_mcp.ray.provider import DEFAULT_NAMESPACE
from openenv_mcp.ray.remote import RemoteEpisode, for_episode, host_of
from openenv_mcp.ray.resources import RayResources
from openenv_mcp.sandbox.provider import Backend
from openenv_mcp.spec import CodeAction, ResetResult, State, StepResult, ToolCallAction

__all__ = ["EpisodePool", "PoolEpisode"]

Action = ToolCallAction | CodeAction


@dataclass(frozen=True)
class PoolEpisode:
    """One episode on its host actor: step it from any process of the cluster."""

    remote: RemoteEpisode
    environment: str

    @property
    def episode_id(self) -> str:
        return self.remote.episode_id

    async def step(self, action: Action) -> StepResult:
        return (await self.remote.step(action))[0]

    def step_sync(self, action: Action) -> StepResult:
        return self.remote.call_sync("step", self.episode_id, action)[0]

    async def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> ResetResult:
        return (await self.remote.reset(seed, options))[0]

    def reset_sync(self, seed: int | None = None, options: dict[str, Any] | None = None) -> ResetResult:
        return self.remote.call_sync("reset", self.episode_id, self.remote.owner, seed, options)[0]

    async def state(self) -> State:
        return self._state((await self.remote.describe())[1])

    def state_sync(self) -> State:
        return self._state(self.remote.call_sync("describe", self.episode_id)[1])

    async def where(self) -> Placement:
        """The node and process the episode's host actor runs in."""
        return await self.remote.where()

    async def close(self) -> None:
        await self.remote.close()

    def close_sync(self) -> None:
        self.remote.close_sync()

    def _state(self, mirror: Mirror) -> State:
        return State(
            episode_id=self.episode_id,
            environment=self.environment,
            step_count=mirror.step_count,
            total_reward=mirror.total_reward,
            terminated=mirror.terminated,
            truncated=mirror.truncated,
            seed=mirror.seed,
            extra=mirror.extra,
        )


@dataclass
class EpisodePool:
    """Opens episodes of one environment on host actors placed by their resources.

    `resources.episodes_per_actor` (default one) says how many episodes share a host.
    """

    env: str | type[Environment]
    namespace: str = DEFAULT_NAMESPACE
    resources: RayResources | None = None
    sandbox: Backend = "bubblewrap"
    opened: list[PoolEpisode] = field(default_factory=list[PoolEpisode])
    """The episodes this pool object opened and has not closed (what `close_all` closes)."""
    _hosts: Hosts | None = field(default=None, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        # A copy in a task or actor closes what it opens itself, never its sender's episodes,
        # and places its episodes on hosts of its own.
        return {**self.__dict__, "opened": [], "_hosts": None}

    @property
    def env_class(self) -> type[Environment]:
        return discovery.load(self.env) if isinstance(self.env, str) else self.env

    @property
    def hosts(self) -> Hosts:
        if self._hosts is None:
            env_class = self.env_class
            resources = self.resources or RayResources.of(env_class)
            self._hosts = Hosts(env_class, self.namespace, resources, self.sandbox)
        return self._hosts

    def start(self, owner: str | None = None) -> PoolEpisode:
        """Place a new episode (its host started if needed) without waiting for it (reset it next)."""
        hosts = self.hosts
        remote = hosts.start(hosts.new_handle(), owner)
        episode = PoolEpisode(remote, hosts.env_class.name)
        self.opened.append(episode)
        return episode

    async def open(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[PoolEpisode, ResetResult]:
        """A new episode, reset.

        Placed on a host found lost at this first reset, the episode never existed for the
        caller: it is placed once more, on another host; a second loss is the caller's error.
        """
        for last in (False, True):
            episode = self.start()
            try:
                return episode, await episode.reset(seed, options)
            except EpisodeLostError:
                self._drop(episode)
                if last:
                    raise
        raise AssertionError("unreachable")

    def open_sync(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[PoolEpisode, ResetResult]:
        for last in (False, True):
            episode = self.start()
            try:
                return episode, episode.reset_sync(seed, options)
            except EpisodeLostError:
                self._drop(episode)
                if last:
                    raise
        raise AssertionError("unreachable")

    def _drop(self, episode: PoolEpisode) -> None:
        """Forget an episode whose host was lost, and the host with it (nothing more goes there)."""
        self.hosts.forget(episode.episode_id)
        if episode in self.opened:
            self.opened.remove(episode)

    async def step_batch(
        self, steps: Sequence[tuple[PoolEpisode, Action]]
    ) -> list[StepResult | OpenEnvError]:
        """One step for each episode, all at once; a failed entry is its error, the rest go on.

        The steps for episodes on one host travel as one call (`EpisodeHost.step_many`).
        """
        results: list[StepResult | OpenEnvError | None] = [None] * len(steps)

        async def on_host(positions: list[int]) -> None:
            remote = steps[positions[0]][0].remote
            try:
                answers = await remote.call("step_many", _share(steps, positions))
            except OpenEnvError as exc:
                self._fail_all(steps, positions, exc, results)
                return
            self._answer(steps, positions, answers, results)

        async with anyio.create_task_group() as group:
            for positions in _by_host(steps).values():
                group.start_soon(on_host, positions)
        return [r for r in results if r is not None]

    def step_batch_sync(self, steps: Sequence[tuple[PoolEpisode, Action]]) -> list[StepResult | OpenEnvError]:
        results: list[StepResult | OpenEnvError | None] = [None] * len(steps)
        groups = list(_by_host(steps).values())
        refs = [
            _ray.submit(steps[positions[0]][0].remote.actor, "step_many", _share(steps, positions))
            for positions in groups
        ]
        for positions, ref in zip(groups, refs, strict=True):
            try:
                with steps[positions[0]][0].remote.translated():
                    answers = _ray.get(ref)
            except OpenEnvError as exc:
                self._fail_all(steps, positions, exc, results)
                continue
            self._answer(steps, positions, answers, results)
        return [r for r in results if r is not None]

    def _answer(
        self,
        steps: Sequence[tuple[PoolEpisode, Action]],
        positions: list[int],
        answers: list[Any],
        results: list[StepResult | OpenEnvError | None],
    ) -> None:
        for i, answer in zip(positions, answers, strict=True):
            if isinstance(answer, OpenEnvError):
                results[i] = answer
            elif isinstance(answer, BaseException):
                raise answer  # not an environment's refusal: a bug, as a lone step would raise it
            else:
                results[i] = answer[0]

    def _fail_all(
        self,
        steps: Sequence[tuple[PoolEpisode, Action]],
        positions: list[int],
        exc: OpenEnvError,
        results: list[StepResult | OpenEnvError | None],
    ) -> None:
        """The host's call failed (lost, or ended): every entry on it fails so, each in its own words."""
        first = steps[positions[0]][0].episode_id
        if isinstance(exc, EpisodeLostError):
            self.hosts.forget(first)
        for i in positions:
            results[i] = for_episode(exc, first, steps[i][0].episode_id)

    async def close_all(self) -> None:
        """Close every episode this pool opened (their sandboxes), then end the hosts it started."""
        opened, self.opened = self.opened, []
        await asyncio.gather(*(e.close() for e in opened))
        if self._hosts is not None:
            await self._hosts.retire()

    def close_all_sync(self) -> None:
        opened, self.opened = self.opened, []
        for episode in opened:
            episode.close_sync()
        if self._hosts is not None:
            self._hosts.retire_sync()


def _by_host(steps: Sequence[tuple[PoolEpisode, Action]]) -> dict[str, list[int]]:
    """The positions of `steps` by the host their episode lives on (its handle names it)."""
    groups: dict[str, list[int]] = {}
    for i, (episode, _) in enumerate(steps):
        groups.setdefault(host_of(episode.episode_id), []).append(i)
    return groups


def _share(steps: Sequence[tuple[PoolEpisode, Action]], positions: list[int]) -> list[tuple[str, Action]]:
    """One host's part of a batch, as `EpisodeHost.step_many` takes it."""
    return [(steps[i][0].episode_id, steps[i][1]) for i in positions]
