"""The pytest plugin of the testing kit (loaded by pytest from the ``pytest11`` entry point).

Fixtures: `mcp_era`, each MCP protocol era in turn, and `mcp_transport`, each transport in
turn; together with `connect` they run one test over every way a client can reach a server.
"""

from __future__ import annotations

import pytest
from mcp.client.client import ConnectMode

from openenv_mcp.testing.connect import ERAS, TRANSPORTS, Transport

__all__ = ["mcp_era", "mcp_transport"]


@pytest.fixture(params=ERAS)
def mcp_era(request: pytest.FixtureRequest) -> ConnectMode:
    """Each protocol era: ``legacy`` (sessions, what Claude Desktop speaks) and ``2026-07-28``."""
    return request.param


@pytest.fixture(params=TRANSPORTS)
def mcp_transport(request: pytest.FixtureRequest) -> Transport:
    """Each transport: ``memory``, ``stdio`` (a child process) and ``http`` (a loopback port)."""
    return request.param
