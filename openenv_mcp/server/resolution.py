"""Which episode a call acts in: a named one, the connection's default, or one for this call only.

MCP 2026-07-28 has no sessions; the handshake era (and stdio) does. A call names an episode
by its handle, or falls back on its connection's default episode (opened on first use,
closed with the connection); in production a stateless call without a handle gets an
episode of its own that closes with the call. Quotas are checked wherever an episode opens.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from mcp.server import ServerRequestContext

from openenv_mcp.episodes import Episode, EpisodeRegistry
from openenv_mcp.errors import InvalidArgumentsError, NoDefaultEpisodeError
from openenv_mcp.server.quotas import ClientQuotas, client_of
from openenv_mcp.server.scope import ConnectionScope, connection_scope

__all__ = ["EpisodeResolver"]


class EpisodeResolver:
    """Finds or opens the episode of each call of one server."""

    def __init__(self, registry: EpisodeRegistry, quotas: ClientQuotas, *, training: bool) -> None:
        self.registry, self.quotas, self.training = registry, quotas, training
        self.process_scoped = False
        """True on stdio: the whole process is one client's connection."""
        self._process_scope = ConnectionScope()

    def scope(self, ctx: ServerRequestContext[Any, Any]) -> ConnectionScope | None:
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
        ctx: ServerRequestContext[Any, Any],
        seed: int | None,
        options: dict[str, Any] | None,
        *,
        implicit: bool = False,
    ) -> tuple[Episode, Any]:
        """Open an episode and make it the connection's default.

        An implicit episode (opened by an inner tool call without a handle) closes with its
        connection; an episode opened by `reset` is a handle that lives until `close` or the
        idle TTL, and may be used from any connection.
        """
        scope = self.scope(ctx)
        client = client_of(ctx)
        self.quotas.check_episode(client, self.registry.is_live)
        episode, first = await self.registry.create(seed, options)
        self.quotas.opened(client, episode.id)
        if scope is not None:
            scope.default = episode.id
            if implicit:
                scope.implicit.add(episode.id)
        return episode, first

    async def episode_for(self, ctx: ServerRequestContext[Any, Any], episode_id: object) -> Episode:
        """The named episode, or the connection's default one (opened on first use)."""
        if isinstance(episode_id, str):
            return self.registry.get(episode_id)
        if episode_id is not None:
            raise InvalidArgumentsError(
                f"episode_id must be the string that reset returned; got {episode_id!r}"
            )
        scope = self.scope(ctx)
        if scope is None:
            raise NoDefaultEpisodeError(
                "this call is stateless (MCP 2026-07-28) and names no episode: "
                "call reset first and pass the episode_id it returns"
            )
        if scope.default is not None and scope.default in self.registry.ids():
            episode = self.registry.get(scope.default)
            if not self.training and (episode.env.terminated or episode.env.truncated):
                await episode.reset(None, None)  # production renews the connection's ended episode
            return episode
        episode, _ = await self.open_episode(ctx, None, None, implicit=True)
        return episode

    @asynccontextmanager
    async def episode_in_call(
        self, ctx: ServerRequestContext[Any, Any], episode_id: object
    ) -> AsyncGenerator[tuple[Episode, bool]]:
        """The episode an inner call acts in, and whether it lives for this call only.

        In production a stateless call (MCP 2026-07-28) that names no episode gets an episode
        of its own, closed when the call ends: nothing is left behind for the idle TTL to
        find, and no client can fill the capacity with calls.
        """
        if episode_id is None and not self.training and self.scope(ctx) is None:
            client = client_of(ctx)
            self.quotas.check_episode(client, self.registry.is_live)
            episode, _ = await self.registry.create()
            self.quotas.opened(client, episode.id)
            try:
                yield episode, True
            finally:
                with anyio.CancelScope(shield=True):
                    await self.registry.close(episode.id, "closed when its one call ended")
            return
        yield await self.episode_for(ctx, episode_id), False

    async def _close_scope(self, scope: ConnectionScope) -> None:
        for episode_id in list(scope.implicit):
            await self.registry.close(episode_id, "closed when its connection ended")
        scope.implicit.clear()
