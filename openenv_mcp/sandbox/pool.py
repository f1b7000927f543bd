"""A pool of started sandboxes, so that an episode's reset need not wait for one to boot."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from types import TracebackType

import anyio
from anyio.abc import TaskGroup

from openenv_mcp.errors import SandboxError
from openenv_mcp.sandbox.base import Sandbox, SandboxFactory, ToolSpec
from openenv_mcp.sandbox.limits import SandboxLimits

__all__ = ["WarmPool", "start_sandbox"]

logger = logging.getLogger(__name__)


class WarmPool:
    """Keeps `size` started sandboxes ready; each is handed out once and never reused.

    Use as ``async with WarmPool(factory, tools, limits, size=2) as pool``; refills run in
    a task group the pool owns.
    """

    def __init__(
        self,
        factory: SandboxFactory,
        tools: Sequence[ToolSpec],
        limits: SandboxLimits,
        size: int,
        *,
        warmup: str = "",
    ) -> None:
        self.factory, self.tools, self.limits, self.size = factory, list(tools), limits, size
        self.warmup = warmup
        """Code each warm sandbox runs once before it waits (imports its first steps need)."""
        self.started_total = 0
        self._idle: list[Sandbox] = []
        self._starting = 0
        self._task_group: TaskGroup | None = None
        self._closed = False

    @property
    def idle(self) -> int:
        """Started sandboxes waiting to be handed out."""
        return len(self._idle)

    async def __aenter__(self) -> WarmPool:
        self._task_group = anyio.create_task_group()
        await self._task_group.__aenter__()
        self._refill()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._task_group is not None
        self._task_group.cancel_scope.cancel()
        await self._task_group.__aexit__(exc_type, exc, tb)
        await self.aclose()

    async def acquire(self) -> Sandbox:
        """A started sandbox: a warm one at once, or a fresh one when the pool is empty."""
        if self._closed:
            raise SandboxError("the sandbox pool is closed")
        sandbox = self._idle.pop(0) if self._idle else None
        if sandbox is None:
            sandbox = await self._start_one()
        self._refill()
        return sandbox

    async def aclose(self) -> None:
        """Close every idle sandbox; the pool hands out no more."""
        self._closed = True
        idle, self._idle = self._idle, []
        with anyio.CancelScope(shield=True):
            for sandbox in idle:
                await sandbox.close()

    def _refill(self) -> None:
        if self._task_group is None or self._closed:
            return
        while len(self._idle) + self._starting < self.size:
            self._starting += 1
            self._task_group.start_soon(self._fill_one)

    async def _fill_one(self) -> None:
        try:
            sandbox = await self._start_one()
        except SandboxError:
            logger.exception("a warm sandbox failed to start")
            return
        finally:
            self._starting -= 1
        if self._closed:
            with anyio.CancelScope(shield=True):
                await sandbox.close()
        else:
            self._idle.append(sandbox)

    async def _start_one(self) -> Sandbox:
        sandbox = await start_sandbox(self.factory, self.tools, self.limits)
        self.started_total += 1
        if not self.warmup:
            return sandbox
        try:
            warmed = await sandbox.execute(self.warmup)
        except BaseException:  # cancelled while warming (the pool closing): close it, never leak it
            with anyio.CancelScope(shield=True):
                await sandbox.close()
            raise
        if warmed.error is not None or warmed.killed is not None:
            logger.warning("a warm sandbox's warm-up failed: %s", warmed.render())
        return sandbox


async def start_sandbox(factory: SandboxFactory, tools: Sequence[ToolSpec], limits: SandboxLimits) -> Sandbox:
    """A new, started sandbox; one that fails to start is closed before the error goes on."""
    sandbox = factory(tools, limits)
    try:
        await sandbox.start()
    except BaseException:
        with anyio.CancelScope(shield=True):
            await sandbox.close()
        raise
    return sandbox
