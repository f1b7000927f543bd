"""One connection to a child MCP server, owned by a task of its own.

An MCP client's context must be entered and left in one task, but an episode's calls come
from many request tasks. So a long-lived owner task holds the client open and the callers
only send requests through it. A child that died is started again on the next call.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, TextIO, cast

import anyio
import httpx2
import mcp
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp.types import CONNECTION_CLOSED, REQUEST_TIMEOUT, CallToolResult, Tool

from openenv_mcp_mcp_proxy.config import ProxyConfig
from openenv_mcp_mcp_proxy.errors import ChildCallError, ChildStartError
from openenv_mcp_mcp_proxy.redact import Redactor, redact_logs

__all__ = ["ChildConnection", "child_argv"]

logger = logging.getLogger(__name__)
_STDERR_LOG_LIMIT = 4000


def child_argv(config: ProxyConfig, workspace: Path | None) -> list[str]:
    """The stdio command line, with `{workspace}` replaced by the episode's folder."""
    argv = list(config.command or [])
    if workspace is None:
        return argv
    return [arg.replace("{workspace}", str(workspace)) for arg in argv]


class ChildConnection:
    """A child server started on demand, stopped on `stop`, restarted after it dies."""

    def __init__(self, config: ProxyConfig, redactor: Redactor, workspace: Path | None = None) -> None:
        self.config = config
        self.redactor = redactor
        self.workspace = workspace
        self.starts = 0
        self._client: mcp.Client | None = None
        self._stop = asyncio.Event()
        self._owner: asyncio.Task[None] | None = None
        self._lock = anyio.Lock()
        self._stderr: TextIO | None = None

    @property
    def alive(self) -> bool:
        return self._client is not None and self._owner is not None and not self._owner.done()

    async def ensure_started(self) -> mcp.Client:
        """The connected client, starting the child when it is not running."""
        async with self._lock:
            if self._client is not None and self.alive:
                return self._client
            await self._shut_down()
            return await self._start()

    async def list_tools(self) -> list[Tool]:
        client = await self.ensure_started()
        with anyio.fail_after(self.config.call_timeout):
            return list((await client.list_tools()).tools)

    async def call(self, name: str, arguments: dict[str, Any]) -> CallToolResult:
        """Call a child tool; a crash, a timeout or a malformed answer is a `ChildCallError`."""
        client = await self.ensure_started()
        timeout = self.config.call_timeout
        try:
            with anyio.fail_after(timeout + 1.0):
                return await client.call_tool(name, arguments, read_timeout_seconds=timeout)
        except Exception as exc:  # the boundary: whatever the child did becomes an observation
            raise self._failed(exc) from None

    def _failed(self, exc: Exception) -> ChildCallError:
        timed_out = isinstance(exc, TimeoutError) or (
            isinstance(exc, MCPError) and exc.code == REQUEST_TIMEOUT
        )
        if timed_out:
            return ChildCallError(f"the child server did not answer within {self.config.call_timeout:g} s")
        if _connection_lost(exc):
            self._forget()
        message = self.redactor.text(f"{type(exc).__name__}: {exc}")
        return ChildCallError(f"the child server failed on this call ({message})")

    async def stop(self) -> None:
        """Stop the child and wait for it to exit."""
        async with self._lock:
            await self._shut_down()

    # -- the owner task --------------------------------------------------------------------

    async def _start(self) -> mcp.Client:
        redact_logs()
        self._stop = asyncio.Event()
        ready = asyncio.Event()
        failure: list[BaseException] = []
        # The child's stderr outlives this call: it is read, redacted and closed on stop.
        stderr = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")  # noqa: SIM115
        self._stderr = cast(TextIO, stderr)
        self._owner = asyncio.get_running_loop().create_task(self._own(ready, failure))
        self.starts += 1
        try:
            with anyio.fail_after(self.config.start_timeout):
                await ready.wait()
        except TimeoutError:
            await self._shut_down()
            raise ChildStartError(
                f"the child server {self.config.name!r} did not start within {self.config.start_timeout:g} s"
            ) from None
        if failure or self._client is None:
            await self._shut_down()
            why = self.redactor.text(f"{type(failure[0]).__name__}: {failure[0]}") if failure else "it exited"
            raise ChildStartError(f"the child server {self.config.name!r} could not start ({why})")
        return self._client

    async def _own(self, ready: asyncio.Event, failure: list[BaseException]) -> None:
        try:
            async with AsyncExitStack() as stack:
                transport = await self._transport(stack)
                client = await stack.enter_async_context(mcp.Client(transport, mode="auto"))
                self._client = client
                ready.set()
                await self._stop.wait()
        except Exception as exc:  # reported to the starter; a running child's end is noticed on a call
            failure.append(exc)
        finally:
            self._client = None
            ready.set()

    async def _transport(self, stack: AsyncExitStack) -> Any:
        config = self.config
        if config.url is not None:
            headers = dict(config.headers)
            http = await stack.enter_async_context(httpx2.AsyncClient(headers=headers))
            return streamable_http_client(config.url, http_client=http)
        argv = child_argv(config, self.workspace)
        env = dict(config.env)
        cwd = config.cwd or (str(self.workspace) if self.workspace else None)
        params = mcp.StdioServerParameters(command=argv[0], args=argv[1:], env=env, cwd=cwd)
        assert self._stderr is not None
        return stdio_client(params, errlog=self._stderr)

    def _forget(self) -> None:
        # A closed connection stays "entered" in its owner; drop it so the next call restarts.
        self._client = None
        self._stop.set()

    async def _shut_down(self) -> None:
        owner, self._owner = self._owner, None
        if owner is not None:
            self._stop.set()
            with anyio.CancelScope(shield=True), anyio.move_on_after(10):
                await asyncio.shield(owner)
            if not owner.done():
                owner.cancel()
        self._client = None
        self._log_stderr()

    def _log_stderr(self) -> None:
        stderr, self._stderr = self._stderr, None
        if stderr is None:
            return
        stderr.seek(0)
        text = stderr.read()[-_STDERR_LOG_LIMIT:]
        stderr.close()
        if text.strip():
            logger.debug("child %r stderr (redacted):\n%s", self.config.name, self.redactor.text(text))


def _connection_lost(exc: Exception) -> bool:
    return isinstance(exc, MCPError | anyio.ClosedResourceError | anyio.BrokenResourceError) and (
        not isinstance(exc, MCPError) or exc.code == CONNECTION_CLOSED
    )
