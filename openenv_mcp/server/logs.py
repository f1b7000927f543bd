"""MCP logging: `notifications/message` for the episode events an agent harness wants, quiet by default.

A client hears that an episode opened, closed or expired at the level it chose, and nothing
until it chooses one. The eras differ in how it chooses:

- handshake era: `logging/setLevel` sets its session's level; an event of a call goes out on
  that call's stream, and an episode's later expiry reaches the sessions that heard it open;
- 2026-07-28: each request opts in with `_meta["io.modelcontextprotocol/logLevel"]`, and a
  message may only ride the stream of the request that caused it, so an expiry reaches
  nobody (the next call on the handle says it expired).

A message names the environment, the event, the episode and its step count: never a reward.
"""

from __future__ import annotations

import logging
from typing import Any, get_args

from mcp.server import ServerRequestContext
from mcp.server.connection import Connection
from mcp.types import (
    EmptyResult,
    LoggingLevel,
    LoggingMessageNotification,
    LoggingMessageNotificationParams,
    SetLevelRequestParams,
)
from mcp_types import LOG_LEVEL_META_KEY
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS

from openenv_mcp.server.events import EpisodeEvent, current_call

__all__ = ["EVENT_LEVELS", "EpisodeLog", "connection_of"]

logger = logging.getLogger(__name__)

Ctx = ServerRequestContext[Any, Any]

_LEVELS: tuple[LoggingLevel, ...] = get_args(LoggingLevel)
"""From least to most severe (RFC 5424's order)."""

EVENT_LEVELS: dict[str, LoggingLevel] = {"opened": "info", "closed": "info", "expired": "notice"}
"""The level each episode event is logged at."""

_LEVEL_KEY = "openenv-mcp/log-level"
_HEARD_KEY = "openenv-mcp/log-heard"


def connection_of(ctx: Ctx) -> Connection:
    """The request's connection (the SDK keeps it on the session without a public accessor)."""
    return ctx.session._connection  # pyright: ignore[reportPrivateUsage]


def _passes(level: LoggingLevel, threshold: object) -> bool:
    """Whether a message at `level` goes to a client that chose `threshold` (none chosen: no)."""
    for index, name in enumerate(_LEVELS):
        if name == threshold:
            return _LEVELS.index(level) >= index
    return False


class EpisodeLog:
    """Sends episode events of one server as MCP log messages."""

    def __init__(self, environment: str) -> None:
        self.logger = f"openenv-mcp.{environment}"
        self.environment = environment
        self._heard: dict[str, set[Connection]] = {}
        """Sessions (handshake era) that heard an episode open: its expiry reaches them later."""

    async def set_level(self, ctx: Ctx, params: SetLevelRequestParams) -> EmptyResult:
        """`logging/setLevel`: the session's level (handshake era)."""
        connection_of(ctx).state[_LEVEL_KEY] = params.level
        return EmptyResult()

    async def emit(self, event: EpisodeEvent) -> None:
        """Send `event` on the stream of the call that caused it, else to the sessions that heard of it."""
        level = EVENT_LEVELS[event.kind]
        data: dict[str, Any] = {
            "event": f"episode_{event.kind}",
            "environment": self.environment,
            "episode_id": event.episode_id,
            "steps": event.steps,
        }
        if event.reason is not None and event.kind != "opened":
            data["reason"] = event.reason
        ctx = current_call()
        here = connection_of(ctx) if ctx is not None else None
        if ctx is not None and self._wanted(ctx, level):
            await self._send(ctx, level, data)
        handshake = ctx is not None and ctx.protocol_version in HANDSHAKE_PROTOCOL_VERSIONS
        if here is not None and handshake and event.kind == "opened":
            self._remember(event.episode_id, here)
        heard: set[Connection] = set()
        if event.kind != "opened":
            heard = self._heard.pop(event.episode_id, heard)
        for connection in heard - {here}:
            if _passes(level, connection.state.get(_LEVEL_KEY)):
                await connection.notify(
                    "notifications/message", {"level": level, "data": data, "logger": self.logger}
                )

    def _wanted(self, ctx: Ctx, level: LoggingLevel) -> bool:
        if ctx.protocol_version in HANDSHAKE_PROTOCOL_VERSIONS:
            return _passes(level, connection_of(ctx).state.get(_LEVEL_KEY))
        return _passes(level, (ctx.meta or {}).get(LOG_LEVEL_META_KEY))

    async def _send(self, ctx: Ctx, level: LoggingLevel, data: dict[str, Any]) -> None:
        params = LoggingMessageNotificationParams(level=level, data=data, logger=self.logger)
        notification = LoggingMessageNotification(params=params)
        try:
            await ctx.session.send_notification(notification, related_request_id=ctx.request_id)
        except Exception:  # a client gone mid-call: the call itself will find out
            logger.debug("log message not delivered", exc_info=True)

    def _remember(self, episode_id: str, connection: Connection) -> None:
        self._heard.setdefault(episode_id, set()).add(connection)
        heard: set[str] | None = connection.state.get(_HEARD_KEY)
        if heard is None:
            heard = connection.state[_HEARD_KEY] = set[str]()
            connection.exit_stack.callback(self._forget, connection, heard)
        heard.add(episode_id)

    def _forget(self, connection: Connection, episodes: set[str]) -> None:
        for episode_id in episodes:
            listeners = self._heard.get(episode_id)
            if listeners is not None:
                listeners.discard(connection)
                if not listeners:
                    del self._heard[episode_id]
