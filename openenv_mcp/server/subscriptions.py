"""Resource subscriptions in both eras: a subscriber hears when an episode's resources change.

- handshake era: `resources/subscribe` and `resources/unsubscribe`; the session gets
  `notifications/resources/updated` on its own stream, until it unsubscribes or ends;
- 2026-07-28: `subscriptions/listen` (the SDK's `ListenHandler`), whose response is the stream.

An episode's resources change with every step and reset of it, and when it closes (a read
then says it is gone). After each tool call, and when an episode closes, the server asks
`flush` to compare the watched resources with what each was when last seen. Subscribing to
an episode needs the right to read it; a URI that names nothing (yet) is accepted and never
fires, as the SDK does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from mcp.server import ServerRequestContext
from mcp.server.connection import Connection
from mcp.server.subscriptions import InMemorySubscriptionBus, ListenHandler, ResourceUpdated
from mcp.types import (
    EmptyResult,
    SubscribeRequestParams,
    SubscriptionsListenRequestParams,
    SubscriptionsListenResult,
    UnsubscribeRequestParams,
)

from openenv_mcp.server.logs import connection_of

__all__ = ["Subscriptions"]

Ctx = ServerRequestContext[Any, Any]

_KEY = "openenv-mcp/subscriptions"


class Subscriptions:
    """Who watches which resource URIs of one server, and telling them of changes."""

    def __init__(self, check: Callable[[Ctx, str], None], version: Callable[[str], object]) -> None:
        """`check(ctx, uri)` raises when the caller may not watch `uri`; `version(uri)` changes with it."""
        self._check, self._version = check, version
        self.bus = InMemorySubscriptionBus()
        self._listen = ListenHandler(self.bus)
        self._sessions: dict[str, set[Connection]] = {}
        self._streams: Counter[str] = Counter()
        self._seen: dict[str, object] = {}

    def watched(self) -> set[str]:
        """The URIs someone watches now."""
        return set(self._sessions) | {uri for uri, count in self._streams.items() if count > 0}

    async def subscribe(self, ctx: Ctx, params: SubscribeRequestParams) -> EmptyResult:
        self._check(ctx, params.uri)
        connection = connection_of(ctx)
        mine: set[str] | None = connection.state.get(_KEY)
        if mine is None:
            mine = connection.state[_KEY] = set[str]()
            connection.exit_stack.callback(self._drop, connection, mine)
        mine.add(params.uri)
        self._watch(params.uri)
        self._sessions.setdefault(params.uri, set()).add(connection)
        return EmptyResult()

    async def unsubscribe(self, ctx: Ctx, params: UnsubscribeRequestParams) -> EmptyResult:
        connection = connection_of(ctx)
        mine: set[str] = connection.state.get(_KEY) or set()
        mine.discard(params.uri)
        self._drop(connection, {params.uri})
        return EmptyResult()

    async def listen(self, ctx: Ctx, params: SubscriptionsListenRequestParams) -> SubscriptionsListenResult:
        uris = list(params.notifications.resource_subscriptions or [])
        for uri in uris:
            self._check(ctx, uri)
            self._watch(uri)
        self._streams.update(uris)
        try:
            return await self._listen(ctx, params)
        finally:
            self._streams.subtract(uris)
            self._forget_unwatched()

    async def flush(self) -> None:
        """Tell the watchers of every watched resource that changed since it was last seen."""
        if not self._sessions and not self._streams:
            return  # the common case, after every tool call: nobody watches
        for uri in self.watched():
            now = self._version(uri)
            if self._seen.get(uri) is now:
                continue
            self._seen[uri] = now
            for connection in list(self._sessions.get(uri, ())):
                await connection.send_resource_updated(uri)
            if self._streams[uri] > 0:
                await self.bus.publish(ResourceUpdated(uri))

    def close(self) -> None:
        """End every listen stream (the server stops)."""
        self._listen.close()

    def _watch(self, uri: str) -> None:
        if uri not in self.watched():
            self._seen[uri] = self._version(uri)

    def _drop(self, connection: Connection, uris: set[str]) -> None:
        for uri in list(uris):
            watchers = self._sessions.get(uri)
            if watchers is not None:
                watchers.discard(connection)
                if not watchers:
                    del self._sessions[uri]
        self._forget_unwatched()

    def _forget_unwatched(self) -> None:
        watched = self.watched()
        for uri in [uri for uri in self._seen if uri not in watched]:
            del self._seen[uri]
        for uri in [uri for uri, count in self._streams.items() if count <= 0]:
            del self._streams[uri]
