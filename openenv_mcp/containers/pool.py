"""A few started, connected containers kept ready, so an episode does not wait for `docker run`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from types import TracebackType

import anyio
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from openenv_mcp.containers.errors import ContainerError
from openenv_mcp.containers.provider import DockerProvider
from openenv_mcp.containers.session import ContainerSession, Transport

__all__ = ["ContainerPool"]


class ContainerPool:
    """Keeps `size` containers of `env` started; `acquire` hands one out and starts a replacement.

    Containers are never reused: `release` removes the one handed out. Each container lives in
    a task of the pool's own, which opens and closes its MCP client in the same task.
    """

    def __init__(
        self,
        provider: DockerProvider,
        env: str,
        size: int = 2,
        *,
        transport: Transport = "stdio",
        serve_args: Sequence[str] = (),
    ) -> None:
        self.provider, self.env, self.size = provider, env, size
        self.transport: Transport = transport
        self.serve_args = list(serve_args)
        self._ready: MemoryObjectSendStream[ContainerSession]
        self._waiting: MemoryObjectReceiveStream[ContainerSession]
        self._ready, self._waiting = anyio.create_memory_object_stream[ContainerSession](math.inf)
        self._done: dict[str, anyio.Event] = {}
        self._group: TaskGroup | None = None

    @property
    def idle(self) -> int:
        """Started containers waiting to be handed out."""
        return self._waiting.statistics().current_buffer_used

    async def __aenter__(self) -> ContainerPool:
        self._group = anyio.create_task_group()
        await self._group.__aenter__()
        for _ in range(self.size):
            self._group.start_soon(self._hold)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        assert self._group is not None
        self._group.cancel_scope.cancel()
        return await self._group.__aexit__(exc_type, exc, tb)

    async def acquire(self) -> ContainerSession:
        if self._group is None:
            raise ContainerError("the pool is not open: use `async with ContainerPool(...)`")
        session = await self._waiting.receive()
        self._group.start_soon(self._hold)
        return session

    async def release(self, session: ContainerSession) -> None:
        """Remove a container handed out by `acquire`."""
        self._done.pop(session.name).set()

    async def _hold(self) -> None:
        async with self.provider.session(self.env, transport=self.transport, serve_args=self.serve_args) as s:
            self._done[s.name] = anyio.Event()
            await self._ready.send(s)
            await self._done[s.name].wait()
