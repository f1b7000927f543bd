"""The episode provider of a front door whose episodes live in Ray actors (`serve --ray`).

The registry keeps protocol, owners, capacity and the idle TTL; this provider places each
episode on a host actor (one episode per actor by default, `episodes_per_actor` of them
otherwise), names the host in the handle (`ray.<namespace>.<host>.<token>`), and finds an
episode that another front door opened from its handle alone: no shared lookup table.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from typing import cast

import anyio
import anyio.to_thread

from openenv_mcp.environment import Environment, InnerTool
from openenv_mcp.errors import EpisodeError, OpenEnvError
from openenv_mcp.ray import _ray
from openenv_mcp.ray.batching import HostBatcher
from openenv_mcp.ray.environment import RayEnvironment, proxy_class
from openenv_mcp.ray.hosts import Hosts
from openenv_mcp.ray.remote import (
    RemoteEpisode,
    actor_name,
    host_of,
    new_host_token,
    retire_host,
    start_host,
)
from openenv_mcp.ray.resources import RayResources
from openenv_mcp.sandbox.provider import Backend

__all__ = ["ADOPT_TIMEOUT_SECONDS", "DEFAULT_NAMESPACE", "LIST_TIMEOUT_SECONDS", "RayEpisodes"]

DEFAULT_NAMESPACE = "openenv-mcp"
ADOPT_TIMEOUT_SECONDS = 10.0
"""How long a front door waits to learn a foreign handle's owner (once per episode it adopts)."""
LIST_TIMEOUT_SECONDS = 120.0
"""How long a front door waits for an actor to list a runtime-listing class's tools (at start)."""


class RayEpisodes:
    """Episodes of one environment class, on host actors of the cluster this process joined."""

    def __init__(
        self,
        env_class: type[Environment],
        *,
        namespace: str = DEFAULT_NAMESPACE,
        resources: RayResources | None = None,
        sandbox: Backend = "bubblewrap",
    ) -> None:
        if not namespace or not namespace.replace("-", "").replace("_", "").isalnum():
            raise OpenEnvError(f"a Ray namespace for handles is letters, digits, - and _; got {namespace!r}")
        self.env_class, self.namespace = env_class, namespace
        self.sandbox: Backend = sandbox
        self.hosts = Hosts(env_class, namespace, resources or RayResources.of(env_class), sandbox)
        self._proxy = proxy_class(env_class)
        self.batcher = HostBatcher()
        """Sends a `step_batch`'s entries to each host as one call (while running)."""
        self._owners: dict[str, str | None] = {}
        """Owners of handles minted but not yet started (the host keeps its owner from then on)."""

    @property
    def resources(self) -> RayResources:
        """What each new host asks for (a change applies to the hosts started from then on)."""
        return self.hosts.resources

    @resources.setter
    def resources(self, value: RayResources) -> None:
        self.hosts.resources = value

    def new_id(self, owner: str | None) -> str:
        handle = self.hosts.new_handle()
        self._owners[handle] = owner
        return handle

    def environment(self) -> Environment:
        return self._proxy(self, batcher=self.batcher)

    def running(self) -> AbstractAsyncContextManager[object]:
        """Batch the steps of this front door's episodes by host while the server serves."""
        return self.batcher.running()

    async def list_tools(self) -> tuple[str, list[InnerTool]]:
        """The tools an episode offers, listed where episodes live: on a host of their own.

        For a class that lists its tools at runtime (a child MCP server's, a remote's): the
        front door starts nothing of the class itself. One short-lived actor lists, then ends.
        """
        resources = replace(self.resources, episodes_per_actor=1)
        name = actor_name(new_host_token())
        probe = await anyio.to_thread.run_sync(
            lambda: start_host(name, self.namespace, self.env_class, resources, self.sandbox)
        )
        remote = RemoteEpisode(f"tool listing of {self.env_class.name!r}", probe)
        try:
            listing: tuple[str, list[InnerTool]] | None = None
            with anyio.move_on_after(LIST_TIMEOUT_SECONDS):
                listing = await remote.call("list_tools")
            if listing is None:
                raise OpenEnvError(
                    f"no Ray actor listed the tools of {self.env_class.name!r} in {LIST_TIMEOUT_SECONDS:g} "
                    f"s: does a node have {resources.num_cpus:g} CPU and the other resources an episode "
                    "asks for free?"
                )
            await retire_host(probe)  # stops what the listing started, before the actor ends
            return listing
        finally:
            _ray.kill(probe)

    async def idle_seconds(self, envs: list[Environment]) -> list[float | None]:
        """Asked of their hosts, one call each: seconds since any front door used each episode."""
        idle: list[float | None] = [None] * len(envs)
        shares: dict[str, list[int]] = {}
        for i, env in enumerate(envs):
            if isinstance(env, RayEnvironment) and env.remote is not None:
                shares.setdefault(host_of(env.remote.episode_id), []).append(i)

        async def ask(positions: list[int]) -> None:
            remotes = [cast(RayEnvironment, envs[i]).remote for i in positions]
            ids = [r.episode_id for r in remotes if r is not None]
            try:
                with anyio.fail_after(ADOPT_TIMEOUT_SECONDS):
                    answers = await cast(RemoteEpisode, remotes[0]).call("idle", ids)
            except (OpenEnvError, TimeoutError):
                return  # unknown: the TTL decides as it would alone
            for i, seconds in zip(positions, answers, strict=True):
                idle[i] = seconds

        async with anyio.create_task_group() as tg:
            for positions in shares.values():
                tg.start_soon(ask, positions)
        return idle

    async def release(self) -> None:
        """Retire the hosts this front door started (its episodes are closed): the empty ones end."""
        await self.hosts.retire()

    def adopt(self, episode_id: str) -> tuple[Environment, str | None] | None:
        """The episode another front door opened, from its handle; None: no live actor has it.

        This blocks for one round trip (the actor says whose it is), once per episode per front door.
        """
        remote = RemoteEpisode.find(episode_id)
        if remote is None:
            return None
        try:
            owner, mirror = remote.call_sync("describe", episode_id, timeout=ADOPT_TIMEOUT_SECONDS)
        except (EpisodeError, _ray.ray_module().exceptions.GetTimeoutError):
            return None
        env: RayEnvironment = self._proxy(None, remote, batcher=self.batcher)
        env.episode_id = episode_id
        env.apply(mirror)
        return env, owner

    def start(self, episode_id: str) -> RemoteEpisode:
        """A new episode's remote side (this blocks the first time its host starts)."""
        return self.hosts.start(episode_id, self._owners.pop(episode_id, None))

    def forget(self, episode_id: str) -> None:
        """Its host was lost: place no more there."""
        self.hosts.forget(episode_id)
