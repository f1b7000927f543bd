"""Where a placer (a front door's provider, an `EpisodePool`) puts its new episodes: host actors.

A host takes `episodes_per_actor` episodes over its life. The placer fills the host it is
filling, then starts the next: it hands out a host's leases as it mints handles (no round
trip), starts the host actor the first time one of its episodes resets (off the event loop:
creating a named actor waits for the cluster), and retires what it started when it stops.
Hosts are owned by the process that started them: if it dies, Ray ends them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from openenv_mcp.environment import Environment
from openenv_mcp.ray import _ray
from openenv_mcp.ray.remote import (
    RemoteEpisode,
    actor_name,
    new_handle,
    new_host_token,
    parse_handle,
    retire_host,
    retire_host_sync,
    start_host,
)
from openenv_mcp.ray.resources import RayResources
from openenv_mcp.sandbox.provider import Backend

__all__ = ["Hosts"]


@dataclass
class _Host:
    token: str
    resources: RayResources
    leases: int
    """Handles still to mint on this host."""
    unstarted: int
    """Minted handles whose episode has not been placed yet."""
    actor: _ray.ActorRef | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class Hosts:
    """The host actors one placer started, and the one it is filling."""

    def __init__(
        self, env_class: type[Environment], namespace: str, resources: RayResources, sandbox: Backend
    ) -> None:
        self.env_class, self.namespace = env_class, namespace
        self.sandbox: Backend = sandbox
        self.resources = resources
        """What the next host started asks for (changing it leaves started hosts as they are)."""
        self._lock = threading.Lock()
        self._hosts: dict[str, _Host] = {}
        """Hosts with leases not yet placed, by token (once all are, a host ends itself when empty)."""
        self._filling: _Host | None = None

    def new_handle(self) -> str:
        """A new episode's handle, on a lease of the host being filled (a new host once it is full)."""
        with self._lock:
            host = self._filling
            if host is None or host.leases <= 0 or host.resources != self.resources:
                resources = self.resources
                host = self._filling = _Host(new_host_token(), resources, resources.episodes_per_actor, 0)
                self._hosts[host.token] = host
            host.leases -= 1
            host.unstarted += 1
            return new_handle(self.namespace, host.token)

    def start(self, episode_id: str, owner: str | None) -> RemoteEpisode:
        """The episode's remote side, its host started if this is the host's first (this blocks)."""
        host = self._hosts.get(_token(episode_id))
        if host is None:
            raise ValueError(f"not a handle this placer minted: {episode_id!r}")
        with host.lock:
            if host.actor is None:
                name = actor_name(host.token)
                host.actor = start_host(name, self.namespace, self.env_class, host.resources, self.sandbox)
            actor = host.actor
        with self._lock:
            host.unstarted -= 1
            if host.leases <= 0 and host.unstarted <= 0:
                # Every lease is placed: the host retires itself when its last episode closes.
                self._hosts.pop(host.token, None)
        return RemoteEpisode(episode_id, actor, owner)

    def forget(self, episode_id: str) -> None:
        """Its host was lost: place nothing more there."""
        with self._lock:
            host = self._hosts.pop(_token(episode_id), None)
            if host is not None and host is self._filling:
                self._filling = None

    async def retire(self) -> None:
        """Take no new episode on the hosts still being filled; end those now empty (the placer stops)."""
        for actor in self._forget_all():
            await retire_host(actor)

    def retire_sync(self) -> None:
        for actor in self._forget_all():
            retire_host_sync(actor)

    def _forget_all(self) -> list[_ray.ActorRef]:
        with self._lock:
            hosts, self._hosts, self._filling = list(self._hosts.values()), {}, None
        return [host.actor for host in hosts if host.actor is not None]


def _token(episode_id: str) -> str:
    return episode_id.split(".")[2] if parse_handle(episode_id) else ""
