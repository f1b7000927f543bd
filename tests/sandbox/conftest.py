"""Fixtures for the sandbox tests: started sandboxes that must leave no process behind."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import pytest

from openenv_mcp.sandbox import BubblewrapSandbox

from .support import close_and_check, started


@pytest.fixture
async def sandbox() -> AsyncIterator[BubblewrapSandbox]:
    box = await started()
    yield box
    await close_and_check(box)


@pytest.fixture
async def bystander() -> AsyncIterator[BubblewrapSandbox]:
    """A second sandbox, with state, that an attack on the first must leave alone."""
    box = await started()
    with anyio.fail_after(10):
        await box.execute("y = 42")
    yield box
    with anyio.fail_after(10):
        result = await box.execute("y")
    assert result.value == "42"
    await close_and_check(box)
