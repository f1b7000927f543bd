"""Fixtures: a terminal environment whose sandbox is closed, and checked gone, after each test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import pytest

from openenv_mcp.sandbox import sandbox_processes
from openenv_mcp_terminal import TerminalEnvironment


@pytest.fixture
async def env() -> AsyncIterator[TerminalEnvironment]:
    environment = TerminalEnvironment()
    yield environment
    marker = getattr(environment.sandbox, "marker", None)
    with anyio.fail_after(10):
        await environment.close()
    if isinstance(marker, str):
        assert sandbox_processes(marker) == [], "a sandbox process outlived its episode"
