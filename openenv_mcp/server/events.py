"""Episode events: the registry says when an episode opens and closes, and which call made it so.

The server's logging and resource subscriptions both listen: a client hears that its episode
opened, closed or expired, and a subscriber that its episode's resources changed. An event
raised inside a call carries that call's context (`current_call`), so it can ride the call's
own response stream; one raised by the idle reaper has none.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

from mcp.server import ServerRequestContext

from openenv_mcp.environment import Environment
from openenv_mcp.episodes import ANYONE, Caller, Episode, EpisodeRegistry, RegistryLimits
from openenv_mcp.spec import ResetResult

__all__ = ["EpisodeEvent", "WatchedRegistry", "current_call", "in_call"]

Ctx = ServerRequestContext[Any, Any]

_CURRENT: ContextVar[Ctx | None] = ContextVar("openenv_mcp_current_call", default=None)

_IDLE_TTL = "(idle TTL)"
"""How the registry's reaper ends the reason it closes an episode with."""


def current_call() -> Ctx | None:
    """The context of the MCP request being served in this task, if any."""
    return _CURRENT.get()


class in_call:
    """Mark the code inside as serving the request `ctx` (a class: it runs on every tool call)."""

    __slots__ = ("_ctx", "_token")

    def __init__(self, ctx: Ctx) -> None:
        self._ctx = ctx

    def __enter__(self) -> None:
        self._token = _CURRENT.set(self._ctx)

    def __exit__(self, *exc: object) -> None:
        _CURRENT.reset(self._token)


@dataclass(frozen=True)
class EpisodeEvent:
    """An episode opened, closed (by a call or its connection's end) or expired (idle TTL)."""

    kind: Literal["opened", "closed", "expired"]
    episode_id: str
    owner: str | None
    steps: int
    reason: str | None = None


Listener = Callable[[EpisodeEvent], Awaitable[None]]


class WatchedRegistry(EpisodeRegistry):
    """The episode registry, telling a listener of every episode it opens and closes."""

    def __init__(
        self, factory: Callable[[], Environment], limits: RegistryLimits | None, listener: Listener
    ) -> None:
        super().__init__(factory, limits)
        self._listener = listener

    def peek(self, episode_id: str) -> Episode | None:
        """The live episode with this id, whoever owns it (for the server's own bookkeeping only)."""
        return self._episodes.get(episode_id)

    async def create(
        self, seed: int | None = None, options: dict[str, Any] | None = None, caller: Caller = ANYONE
    ) -> tuple[Episode, ResetResult]:
        episode, first = await super().create(seed, options, caller)
        await self._listener(EpisodeEvent("opened", episode.id, episode.owner, 0))
        return episode, first

    async def close(self, episode_id: str, why: str = "closed") -> bool:
        episode = self._episodes.get(episode_id)
        if not await super().close(episode_id, why) or episode is None:
            return False
        kind = "expired" if why.endswith(_IDLE_TTL) else "closed"
        await self._listener(EpisodeEvent(kind, episode_id, episode.owner, episode.env.step_count, why))
        return True
