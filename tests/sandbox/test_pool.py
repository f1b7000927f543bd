from __future__ import annotations

import anyio
import pytest

from openenv_mcp.sandbox import SandboxLimits, WarmPool, bubblewrap_factory, sandbox_processes

from .support import TOOLS

pytestmark = pytest.mark.sandbox


async def test_pool_hands_out_started_sandboxes_never_twice() -> None:
    with anyio.fail_after(60):
        async with WarmPool(bubblewrap_factory, TOOLS, SandboxLimits(), size=2) as pool:
            first = await pool.acquire()
            second = await pool.acquire()
            assert first is not second
            assert first.alive and second.alive
            assert (await first.execute("1 + 1")).value == "2"
            while pool.idle < 2:  # refills run in the background
                await anyio.sleep(0.01)
            assert pool.started_total == 4
            await first.close()
            await second.close()
    assert sandbox_processes() == []


async def test_an_empty_pool_starts_one_on_demand() -> None:
    with anyio.fail_after(60):
        async with WarmPool(bubblewrap_factory, TOOLS, SandboxLimits(), size=0) as pool:
            box = await pool.acquire()
            assert box.alive and pool.idle == 0
            await box.close()
    assert sandbox_processes() == []


async def test_a_warm_sandbox_has_run_its_warm_up() -> None:
    with anyio.fail_after(60):
        async with WarmPool(
            bubblewrap_factory, TOOLS, SandboxLimits(), size=1, warmup="warmed = 'yes'"
        ) as pool:
            while pool.idle < 1:
                await anyio.sleep(0.01)
            box = await pool.acquire()
            assert (await box.execute("warmed")).value == "'yes'"
            await box.close()


async def test_a_pool_closed_while_warming_leaves_nothing() -> None:
    before = set(sandbox_processes())
    with anyio.fail_after(60):
        async with WarmPool(
            bubblewrap_factory, TOOLS, SandboxLimits(), size=1, warmup="import time\ntime.sleep(30)"
        ) as pool:
            while len(set(sandbox_processes()) - before) < 3:  # bwrap, its init and the worker
                await anyio.sleep(0.01)
            await anyio.sleep(0.3)  # the warm-up is running
            assert pool.idle == 0
        # Without a cgroup (not root) a pid namespace takes a moment to die: bounded, it must.
        while set(sandbox_processes()) - before:
            await anyio.sleep(0.05)
