"""Serve over HTTP on 127.0.0.1 and an ephemeral port, and say which port was bound.

`running_http(app)` serves an app in this process (in the caller's task group, no thread);
`served(env)` runs `openenv-mcp serve env` as a child process, and `served_process(command,
path)` any uvicorn-served command that takes port 0, reporting the child's pid too. Tests,
examples and benchmarks share them.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio
import uvicorn
from anyio.abc import Process
from anyio.streams.text import TextReceiveStream
from starlette.types import ASGIApp

from openenv_mcp.transports.http import KEEP_ALIVE_SECONDS

__all__ = ["Served", "running_http", "served", "served_command", "served_process"]

_RUNNING = re.compile(r"Uvicorn running on (http://127\.0\.0\.1:\d+)")


@asynccontextmanager
async def running_http(app: ASGIApp, *, start_seconds: float = 10.0) -> AsyncGenerator[str]:
    """Serve `app` with uvicorn in this process on 127.0.0.1 and a free port; yield its base URL.

    Idle connections stay open as long as `openenv-mcp serve` keeps them: with uvicorn's 5 s,
    a client (a browser) that sends on a connection the server is closing sees it reset.
    """
    keep_alive = KEEP_ALIVE_SECONDS
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", lifespan="on", timeout_keep_alive=keep_alive
    )
    server = uvicorn.Server(config)
    async with anyio.create_task_group() as tg:
        tg.start_soon(server.serve)
        with anyio.fail_after(start_seconds):
            while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
                await anyio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True


@asynccontextmanager
async def served(env: str, *, capacity: int = 1024, start_seconds: float = 60.0) -> AsyncGenerator[str]:
    """Serve `env` over Streamable HTTP in a child process; yield its MCP URL, stop it after."""
    command = [sys.executable, "-m", "openenv_mcp", "serve", env, "--port", "0", "--capacity", str(capacity)]
    async with served_command(command, f"/envs/{env}/mcp", start_seconds=start_seconds) as url:
        yield url


@dataclass(frozen=True)
class Served:
    """A server running in a child process: its URL (base plus path) and its process id."""

    url: str
    pid: int
    process: Process
    """The child itself, to signal it or wait for how it ends."""


@asynccontextmanager
async def served_command(
    command: list[str], path: str, *, cwd: Path | None = None, start_seconds: float = 60.0
) -> AsyncGenerator[str]:
    """Run `command` (a uvicorn server on port 0); yield its base URL plus `path`, stop it after."""
    async with served_process(command, path, cwd=cwd, start_seconds=start_seconds) as served:
        yield served.url


@asynccontextmanager
async def served_process(
    command: list[str], path: str, *, cwd: Path | None = None, start_seconds: float = 60.0
) -> AsyncGenerator[Served]:
    """As `served_command`, yielding the child's process id with the URL."""
    # uvicorn's access log goes to stdout; nobody reads it, and a full pipe would stall the server.
    process: Process = await anyio.open_process(command, cwd=cwd, stdout=subprocess.DEVNULL)
    try:
        url = await _wait_for_url(process, start_seconds)
        async with anyio.create_task_group() as tg:
            tg.start_soon(_drain, process)
            yield Served(f"{url}{path}", process.pid, process)
            tg.cancel_scope.cancel()
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
        with anyio.move_on_after(10, shield=True):
            await process.wait()
        await process.aclose()


async def _wait_for_url(process: Process, start_seconds: float) -> str:
    assert process.stderr is not None
    seen = ""
    with anyio.fail_after(start_seconds):
        async for chunk in TextReceiveStream(process.stderr):
            seen += chunk
            found = _RUNNING.search(seen)
            if found:
                return found.group(1)
    raise RuntimeError(f"the server exited before it served: {seen[-2000:]}")


async def _drain(process: Process) -> None:
    """Keep reading the server's log so that a full pipe never blocks it."""
    assert process.stderr is not None
    async for _ in process.stderr:
        pass
