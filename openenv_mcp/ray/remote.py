"""One episode's actor, called from anywhere (a front door, a Ray task, a trainer's actor).

Ray's failures become this library's errors here and nowhere else: a dead actor or node is
`EpisodeLostError` (an actor ended on purpose, `EpisodeClosedError`), and an error the
environment raised (bad reset options) comes out as itself. Nothing is retried.
"""

from __future__ import annotations

import secrets
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from openenv_mcp.environment import Environment
from openenv_mcp.errors import EpisodeClosedError, EpisodeLostError
from openenv_mcp.ray import _ray
from openenv_mcp.ray.actor import EpisodeActor, Mirror, Placement
from openenv_mcp.ray.resources import RayResources
from openenv_mcp.sandbox.provider import Backend
from openenv_mcp.spec import CodeAction, ResetResult, StepResult, ToolCallAction

__all__ = ["HANDLE_PREFIX", "RemoteEpisode", "actor_name", "new_handle", "parse_handle"]

HANDLE_PREFIX = "ray"
"""Handles read `ray.<namespace>.<token>`: the actor is `episode-<token>` in that namespace."""

_actor_classes: list[Any] = []
_ENDED_ON_PURPOSE = ("killed by `ray.kill`", "exit_actor")
"""How Ray words the death of an actor ended deliberately (a close), as against a crash."""


def new_handle(namespace: str) -> str:
    return f"{HANDLE_PREFIX}.{namespace}.{secrets.token_urlsafe(18)}"


def parse_handle(handle: str) -> tuple[str, str] | None:
    """The (namespace, actor name) a handle names, or None when it is not an actor's handle."""
    parts = handle.split(".")
    if len(parts) != 3 or parts[0] != HANDLE_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], actor_name(parts[2])


def actor_name(token: str) -> str:
    return f"episode-{token}"


@dataclass
class RemoteEpisode:
    """The client side of one episode actor: picklable (a handle and an actor reference)."""

    episode_id: str
    actor: _ray.ActorRef

    @classmethod
    def start(
        cls,
        episode_id: str,
        env_class: type[Environment],
        owner: str | None,
        resources: RayResources,
        sandbox: Backend = "bubblewrap",
    ) -> RemoteEpisode:
        """Start the actor of a new episode, placed by `resources` (it runs once scheduled)."""
        parsed = parse_handle(episode_id)
        if parsed is None:
            raise ValueError(f"not a Ray episode handle: {episode_id!r}")
        namespace, name = parsed
        options = resources.actor_options(name=name, namespace=namespace)
        actor = _actor_class().options(**options).remote(env_class, episode_id, owner, sandbox)
        return cls(episode_id, actor)

    @classmethod
    def find(cls, episode_id: str) -> RemoteEpisode | None:
        """The live episode behind a handle, from the handle alone; None: no such actor."""
        parsed = parse_handle(episode_id)
        actor = _ray.get_actor(parsed[1], parsed[0]) if parsed else None
        return None if actor is None else cls(episode_id, actor)

    async def reset(self, seed: int | None, options: dict[str, Any] | None) -> tuple[ResetResult, Mirror]:
        return await self._call("reset", seed, options)

    async def step(self, action: ToolCallAction | CodeAction) -> tuple[StepResult, Mirror]:
        return await self._call("step", action)

    async def describe(self) -> tuple[str | None, Mirror]:
        return await self._call("describe")

    async def where(self) -> Placement:
        return await self._call("where")

    def call_sync(self, method: str, *args: Any, timeout: float | None = None) -> Any:
        """A blocking call (from a Ray task, or a trainer's plain code), with the same errors."""
        with self.translated():
            return _ray.get(_ray.submit(self.actor, method, *args), timeout=timeout)

    async def close(self) -> None:
        """Let the environment free what it holds, then end the actor; a lost one is only forgotten."""
        try:
            await self._call("close")
        except (EpisodeLostError, EpisodeClosedError):
            pass
        finally:
            _ray.kill(self.actor)

    async def _call(self, method: str, *args: Any) -> Any:
        with self.translated():
            return await _ray.awaited(_ray.submit(self.actor, method, *args))

    @contextmanager
    def translated(self) -> Generator[None]:
        """Ray's errors as this library's: lost, closed, or what the environment raised."""
        ray = _ray.ray_module()
        try:
            yield
        except ray.exceptions.RayTaskError as exc:
            cause = exc.cause
            raise (cause if isinstance(cause, BaseException) else exc) from None
        except ray.exceptions.ActorDiedError as exc:
            if any(sign in str(exc) for sign in _ENDED_ON_PURPOSE):
                raise EpisodeClosedError(f"episode {self.episode_id!r} was closed") from None
            raise self._lost(exc) from None
        except (ray.exceptions.RayActorError, ray.exceptions.ObjectLostError) as exc:
            raise self._lost(exc) from None

    def _lost(self, exc: BaseException) -> EpisodeLostError:
        lines = [line for line in str(exc).splitlines() if line.strip()] or [type(exc).__name__]
        # A failed start reads "...an error raised in its creation task..." first, the error last.
        why = lines[0] if "creation task" not in lines[0] else f"it failed to start: {lines[-1].strip()}"
        return EpisodeLostError(
            f"episode {self.episode_id!r} was lost: its Ray actor or node died ({why}); "
            "its state is gone and the call was not retried: close it and reset a new one"
        )


def _actor_class() -> Any:
    """`ray.remote(EpisodeActor)`, made once per process (Ray must be imported by then)."""
    if not _actor_classes:
        _actor_classes.append(_ray.make_actor_class(EpisodeActor))
    return _actor_classes[0]
