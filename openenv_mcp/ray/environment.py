"""The front door's stand-in for an episode that lives in a Ray actor.

It is an `Environment` to the registry and the server: `reset`, `step` and `close` go to the
actor, and what the server reads between calls (step count, state, board) comes from the
`Mirror` the actor sent with its last answer.
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from typing import Any, ClassVar, Protocol

import anyio
import anyio.to_thread

from openenv_mcp.environment import Environment
from openenv_mcp.errors import EpisodeClosedError, EpisodeLostError
from openenv_mcp.ray.actor import Mirror
from openenv_mcp.ray.batching import HostBatcher
from openenv_mcp.ray.remote import RemoteEpisode
from openenv_mcp.spec import CodeAction, ResetResult, State, StepResult, ToolCallAction

__all__ = ["Placer", "RayEnvironment", "proxy_class"]


class Placer(Protocol):
    """Where a new episode goes (the provider, `RayEpisodes`)."""

    def start(self, episode_id: str) -> RemoteEpisode:
        """The new episode's remote side; this blocks while its host starts."""
        ...

    def forget(self, episode_id: str) -> None:
        """Its host was lost: place no more there."""
        ...


class RayEnvironment(Environment, abstract=True):
    """An episode of `remote_class` held by a Ray host actor."""

    remote_class: ClassVar[type[Environment]]

    def __init__(
        self,
        placer: Placer | None = None,
        remote: RemoteEpisode | None = None,
        *,
        batcher: HostBatcher | None = None,
    ) -> None:
        super().__init__()
        self._batcher = batcher
        """Sends this step with the others of its host asked for at once (the provider's)."""
        self.inner_tools = self.remote_class.inner_tools
        self.remote = remote
        """The episode on its host, once the first reset placed it (or at once for an adopted one)."""
        self._placer = placer
        """Places a new episode (None for an adopted one: its host is another front door's)."""
        self._mirror = Mirror()
        self.lost: EpisodeLostError | None = None
        """Why the actor is gone, once a call found it so: the episode answers that from then on."""

    async def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> ResetResult:
        if self.remote is None:
            if self._placer is None:
                raise EpisodeClosedError(f"episode {self.episode_id!r} has no actor")
            # Creating a named actor waits for the cluster to register its name: off the event loop.
            self.remote = await anyio.to_thread.run_sync(self._placer.start, self.episode_id)
        with self._losing():
            first, mirror = await self.remote.reset(seed, options)
        self.apply(mirror)
        self.observations.clear()
        self.observations.append((0, first.observation))
        return first

    async def step(self, action: ToolCallAction | CodeAction) -> StepResult:
        if self.remote is None:
            raise EpisodeClosedError(f"episode {self.episode_id!r} has no actor: call reset")
        with self._losing():
            if self._batcher is not None:
                result, mirror = await self._batcher.step(self.remote, action)
            else:
                result, mirror = await self.remote.step(action)
        self.apply(mirror)
        self.observations.append((self.step_count, result.observation))
        return result

    async def close(self) -> None:
        if self.remote is not None:
            await self.remote.close()

    def state(self) -> State:
        if self.lost is not None:
            raise self.lost
        return super().state()

    @contextmanager
    def _losing(self) -> Generator[None]:
        try:
            yield
        except EpisodeLostError as exc:
            self.lost = exc
            if self._placer is not None:
                self._placer.forget(self.episode_id)
            raise

    def apply(self, mirror: Mirror) -> None:
        """Take the actor's account of where the episode stands."""
        self._mirror = mirror
        self.step_count, self.total_reward = mirror.step_count, mirror.total_reward
        self.terminated, self.truncated = mirror.terminated, mirror.truncated
        self.seed, self.max_steps = mirror.seed, mirror.max_steps

    def state_extra(self) -> dict[str, Any]:
        return dict(self._mirror.extra)

    def board_view(self) -> Any:
        return self._mirror.board

    def render_view(self) -> Any:
        return self._mirror.view


def proxy_class(env_class: type[Environment]) -> type[RayEnvironment]:
    """A `RayEnvironment` class that reads as `env_class` (its name, options and tools)."""
    attributes: dict[str, Any] = {
        "name": env_class.name,
        "description": env_class.description,
        "options_model": env_class.options_model,
        "default_max_steps": env_class.default_max_steps,
        "remote_class": env_class,
        "__module__": __name__,
    }
    return type(f"Ray{env_class.__name__}", (RayEnvironment,), attributes)
