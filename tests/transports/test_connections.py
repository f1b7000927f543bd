"""Connections that cannot lock everyone out: silent, trickling and slow-body clients are closed."""

from __future__ import annotations

import sys
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

import anyio
import anyio.abc
import httpx2
import pytest

from openenv_mcp.testing.serving import Served, served_process

pytestmark = pytest.mark.subprocess

TIMEOUT = 1.0


@asynccontextmanager
async def serving() -> AsyncGenerator[Served]:
    """The CLI's server with a short request timeout (a context: its task group stays in the test)."""
    command = [sys.executable, "-m", "openenv_mcp", "serve", "echo", "--port", "0"]
    command += ["--request-timeout", str(TIMEOUT), "--max-connections", "40"]
    with anyio.fail_after(60):
        async with served_process(command, "") as served:
            yield served


def address(served: Served) -> tuple[str, int]:
    host, port = served.url.removeprefix("http://").split(":")
    return host, int(port)


async def closed_by_the_server(stream: anyio.abc.SocketStream, trickle: bytes = b"") -> float:
    """Seconds until the server closes `stream`, sending `trickle` every 0.2 s meanwhile."""
    began = anyio.current_time()
    with anyio.fail_after(TIMEOUT * 5):
        while True:
            with anyio.move_on_after(0.2):
                try:
                    reply = await stream.receive()
                except (anyio.EndOfStream, anyio.BrokenResourceError, ConnectionError):
                    return anyio.current_time() - began
                assert not reply, f"the server answered an incomplete request: {reply[:80]!r}"
            if trickle:
                try:
                    await stream.send(trickle)
                except (anyio.BrokenResourceError, ConnectionError):
                    return anyio.current_time() - began


@pytest.mark.parametrize(
    ("opening", "trickle"),
    [
        (b"", b""),
        (b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"X-Slow: 1\r\n"),
        (b"POST /envs/echo/mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{", b" "),
    ],
    ids=["silent", "trickled headers", "trickled body"],
)
async def test_a_request_that_does_not_arrive_in_time_is_closed(opening: bytes, trickle: bytes) -> None:
    async with serving() as server, await anyio.connect_tcp(*address(server)) as stream:
        if opening:
            await stream.send(opening)
        took = await closed_by_the_server(stream, trickle)
    assert TIMEOUT * 0.8 <= took <= TIMEOUT * 4, took


async def test_idle_connections_cannot_lock_everyone_out() -> None:
    """The review's 1,100 idle connections: here the server drops them, and a real call gets through."""
    async with serving() as server:
        streams = [await anyio.connect_tcp(*address(server)) for _ in range(60)]
        try:
            with anyio.fail_after(TIMEOUT * 5):
                async with anyio.create_task_group() as tg:
                    for stream in streams:
                        tg.start_soon(closed_by_the_server, stream)
            async with httpx2.AsyncClient() as http:
                assert (await http.get(f"{server.url}/healthz")).status_code == 200
        finally:
            for stream in streams:
                await stream.aclose()


async def test_the_soft_open_file_limit_is_raised_to_the_hard_one() -> None:
    async with serving() as server:
        limits = await anyio.Path(f"/proc/{server.pid}/limits").read_text()
    row = next(line for line in limits.splitlines() if line.startswith("Max open files")).split()
    assert row[3] == row[4], row


async def test_a_websocket_outlives_the_request_deadline() -> None:
    """Once upgraded, a session may stay silent longer than a request may take to arrive (a long step)."""
    from websockets.asyncio.client import connect

    async with serving() as server:
        host, port = address(server)
        async with connect(f"ws://{host}:{port}/envs/echo/ws", proxy=None) as ws:
            await anyio.sleep(TIMEOUT * 2.5)
            await ws.send('{"type": "reset", "data": {}}')
            with anyio.fail_after(10):
                reply = await ws.recv()
    assert '"observation"' in str(reply)
