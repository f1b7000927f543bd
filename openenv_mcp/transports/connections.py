"""Connections that cannot lock everyone out: a deadline for every request to arrive, a raised fd limit.

uvicorn closes a connection idle after a response (keep-alive), but not one that never
sends a request, nor one that trickles its headers or body byte by byte (slowloris): a few
hundred of those exhaust the open-file limit while the server drops none. Here every request
must arrive whole (headers and body) within `request_timeout` seconds of its first byte, and
a new connection must start one within the same time; a connection that misses it is closed.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["REQUEST_TIMEOUT_SECONDS", "guarded_protocol", "raise_open_file_limit"]

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT_SECONDS = 10.0
"""How long a request may take to arrive, headers and body, from its first byte."""


class _GuardedH11(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline on every incoming request."""

    request_timeout: float = REQUEST_TIMEOUT_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # a connection that never sends a request does not stay

    def data_received(self, data: bytes) -> None:
        if self._deadline is None and self.conn.their_state is h11.IDLE:
            self._arm()  # the first bytes of the next request on a kept-alive connection
        super().data_received(data)
        if self.transport.get_protocol() is not self:
            # Upgraded (a WebSocket): the transport is the WebSocket's now, and a session may
            # rightly stay silent while a step runs, so this deadline must not close it.
            self._disarm()
        elif self.conn.their_state is not h11.IDLE and self.conn.their_state is not h11.SEND_BODY:
            self._disarm()  # the whole request is in

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.request_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            client = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
            logger.info("closing %s: no whole request within %g s", client, self.request_timeout)
            self.transport.close()


def guarded_protocol(request_timeout: float) -> type[H11Protocol]:
    """The protocol class to give uvicorn (``Config(http=...)``) for `request_timeout`."""
    return type("GuardedH11Protocol", (_GuardedH11,), {"request_timeout": request_timeout})


def raise_open_file_limit() -> tuple[int, int]:
    """Raise the soft open-file limit to the hard one (1,024 is a common soft default); the new pair."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            return soft, hard
        soft = hard
    return soft, hard
