"""One running environment container and the MCP client connected to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import anyio
import mcp
from mcp.types import CallToolResult

from openenv_mcp.containers.engine import ContainerState, DockerEngine
from openenv_mcp.containers.errors import ContainerError

__all__ = ["ContainerSession", "Transport", "describe_exit"]

Transport = Literal["stdio", "http"]


def describe_exit(name: str, state: ContainerState | None, memory_bytes: int, logs: str = "") -> str:
    """Why a container is no longer serving, in words a person (or an agent) can act on.

    >>> describe_exit("c1", None, 1 << 20)
    'container c1 is gone (removed)'
    """
    if state is None:
        return f"container {name} is gone (removed)"
    if state.oom_killed or state.exit_code == 137:
        reason = f"killed: out of memory (limit {memory_bytes // (1024 * 1024)} MiB)"
        if not state.oom_killed:
            reason = f"killed (exit 137; out of memory at the {memory_bytes // (1024 * 1024)} MiB limit?)"
    else:
        reason = f"exited with status {state.exit_code}"
    tail = f"; last output:\n{logs.strip()}" if logs.strip() else ""
    return f"container {name} {reason}{tail}"


@dataclass
class ContainerSession:
    """A started environment container: its MCP `client`, and where it is.

    `call_tool` turns a dead container (killed for memory, crashed) into a `ContainerError`
    that says so, instead of a bare "connection closed".
    """

    env: str
    name: str
    transport: Transport
    client: mcp.Client
    engine: DockerEngine
    memory_bytes: int
    url: str | None = None

    async def state(self) -> ContainerState | None:
        return await anyio.to_thread.run_sync(self.engine.state, self.name)

    async def call_tool(self, name: str, arguments: dict[str, Any] | None = None) -> CallToolResult:
        try:
            return await self.client.call_tool(name, arguments or {})
        except Exception as exc:  # the boundary: a dead container becomes one clear error
            died = await self.death()
            if died is not None:
                raise ContainerError(died) from exc
            raise

    async def death(self) -> str | None:
        """Why the container stopped serving, or None while it runs."""
        state = await self.state()
        if state is not None and state.running:
            return None
        logs = await anyio.to_thread.run_sync(self.engine.logs, self.name)
        return describe_exit(self.name, state, self.memory_bytes, logs)
