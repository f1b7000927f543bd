"""Who hears that the tool list changed, in both eras.

- handshake era: every session that listed the tools gets `notifications/tools/list_changed`
  on its own stream (the server announces `tools.listChanged` where its tools can change);
- 2026-07-28: a `subscriptions/listen` stream that asked for `toolsListChanged` (the SDK's
  bus delivers the event only to those).

The list itself never varies by connection; only when it is told of a change does.
"""

from __future__ import annotations

import logging
from typing import Any

from mcp.server import ServerRequestContext
from mcp.server.connection import Connection
from mcp.server.subscriptions import SubscriptionBus, ToolsListChanged
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS

from openenv_mcp.server.logs import connection_of

__all__ = ["ToolListeners"]

logger = logging.getLogger(__name__)

Ctx = ServerRequestContext[Any, Any]


class ToolListeners:
    """The sessions that listed one server's tools, and its listen streams' bus."""

    def __init__(self, bus: SubscriptionBus) -> None:
        self.bus = bus
        self._sessions: set[Connection] = set()

    def listed(self, ctx: Ctx) -> None:
        """A caller listed the tools: a handshake-era session hears of changes from now on."""
        if ctx.protocol_version not in HANDSHAKE_PROTOCOL_VERSIONS:
            return
        connection = connection_of(ctx)
        if connection not in self._sessions:
            self._sessions.add(connection)
            connection.exit_stack.callback(self._sessions.discard, connection)

    async def announce(self) -> None:
        """Tell every session that listed the tools, and every listen stream that asked."""
        for connection in list(self._sessions):
            try:
                await connection.send_tool_list_changed()
            except Exception:  # a session going away must not stop the others hearing
                logger.warning("telling a session that the tools changed failed", exc_info=True)
                self._sessions.discard(connection)
        await self.bus.publish(ToolsListChanged())
