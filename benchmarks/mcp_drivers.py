"""Drivers for the MCP servers: openenv-mcp and the bare SDK server, per transport.

Two kinds of client reach them:

- `SdkDriver`: the `mcp` SDK's own `Client` (in-memory, stdio or Streamable HTTP), what an
  agent or trainer that uses the SDK pays;
- `JsonRpcDriver`: a lean client that POSTs 2026-07-28 JSON-RPC on a keep-alive connection
  per episode, as lean as the WebSocket client that drives OpenEnv, so that the concurrency
  sweep measures servers rather than client libraries.

For openenv-mcp an episode is a `reset` (with room for every step the suite takes) and a
step is the inner `echo` tool with the episode id; for the bare server a step is its `echo`
tool, which has no episode.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import AsyncGenerator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx2
import mcp
from mcp import StdioServerParameters

from benchmarks.bare_server import bare_server
from benchmarks.drivers import StepFailed
from benchmarks.http1 import Http1Connection
from openenv_mcp.server import EnvServer
from openenv_mcp.testing.serving import Served, served_process
from openenv_mcp_echo import EchoEnvironment

__all__ = [
    "BARE",
    "OURS",
    "JsonRpcDriver",
    "SdkDriver",
    "Transport",
    "json_rpc_driver",
    "sdk_driver",
    "serve_http",
]

ROOT = Path(__file__).parent.parent
OURS = "openenv-mcp"
BARE = "bare mcp"
Transport = Literal["in-memory", "stdio", "http"]
MESSAGE = "hello"
MAX_STEPS = 100_000
_PROTOCOL = "2026-07-28"
_META = {
    "io.modelcontextprotocol/protocolVersion": _PROTOCOL,
    "io.modelcontextprotocol/clientInfo": {"name": "openenv-mcp-bench", "version": "0.1.0"},
    "io.modelcontextprotocol/clientCapabilities": {},
}
_HEADERS = {
    "accept": "application/json, text/event-stream",
    "content-type": "application/json",
    "mcp-protocol-version": _PROTOCOL,
    "mcp-method": "tools/call",
}


def _echo_arguments(episode: object) -> dict[str, Any]:
    if episode is None:
        return {"message": MESSAGE}
    return {"message": MESSAGE, "episode_id": episode}


class SdkDriver:
    """openenv-mcp or the bare server through the SDK's `mcp.Client`."""

    def __init__(self, server: str, transport: str, client: mcp.Client, pid: int | None = None) -> None:
        self._server, self._client, self._pid = server, client, pid
        self._label = f"{server} {transport} (sdk client)"

    @property
    def label(self) -> str:
        return self._label

    @property
    def server_pid(self) -> int | None:
        return self._pid

    async def open(self) -> object:
        if self._server != OURS:
            return None
        result = await self._client.call_tool("reset", {"options": {"max_steps": MAX_STEPS}})
        if result.is_error or result.structured_content is None:
            raise StepFailed(f"reset failed: {result.content}")
        return result.structured_content["episode_id"]

    async def step(self, episode: object) -> None:
        result = await self._client.call_tool("echo", _echo_arguments(episode), read_timeout_seconds=60)
        if result.is_error:
            raise StepFailed(str(result.content))

    async def close(self, episode: object) -> None:
        if episode is not None:
            await self._client.call_tool("close", {"episode_id": episode})


@dataclass
class _Episode:
    """An episode with its own connection (the sweep) or on the shared pool (None)."""

    episode_id: str | None
    connection: Http1Connection | None


