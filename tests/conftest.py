"""Shared fixtures: echo served in memory, and a bound on every test's waits."""

from __future__ import annotations

import mcp
import pytest
from mcp.client.client import ConnectMode

from openenv_mcp.server import EnvServer
from openenv_mcp_echo import EchoEnvironment

ERAS: list[ConnectMode] = ["legacy", "2026-07-28"]
"""Both MCP protocol eras: the handshake era with sessions, and the stateless one."""


@pytest.fixture
def echo_server() -> EnvServer:
    return EnvServer(EchoEnvironment)


@pytest.fixture(params=ERAS)
def era(request: pytest.FixtureRequest) -> ConnectMode:
    return request.param


def connect(server: EnvServer, era: ConnectMode) -> mcp.Client:
    """An in-memory client of `server` (use with `async with`; tasks stay in the test's task)."""
    return mcp.Client(server.server, mode=era, read_timeout_seconds=10)
