"""One OpenEnv session: a WebSocket to the remote's `/ws`, one request at a time.

OpenEnv's replies carry no request id: they match their requests by order only (its issue
#1143). So a request whose reply did not come in time (or was cancelled, or came garbled)
breaks the session for good: the WebSocket is dropped at once, and a later request fails
rather than read the answer meant for the abandoned one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import anyio
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from openenv_mcp_openenv_bridge.errors import RemoteFailedError

__all__ = ["Reply", "Request", "Session", "ws_url"]

logger = logging.getLogger(__name__)

_ANSWERS = {"reset": ("observation",), "step": ("observation",), "state": ("state",)}
"""The reply types each request takes (besides `error`)."""


def ws_url(base_url: str) -> str:
    """The session channel of an OpenEnv base URL.

    >>> ws_url("http://127.0.0.1:8000/envs/echo")
    'ws://127.0.0.1:8000/envs/echo/ws'
    """
    scheme, rest = base_url.rstrip("/").split("://", 1)
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/ws"


@dataclass(frozen=True)
class Request:
    """One client frame: `{"type": kind, "data": data}`."""

    kind: str
    data: dict[str, Any] | None = None

    def frame(self) -> str:
        body: dict[str, Any] = {"type": self.kind}
        if self.data is not None:
            body["data"] = self.data
        return json.dumps(body)


@dataclass(frozen=True)
class Reply:
    """One server frame, checked: its type and its data (an object)."""

    kind: str
    data: dict[str, Any]

    @property
    def error(self) -> str | None:
        """`CODE: message` of an error reply; None for any other."""
        if self.kind != "error":
            return None
        return f"{self.data.get('code', 'ERROR')}: {self.data.get('message', '(no message)')}"


class Session:
    """An open OpenEnv session; `broken` says why it can take no more requests."""

    def __init__(
        self, websocket: ClientConnection, url: str, reply_timeout: float, close_timeout: float
    ) -> None:
        self.url = url
        self.reply_timeout = reply_timeout
        self.close_timeout = close_timeout
        self.broken: str | None = None
        self.requests = 0
        self._websocket = websocket
        self._lock = anyio.Lock()

    @classmethod
    async def open(
        cls,
        base_url: str,
        *,
        connect_timeout: float,
        reply_timeout: float,
        close_timeout: float,
        max_size: int,
    ) -> Session:
        """Connect to `base_url`'s `/ws` within `connect_timeout`; a failure is a `RemoteFailedError`."""
        url = ws_url(base_url)
        try:
            with anyio.fail_after(connect_timeout):
                websocket = await connect(
                    url, open_timeout=None, close_timeout=close_timeout, max_size=max_size, proxy=None
                )
        except TimeoutError:
            raise RemoteFailedError(
                f"the remote did not open a session at {url} within {connect_timeout:g} s"
            ) from None
        except (OSError, WebSocketException) as exc:
            raise RemoteFailedError(
                f"the remote refused a session at {url} ({type(exc).__name__}: {exc})"
            ) from None
        return cls(websocket, url, reply_timeout, close_timeout)

    @property
    def usable(self) -> bool:
        return self.broken is None

    async def request(self, request: Request) -> Reply:
        """Send one request and read its reply."""
        return (await self.exchange([request]))[0]

    async def exchange(self, requests: Sequence[Request]) -> list[Reply]:
        """Send `requests` back to back and read their replies in order, all within the reply timeout.

        Anything but every reply read in full (a timeout, a cancellation, a closed connection,
        a frame that is not one of the expected replies) breaks the session.
        """
        async with self._lock:
            if self.broken is not None:
                raise RemoteFailedError(f"the session with the remote is over: {self.broken}")
            self.requests += len(requests)
            done, replies = False, list[Reply]()
            try:
                with anyio.fail_after(self.reply_timeout):
                    for request in requests:
                        await self._websocket.send(request.frame())
                    for request in requests:
                        replies.append(_checked(request, await self._websocket.recv()))
                done = True
                return replies
            except TimeoutError:
                raise self._break(f"the remote did not answer within {self.reply_timeout:g} s") from None
            except ConnectionClosed as exc:
                said = next((r.error for r in replies if r.error), None) or await self._last_words()
                raise self._break(f"the remote closed the session ({said or _closed_why(exc)})") from None
            except _Garbage as exc:
                raise self._break(f"the remote answered garbage ({exc})") from None
            finally:
                if not done and self.broken is None:  # cancelled mid-request: its reply must never be read
                    self.drop("the request was cancelled before its reply came")

    async def close(self) -> None:
        """Tell the remote the session is over and hang up, within the close timeout."""
        if self.broken is None:
            self.broken = "closed"
            with anyio.move_on_after(self.close_timeout, shield=True):
                try:
                    await self._websocket.send(Request("close").frame())
                    await self._websocket.close()
                except (ConnectionClosed, OSError):
                    pass
        self._abort()

    async def _last_words(self) -> str | None:
        """The error a closing server sent first (OpenEnv's `CAPACITY_REACHED` comes so), if any."""
        with anyio.move_on_after(0.1):
            try:
                while True:
                    reply = _checked(Request("reset"), await self._websocket.recv())
                    if reply.error:
                        return reply.error
            except (ConnectionClosed, _Garbage):
                return None
        return None

    def _break(self, why: str) -> RemoteFailedError:
        self.drop(why)
        return RemoteFailedError(f"{why}; the session is closed, and a reset opens a new one")

    def drop(self, why: str) -> None:
        """Hang up at once: the session takes no more requests, and no reply is read."""
        logger.info("dropping the OpenEnv session at %s: %s", self.url, why)
        self.broken = why
        self._abort()

    def _abort(self) -> None:
        transport = self._websocket.transport
        if not transport.is_closing():
            transport.abort()


class _Garbage(Exception):
    """A reply frame that is not what the protocol allows here."""


def _checked(request: Request, raw: str | bytes) -> Reply:
    if isinstance(raw, bytes):
        raise _Garbage(f"a binary frame of {len(raw)} bytes")
    try:
        decoded: Any = json.loads(raw)
    except json.JSONDecodeError:
        raise _Garbage(f"not JSON: {raw[:120]!r}") from None
    if not isinstance(decoded, dict):
        raise _Garbage(f"not a JSON object: {raw[:120]!r}")
    frame = cast(dict[str, Any], decoded)
    kind, data = frame.get("type"), frame.get("data")
    allowed = (*_ANSWERS.get(request.kind, ()), "error")
    if kind not in allowed or not isinstance(data, dict):
        raise _Garbage(f"a {kind!r} frame where a {' or '.join(allowed)} frame belongs: {raw[:120]!r}")
    return Reply(str(kind), cast(dict[str, Any], data))


def _closed_why(exc: ConnectionClosed) -> str:
    received = exc.rcvd
    if received is None:
        return "the connection dropped"
    return f"code {received.code}{': ' + received.reason if received.reason else ''}"
