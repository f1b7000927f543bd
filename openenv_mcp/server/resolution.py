"""Which episode a call acts in: a named one, the connection's default, or one for this call only.

MCP 2026-07-28 has no sessions; the handshake era (and stdio) does. A call names an episode
by its handle, or falls back on its connection's default episode (opened on first use,
closed with the connection); a caller without the control tools (production, or a token with
only the tools scope) that makes a stateless call without a handle gets an episode of its own
that closes with the call. Quotas are checked wherever an episode opens, and every episode
belongs to the principal that opened it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio
from mcp.server import ServerRequestContext

from openenv_mcp.episodes import Caller, Episode, EpisodeRegistry
from openenv_mcp.errors import InvalidArgumentsError, NoDefaultEpisodeError
from openenv_mcp.server.quotas import ClientQuotas, client_of
from openenv_mcp.server.scope import ConnectionScope, connection_scope
from openenv_mcp.spec import ResetResult

__all__ = ["CallEpisode", "EpisodeResolver"]

Ctx = ServerRequestContext[Any, Any]


@dataclass(frozen=True)
class CallEpisode:
    """The episode an inner call acts in."""

    episode: Episode
    one_call: bool = False
    """The episode opened for this call and closes when it ends: there is no handle to keep."""
    first: ResetResult | None = None
    """Set when the episode was opened (or renewed) implicitly for this call: its briefing was never shown."""


class EpisodeResolver:
    """Finds or opens the episode of each call of one server."""

    def __init__(self, registry: EpisodeRegistry, quotas: ClientQuotas) -> None:
        self.registry, self.quotas = registry, quotas
        self.process_scoped = False
        """True on stdio: the whole process is one client's connection."""
        self._process_scope = ConnectionScope()

    def scope(self, ctx: Ctx) -> ConnectionScope | None:
        """The connection's scope, or None when the call is stateless."""
        if self.process_scoped:
            return self._process_scope
        found = connection_scope(ctx)
        if found is None:
            return None
        scope, connection = found
        if not scope.registered:
            scope.registered = True
            connection.exit_stack.push_async_callback(self._close_scope, scope)
        return scope

    async def open_episode(
        self,
        ctx: Ctx,
        caller: Caller,
        seed: int | None = None,
        options: dict[str, Any] | None = None,
        *,
        implicit: bool = False,
    ) -> tuple[Episode, ResetResult]:
        """Open an episode of `caller`'s and make it the connection's default.

        An implicit episode (opened by an inner tool call without a handle) closes with its
        connection; an episode opened by `reset` or `open_episode` is a handle that lives
        until it is closed or idles out, and may be used from any connection of its owner.
        """
        scope = self.scope(ctx)
        episode, first = await self._create(ctx, caller, seed, options)
        if scope is not None:
            scope.default = episode.id
            if implicit:
                scope.implicit.add(episode.id)
        return episode, first

    async def episode_for(self, ctx: Ctx, caller: Caller, episode_id: object) -> Episode:
        """The named episode, or the connection's default one (opened on first use)."""
        return (await self._named_or_default(ctx, caller, episode_id)).episode

    @asynccontextmanager
    async def episode_in_call(
        self, ctx: Ctx, caller: Caller, episode_id: object
    ) -> AsyncGenerator[CallEpisode]:
        """The episode an inner call acts in.

        A caller without the control tools whose call is stateless (MCP 2026-07-28) and names
        no episode gets an episode of its own, closed when the call ends: nothing is left
        behind for the idle TTL to find, and no client can fill the capacity with calls.
        """
        if episode_id is None and not caller.control and self.scope(ctx) is None:
            episode, _ = await self._create(ctx, caller, None, None)
            try:
                yield CallEpisode(episode, one_call=True)
            finally:
                with anyio.CancelScope(shield=True):
                    await self.registry.close(episode.id, "closed when its one call ended")
            return
        yield await self._named_or_default(ctx, caller, episode_id)

    async def _named_or_default(self, ctx: Ctx, caller: Caller, episode_id: object) -> CallEpisode:
        if isinstance(episode_id, str):
            return CallEpisode(self.registry.get(episode_id, caller))
        if episode_id is not None:
            raise InvalidArgumentsError(
                f"episode_id must be the string that reset returned; got {episode_id!r}"
            )
        scope = self.scope(ctx)
        if scope is None:
            start = "call reset first" if caller.control else "call open_episode first"
            raise NoDefaultEpisodeError(
                f"this call is stateless (MCP 2026-07-28) and names no episode: "
                f"{start} and pass the episode_id it returns"
            )
        if scope.default is not None and self.registry.is_live(scope.default):
            episode = self.registry.get(scope.default, caller)
            if not caller.control and (episode.env.terminated or episode.env.truncated):
                # Without reset, the connection's ended episode starts over by itself.
                return CallEpisode(episode, first=await episode.reset(None, None))
            return CallEpisode(episode)
        episode, first = await self.open_episode(ctx, caller, implicit=True)
        return CallEpisode(episode, first=first)

    async def _create(
        self, ctx: Ctx, caller: Caller, seed: int | None, options: dict[str, Any] | None
    ) -> tuple[Episode, ResetResult]:
        client = client_of(ctx)
        self.quotas.check_episode(client, self.registry, caller)
        episode, first = await self.registry.create(seed, options, caller)
        self.quotas.opened(client, episode.id)
        return episode, first

    async def _close_scope(self, scope: ConnectionScope) -> None:
        for episode_id in list(scope.implicit):
            await self.registry.close(episode_id, "closed when its connection ended")
        scope.implicit.clear()
