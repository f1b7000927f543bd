"""Graceful shutdown: readiness fails at once, in-flight calls finish, everything closes, exit 0."""

from __future__ import annotations

import os
import signal
import sys

import anyio
import httpx2
import mcp
import pytest

from openenv_mcp.sandbox import sandbox_processes
from openenv_mcp.testing.serving import served_process

pytestmark = [pytest.mark.subprocess, pytest.mark.sandbox]


async def test_sigterm_drains_finishes_the_step_closes_everything_and_exits_0() -> None:
    command = [sys.executable, "-m", "openenv_mcp", "serve", "python", "--port", "0", "--warm-pool", "1"]
    command += ["--drain", "1", "--shutdown-grace", "20"]
    before = set(sandbox_processes())
    with anyio.fail_after(90):
        async with served_process(command, "/envs/python/mcp") as served:
            base = served.url.removesuffix("/envs/python/mcp")
            async with httpx2.AsyncClient() as http:
                assert (await http.get(f"{base}/readyz")).json() == {"ready": True, "reason": ""}
            answers: list[str] = []
            async with mcp.Client(served.url, mode="2026-07-28", read_timeout_seconds=30) as client:
                reset = await client.call_tool("reset", {"seed": 1})
                assert reset.structured_content is not None
                episode = reset.structured_content["episode_id"]

                async def slow_step() -> None:
                    code = "import time\ntime.sleep(2)\n'finished'"
                    result = await client.call_tool("run_python", {"code": code, "episode_id": episode})
                    answers.append(str(result.structured_content))

                async with anyio.create_task_group() as tg:
                    tg.start_soon(slow_step)
                    await anyio.sleep(0.5)
                    os.kill(served.pid, signal.SIGTERM)
                    async with httpx2.AsyncClient() as http:
                        draining = await http.get(f"{base}/readyz")
                    assert draining.status_code == 503 and draining.json()["reason"] == "shutting down"
            assert answers and "finished" in answers[0], answers
            assert await served.process.wait() == 0
    assert set(sandbox_processes()) - before == set(), "a sandbox outlived the server"


async def test_sigterm_without_a_drain_exits_0_and_closes_every_episode() -> None:
    command = [sys.executable, "-m", "openenv_mcp", "serve", "echo", "--port", "0", "--shutdown-grace", "5"]
    with anyio.fail_after(60):
        async with served_process(command, "/envs/echo/mcp") as served:
            async with mcp.Client(served.url, mode="2026-07-28") as client:
                assert not (await client.call_tool("reset", {"seed": 1})).is_error
            os.kill(served.pid, signal.SIGTERM)
            assert await served.process.wait() == 0
