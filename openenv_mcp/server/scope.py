"""Which episode a call without `episode_id` uses: the connection's default episode.

stdio serves one client per process, so the process is the connection. A handshake-era
session (2025-11-25 and before) is a connection with an identity. A 2026-07-28 call over
HTTP, or in memory, is stateless: it has no default episode.
"""

from __future__ import annotations

from typing import Any

from mcp.server import ServerRequestContext
from mcp.server.connection import Connection
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS

__all__ = ["ConnectionScope", "connection_scope"]

_STATE_KEY = "openenv-mcp/scope"


class ConnectionScope:
    """A connection's default episode, and the episodes it opened implicitly."""

    def __init__(self) -> None:
        self.default: str | None = None
        self.implicit: set[str] = set()
        self.registered = False
        """Whether closing the connection is already set to close these episodes."""


def _connection(ctx: ServerRequestContext[Any, Any]) -> Connection:
    # The SDK keeps the per-client Connection on the request's session without a public accessor.
    return ctx.session._connection  # pyright: ignore[reportPrivateUsage]


def connection_scope(ctx: ServerRequestContext[Any, Any]) -> tuple[ConnectionScope, Connection] | None:
    """The scope of this call's connection, or None for a stateless call."""
    if ctx.protocol_version not in HANDSHAKE_PROTOCOL_VERSIONS:
        return None
    connection = _connection(ctx)
    scope = connection.state.get(_STATE_KEY)
    if isinstance(scope, ConnectionScope):
        return scope, connection
    scope = ConnectionScope()
    connection.state[_STATE_KEY] = scope
    return scope, connection
