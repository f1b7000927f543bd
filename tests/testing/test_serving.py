"""`running_http` keeps an idle connection open as `openenv-mcp serve` does, not uvicorn's 5 s."""

from __future__ import annotations

from urllib.parse import urlsplit

import anyio
import pytest

from openenv_mcp.server import EnvServer
from openenv_mcp.testing import running_http
from openenv_mcp.transports import build_app
from openenv_mcp_echo import EchoEnvironment

pytestmark = pytest.mark.timeout(60)

REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


async def test_an_idle_keep_alive_connection_outlives_uvicorns_default() -> None:
    async with running_http(build_app([EnvServer(EchoEnvironment)])) as base:
        address = urlsplit(base)
        async with await anyio.connect_tcp(address.hostname or "127.0.0.1", address.port or 80) as stream:
            await stream.send(REQUEST)
            with anyio.fail_after(10):
                assert (await stream.receive()).startswith(b"HTTP/1.1 200")
            await anyio.sleep(6)  # past uvicorn's 5 s: a browser's next request would meet a reset
            await stream.send(REQUEST)
            with anyio.fail_after(10):
                assert (await stream.receive()).startswith(b"HTTP/1.1 200")
