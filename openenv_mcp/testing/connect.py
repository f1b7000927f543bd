"""One way to reach a server from a test, over each transport and in each protocol era.

    async with connect(EchoEnvironment, transport="http", era="2026-07-28") as client:
        await client.call_tool("reset", {"seed": 1})

``memory`` talks to the server object in this process (no sockets; the fastest, and what
most tests want); ``stdio`` starts ``openenv-mcp serve NAME --transport stdio`` as a child;
``http`` serves the app in this process on a free loopback port.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncGenerator, Sequence
from contextlib import asynccontextmanager
from typing import Literal

import httpx2
import mcp
from mcp import StdioServerParameters
from mcp.client.client import ConnectMode
from mcp.client.streamable_http import streamable_http_client

from openenv_mcp.environment import Environment
from openenv_mcp.server import EnvServer, Mode
from openenv_mcp.testing.serving import running_http

__all__ = ["ERAS", "TRANSPORTS", "Transport", "connect"]

Transport = Literal["memory", "stdio", "http"]
TRANSPORTS: tuple[Transport, ...] = ("memory", "stdio", "http")
ERAS: tuple[ConnectMode, ...] = ("legacy", "2026-07-28")
"""Both MCP protocol eras: the handshake era with sessions, and the stateless one."""


@asynccontextmanager
async def connect(
    target: EnvServer | type[Environment],
    *,
    transport: Transport = "memory",
    era: ConnectMode = "2026-07-28",
    mode: Mode | str = Mode.TRAINING,
    token: str | None = None,
    read_timeout: float = 30.0,
    serve_args: Sequence[str] = (),
) -> AsyncGenerator[mcp.Client]:
    """An open MCP client of `target` (a server, or an environment class served in `mode`).

    stdio serves the environment by its installed name (`serve_args` are added to the
    command line); `token` goes as a bearer header over HTTP.
    """
    server = target if isinstance(target, EnvServer) else EnvServer(target, mode=mode)
    if transport == "memory":
        async with mcp.Client(server.server, mode=era, read_timeout_seconds=read_timeout) as client:
            yield client
    elif transport == "stdio":
        args = [
            "-m",
            "openenv_mcp",
            "serve",
            server.name,
            "--transport",
            "stdio",
            "--mode",
            server.mode.value,
        ]
        parameters = StdioServerParameters(command=sys.executable, args=[*args, *serve_args])
        async with mcp.Client(parameters, mode=era, read_timeout_seconds=read_timeout) as client:
            yield client
    else:
        from openenv_mcp.transports import build_app  # the HTTP stack only where it is used

        async with running_http(build_app([server])) as base:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            http = httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0, read=read_timeout))
            url = f"{base}/envs/{server.name}/mcp"
            transport_streams = streamable_http_client(url, http_client=http)
            async with (
                http,
                mcp.Client(transport_streams, mode=era, read_timeout_seconds=read_timeout) as client,
            ):
                yield client
