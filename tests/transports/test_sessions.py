"""Abandoned handshake-era sessions are dropped after the idle timeout, and counted in /metrics.

The soak found it: with the SDK's defaults (sessions kept 30 minutes, 10,000 at most) one
client's initialize calls without a DELETE locked every handshake-era client out.
"""

from __future__ import annotations

import anyio
import httpx2

from openenv_mcp.episodes import RegistryLimits
from openenv_mcp.server import EnvServer
from openenv_mcp.testing import running_http
from openenv_mcp.transports import build_app
from openenv_mcp_echo import EchoEnvironment

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}
HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


def sessions_open(metrics: str) -> float:
    line = next(line for line in metrics.splitlines() if line.startswith('openenv_sessions_open{env="echo"}'))
    return float(line.split()[-1])


async def test_abandoned_sessions_expire_and_the_capacity_comes_back() -> None:
    server = EnvServer(EchoEnvironment, limits=RegistryLimits(idle_ttl=600))
    app = build_app([server], session_idle_timeout=1.0, max_sessions=3)
    with anyio.fail_after(30):
        async with running_http(app) as base, httpx2.AsyncClient(base_url=base) as http:
            for _ in range(3):  # initialize, then walk away: no DELETE
                opened = await http.post("/envs/echo/mcp", json=INITIALIZE, headers=HEADERS)
                assert opened.status_code == 200 and opened.headers["mcp-session-id"]
            assert sessions_open((await http.get("/metrics")).text) == 3
            full = await http.post("/envs/echo/mcp", json=INITIALIZE, headers=HEADERS)
            assert full.status_code == 503, "max_sessions must bound them"
            while sessions_open((await http.get("/metrics")).text) > 0:
                await anyio.sleep(0.2)
            again = await http.post("/envs/echo/mcp", json=INITIALIZE, headers=HEADERS)
            assert again.status_code == 200, "an expired session frees its place"


def test_the_session_timeout_follows_the_idle_ttl_by_default() -> None:
    server = EnvServer(EchoEnvironment, limits=RegistryLimits(idle_ttl=42))
    build_app([server])
    assert server.server.session_manager.session_idle_timeout == 42
    unbounded = EnvServer(EchoEnvironment, limits=RegistryLimits(idle_ttl=None))
    build_app([unbounded])
    assert unbounded.server.session_manager.session_idle_timeout == 600
