"""One keep-alive HTTP/1.1 connection (h11 over an anyio socket), for a step loop per episode.

The concurrency sweep gives each episode its own connection, as OpenEnv's WebSocket driver
does: a pooled client with 1,024 connections spent the whole client core managing its pool
while the servers idled, which measured the client, not the servers.
"""

from __future__ import annotations

import anyio
import h11
from anyio import connect_tcp
from anyio.abc import SocketStream

__all__ = ["Http1Connection"]


class Http1Connection:
    """Requests one after another on one connection; `post` returns (status, body)."""

    def __init__(self, stream: SocketStream, host: str) -> None:
        self._stream, self._host = stream, host.encode()
        self._h11 = h11.Connection(h11.CLIENT)

    @classmethod
    async def connect(cls, host: str, port: int) -> Http1Connection:
        return cls(await connect_tcp(host, port), f"{host}:{port}")

    async def post(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        fields = [(b"host", self._host), (b"content-length", str(len(body)).encode())]
        fields += [(name.encode(), value.encode()) for name, value in headers.items()]
        request = h11.Request(method="POST", target=path, headers=fields)
        outgoing = b"".join(self._h11.send(event) or b"" for event in (request, h11.Data(data=body)))
        try:
            await self._stream.send(outgoing + (self._h11.send(h11.EndOfMessage()) or b""))
            return await self._response()
        except (anyio.EndOfStream, anyio.BrokenResourceError) as exc:
            raise ConnectionError(f"the connection broke: {type(exc).__name__}") from exc

    async def _response(self) -> tuple[int, bytes]:
        status, chunks = 0, bytearray()
        while True:
            event = self._h11.next_event()
            if event is h11.NEED_DATA:
                self._h11.receive_data(await self._stream.receive())
            elif isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.Data):
                chunks += event.data
            elif isinstance(event, h11.EndOfMessage):
                self._h11.start_next_cycle()
                return status, bytes(chunks)
            elif isinstance(event, h11.ConnectionClosed):
                raise ConnectionError("the server closed the connection mid-response")

    async def aclose(self) -> None:
        await self._stream.aclose()