class JsonRpcDriver:
    """openenv-mcp or the bare server over Streamable HTTP, 2026-07-28 JSON-RPC by hand.

    With `connection_per_episode`, each episode opens its own keep-alive connection and
    steps on it (as a WebSocket session does); otherwise every call shares one pool (what
    the memory scenario uses, 10,000 episodes being too many sockets).
    """

    def __init__(
        self,
        server: str,
        url: str,
        pid: int,
        *,
        connection_per_episode: bool = True,
        headers: dict[str, str] | None = None,
        label: str | None = None,
    ) -> None:
        self._server, self._url, self._pid = server, url, pid
        self._headers, self._label = {**_HEADERS, **(headers or {})}, label or f"{server} http"
        self._per_episode = connection_per_episode
        self._ids = itertools.count(1)
        parsed = urlsplit(url)
        self._host, self._port, self._path = parsed.hostname or "127.0.0.1", parsed.port or 80, parsed.path
        limits = httpx2.Limits(max_connections=64, max_keepalive_connections=64)
        self._http = httpx2.AsyncClient(limits=limits, timeout=httpx2.Timeout(120.0))

    @property
    def label(self) -> str:
        return self._label

    @property
    def server_pid(self) -> int | None:
        return self._pid

    async def aclose(self) -> None:
        await self._http.aclose()

    async def call(
        self, name: str, arguments: dict[str, Any], connection: Http1Connection | None = None
    ) -> dict[str, Any]:
        """One tools/call, on `connection` or the pool; its result, or StepFailed naming the error."""
        body = {
            "jsonrpc": "2.0",
            "id": next(self._ids),
            "method": "tools/call",
            "params": {"name": name, "arguments": arguments, "_meta": _META},
        }
        headers = {**self._headers, "mcp-name": name}
        try:
            if connection is None:
                response = await self._http.post(self._url, content=json.dumps(body), headers=headers)
                status, content = response.status_code, response.content
            else:
                status, content = await connection.post(self._path, headers, json.dumps(body).encode())
        except (httpx2.HTTPError, OSError) as exc:
            raise StepFailed(f"{type(exc).__name__}: {exc}") from exc
        if status != 200:
            raise StepFailed(f"HTTP {status}: {content[:200]!r}")
        reply: dict[str, Any] = json.loads(content)
        if "error" in reply:
            raise StepFailed(f"JSON-RPC error: {reply['error']}")
        result: dict[str, Any] = reply["result"]
        if result.get("isError"):
            raise StepFailed(str(result.get("content")))
        return result

    async def open(self) -> object:
        if self._server != OURS:
            return None
        result = await self.call("reset", {"options": {"max_steps": MAX_STEPS}})
        return result["structuredContent"]["episode_id"]

    async def step(self, episode: object) -> None:
        await self.call("echo", _echo_arguments(episode))

    async def step_batch(self, episodes: list[object]) -> None:
        """One `step_batch` call stepping every episode once (openenv-mcp only)."""
        action = {"type": "tool_call", "tool_name": "echo", "parameters": {"message": MESSAGE}}
        result = await self.call(
            "step_batch", {"steps": [{"episode_id": e, "action": action} for e in episodes]}
        )
        failed = [entry for entry in result["structuredContent"]["results"] if entry.get("failed")]
        if failed:
            raise StepFailed(f"{len(failed)} batch entries failed, first: {failed[0]}")

    async def close(self, episode: object) -> None:
        if episode is not None:
            await self.call("close", {"episode_id": episode})


def _stdio(server: str) -> StdioServerParameters:
    if server == OURS:
        return StdioServerParameters(
            command=sys.executable, args=["-m", "openenv_mcp", "serve", "echo", "--transport", "stdio"]
        )
    return StdioServerParameters(
        command=sys.executable, args=["-m", "benchmarks.bare_server", "stdio"], cwd=ROOT
    )


@asynccontextmanager
async def serve_http(
    server: str, *, capacity: int = 20_000, extra: Sequence[str] = ()
) -> AsyncGenerator[Served]:
    """Serve openenv-mcp's echo (with `extra` flags) or the bare server over HTTP in a child."""
    if server == OURS:
        command = [sys.executable, "-m", "openenv_mcp", "serve", "echo", "--port", "0"]
        command += ["--capacity", str(capacity), "--idle-ttl", "3600", *extra]
        path = "/envs/echo/mcp"
    else:
        command, path = [sys.executable, "-m", "benchmarks.bare_server", "http", "0"], "/envs/bare/mcp"
    async with served_process(command, path, cwd=ROOT) as served:
        yield served


@asynccontextmanager
async def sdk_driver(server: str, transport: Transport) -> AsyncGenerator[SdkDriver]:
    """openenv-mcp or the bare server on `transport`, reached by the SDK's client."""
    if transport == "http":
        async with serve_http(server) as served, mcp.Client(served.url, read_timeout_seconds=120) as client:
            yield SdkDriver(server, transport, client, served.pid)
        return
    target: Any = _stdio(server)
    if transport == "in-memory":
        target = EnvServer(EchoEnvironment).server if server == OURS else bare_server()
    async with mcp.Client(target, read_timeout_seconds=120) as client:
        yield SdkDriver(server, transport, client)


@asynccontextmanager
async def json_rpc_driver(
    server: str, *, connection_per_episode: bool = True
) -> AsyncGenerator[JsonRpcDriver]:
    """openenv-mcp or the bare server over HTTP in a child, reached by the lean client."""
    async with serve_http(server) as served:
        driver = JsonRpcDriver(server, served.url, served.pid, connection_per_episode=connection_per_episode)
        try:
            yield driver
        finally:
            await driver.aclose()
