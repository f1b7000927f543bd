"""What a killed server leaves behind is removed by the next one, and a live server's is never touched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import anyio
import httpx2
import mcp
import pytest

from openenv_mcp.sandbox import sandbox_processes
from openenv_mcp.sandbox.cgroup import controllers, sweep_orphans
from openenv_mcp.testing.serving import served_process

pytestmark = [pytest.mark.sandbox, pytest.mark.root, pytest.mark.subprocess]


def cgroups_of(pid: int) -> set[str]:
    return {
        path.name
        for hierarchy in set(controllers().values())
        for path in hierarchy.glob(f"openenv-sandbox-{pid}-*")
    }


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_cgroups_of_a_dead_server_go_and_a_live_ones_stay() -> None:
    hierarchies = set(controllers().values())
    assert hierarchies, "this test needs root's cgroups"
    dead, live = dead_pid(), os.getpid()
    made = [h / f"openenv-sandbox-{owner}-abc123" for h in hierarchies for owner in (dead, live)]
    for path in made:
        path.mkdir()
    try:
        assert sweep_orphans() >= len(hierarchies)
        assert cgroups_of(dead) == set() and cgroups_of(live) == {"openenv-sandbox-" + f"{live}-abc123"}
    finally:
        for path in made:
            if path.exists():
                path.rmdir()


async def test_a_server_killed_with_sigkill_is_cleaned_up_by_the_next() -> None:
    command = [sys.executable, "-m", "openenv_mcp", "serve", "python", "--port", "0", "--warm-pool", "2"]
    with anyio.fail_after(120):
        async with served_process(command, "/envs/python/mcp") as killed:
            async with mcp.Client(killed.url, mode="2026-07-28") as client:
                reset = await client.call_tool("reset", {"seed": 1})
                assert not reset.is_error, reset.content
            assert cgroups_of(killed.pid), "the server made no sandbox cgroup"
            os.kill(killed.pid, signal.SIGKILL)
            await killed.process.wait()
        left = cgroups_of(killed.pid)
        assert left, "a SIGKILLed server runs no cleanup: its cgroups stay until someone removes them"
        async with served_process(command, "/envs/python/mcp") as fresh:
            async with httpx2.AsyncClient() as http:
                assert (await http.get(fresh.url.replace("/envs/python/mcp", "/healthz"))).status_code == 200
            assert cgroups_of(killed.pid) == set(), "the next server did not remove them"
            assert cgroups_of(fresh.pid), "and it must keep its own"
    assert not [pid for pid in sandbox_processes(f"openenv-sandbox-{killed.pid}-")]
