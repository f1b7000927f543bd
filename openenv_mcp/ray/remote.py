"""One episode on its host actor, called from anywhere (a front door, a Ray task, a trainer's actor).

Ray's failures become this library's errors here and nowhere else: a dead actor or node is
`EpisodeLostError` (an actor ended on purpose, `EpisodeClosedError`), and an error the
environment raised (bad reset options) comes out as itself. Nothing is retried.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import anyio

from openenv_mcp.environment import Environment
from openenv_mcp.errors import EpisodeClosedError, EpisodeLostError, OpenEnvError
from openenv_mcp.ray import _ray
from openenv_mcp.ray.actor import EpisodeHost, Mirror, Placement
from openenv_mcp.ray.resources import RayResources
from openenv_mcp.sandbox.provider import Backend
from openenv_mcp.spec import CodeAction, ResetResult, StepResult, ToolCallAction

__all__ = [
    "HANDLE_PREFIX",
    "RemoteEpisode",
    "actor_name",
    "for_episode",
    "host_of",
    "new_handle",
    "new_host_token",
    "parse_handle",
    "retire_host",
    "retire_host_sync",
    "start_host",
]

HANDLE_PREFIX = "ray"
"""Handles read `ray.<namespace>.<host>.<token>`: the host actor is `host-<host>` in that namespace."""

_host_classes: list[Any] = []
_ENDED_ON_PURPOSE = ("killed by `ray.kill`", "exit_actor")
"""How Ray words the death of an actor ended deliberately (a close), as against a crash."""


def new_host_token() -> str:
    return secrets.token_urlsafe(12)


def new_handle(namespace: str, host: str) -> str:
    """A new episode's handle on the host `host` (a `new_host_token()`): 18 random bytes of its own."""
    return f"{HANDLE_PREFIX}.{namespace}.{host}.{secrets.token_urlsafe(18)}"


def parse_handle(handle: str) -> tuple[str, str] | None:
    """The (namespace, host actor's name) a handle names, or None when it is not a Ray handle."""
    parts = handle.split(".")
    if len(parts) != 4 or parts[0] != HANDLE_PREFIX or not all(parts[1:]):
        return None
    return parts[1], actor_name(parts[2])


def host_of(episode_id: str) -> str:
    """The host actor's name a handle names (the handle itself when it names none): a grouping key."""
    parsed = parse_handle(episode_id)
    return parsed[1] if parsed else episode_id


def for_episode(exc: OpenEnvError, named: str, episode_id: str) -> OpenEnvError:
    """A host's failure, said of one of its other episodes (`exc` names the episode `named`)."""
    return type(exc)(str(exc).replace(named, episode_id))


def actor_name(host: str) -> str:
    return f"host-{host}"


@dataclass
class RemoteEpisode:
    """The client side of one episode: picklable (its handle, its host actor's reference, its owner)."""

    episode_id: str
    actor: _ray.ActorRef
    owner: str | None = None
    """Whose it is: the host keeps it at the first reset, which opens the episode there."""

    @classmethod
    def find(cls, episode_id: str) -> RemoteEpisode | None:
        """The live host behind a handle, from the handle alone; None: no such actor."""
        parsed = parse_handle(episode_id)
        actor = _ray.get_actor(parsed[1], parsed[0]) if parsed else None
        return None if actor is None else cls(episode_id, actor)

    async def reset(self, seed: int | None, options: dict[str, Any] | None) -> tuple[ResetResult, Mirror]:
        return await self._call("reset", self.episode_id, self.owner, seed, options)

    async def step(self, action: ToolCallAction | CodeAction) -> tuple[StepResult, Mirror]:
        return await self._call("step", self.episode_id, action)

    async def describe(self) -> tuple[str | None, Mirror]:
        return await self._call("describe", self.episode_id)

    async def where(self) -> Placement:
        return await self._call("where")

    def call_sync(self, method: str, *args: Any, timeout: float | None = None) -> Any:
        """A blocking call (from a Ray task, or a trainer's plain code), with the same errors."""
        with self.translated():
            return _ray.get(_ray.submit(self.actor, method, *args), timeout=timeout)

    async def close(self) -> bool:
        """Let the environment free what it holds; True: that emptied a retired host, now ended.

        A lost or already closed episode is only forgotten.
        """
        try:
            emptied = bool(await self._call("close", self.episode_id))
        except (EpisodeLostError, EpisodeClosedError):
            return False
        if emptied:
            _ray.kill(self.actor)
        return emptied

    def close_sync(self) -> bool:
        try:
            emptied = bool(self.call_sync("close", self.episode_id))
        except (EpisodeLostError, EpisodeClosedError):
            return False
        if emptied:
            _ray.kill(self.actor)
        return emptied

    async def call(self, method: str, *args: Any) -> Any:
        """Any host method, awaited, with this library's errors (`reset`, `step`... name theirs)."""
        return await self._call(method, *args)

    async def _call(self, method: str, *args: Any) -> Any:
        ref = _ray.submit(self.actor, method, *args)
        with self.translated():
            try:
                return await _ray.awaited(ref)
            except anyio.get_cancelled_exc_class():
                # The caller went away: the host's coroutine is cancelled too, as a local step's is.
                _ray.cancel(ref)
                raise

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


def start_host(
    name: str, namespace: str, env_class: type[Environment], resources: RayResources, sandbox: Backend
) -> _ray.ActorRef:
    """Start a host actor for `resources.episodes_per_actor` episodes (it runs once scheduled).

    This blocks until the cluster registered its name: call it off the event loop.
    """
    options = resources.actor_options(name=name, namespace=namespace)
    # The class's configuration travels with it: the actor sees the variables this process has.
    config = {name: os.environ[name] for name in env_class.config_variables if name in os.environ}
    if config:
        options["runtime_env"] = {"env_vars": config}
    return _host_class().options(**options).remote(env_class, resources.episodes_per_actor, sandbox)


async def retire_host(actor: _ray.ActorRef) -> None:
    """Tell a host to take no new episode, and end it if it is empty (a lost one is left)."""
    try:
        emptied = await _ray.awaited(_ray.submit(actor, "retire"))
    except _ray.ray_module().exceptions.RayError:
        return
    if emptied:
        _ray.kill(actor)


def retire_host_sync(actor: _ray.ActorRef) -> None:
    try:
        emptied = _ray.get(_ray.submit(actor, "retire"))
    except _ray.ray_module().exceptions.RayError:
        return
    if emptied:
        _ray.kill(actor)


def _host_class() -> Any:
    """`ray.remote(EpisodeHost)`, made once per process (Ray must be imported by then)."""
    if not _host_classes:
        _host_classes.append(_ray.make_actor_class(EpisodeHost))
    return _host_classes[0]
