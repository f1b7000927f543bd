"""Where episodes get their sandboxes: a backend by name, and a warm pool for the default limits."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Sequence
from contextlib import asynccontextmanager
from typing import Literal

from openenv_mcp.errors import SandboxError
from openenv_mcp.sandbox.base import Sandbox, SandboxFactory, ToolSpec
from openenv_mcp.sandbox.bubblewrap import bubblewrap_factory, find_bwrap
from openenv_mcp.sandbox.cgroup import sweep_orphans
from openenv_mcp.sandbox.limits import SandboxLimits
from openenv_mcp.sandbox.pool import WarmPool, start_sandbox
from openenv_mcp.sandbox.process import process_factory
from openenv_mcp.sandbox.unsafe import unsafe_factory

__all__ = ["BACKENDS", "Backend", "SandboxProvider", "backend_factory"]

logger = logging.getLogger(__name__)

Backend = Literal["bubblewrap", "process", "none"]
BACKENDS: tuple[Backend, ...] = ("bubblewrap", "process", "none")


def backend_factory(backend: Backend) -> SandboxFactory:
    """The factory of a sandbox backend; bubblewrap is checked for at once (a clear error if missing).

    ``process`` is for containers, where namespaces cannot be made: every other layer, no namespaces.
    """
    if backend == "none":
        logger.warning(
            "UNSAFE: --sandbox none runs model-written code as a plain child process, with no isolation"
        )
        return unsafe_factory
    if backend == "process":
        return process_factory
    find_bwrap()
    return bubblewrap_factory


class SandboxProvider:
    """Hands each episode a started sandbox: a warm one for the default limits, a fresh one otherwise.

    Sandboxes are never reused: an episode closes its own.
    """

    def __init__(
        self,
        tools: Sequence[ToolSpec],
        limits: SandboxLimits,
        *,
        factory: SandboxFactory = bubblewrap_factory,
        pool_size: int = 2,
        warmup: str = "",
    ) -> None:
        self.tools, self.limits, self.factory, self.pool_size = list(tools), limits, factory, pool_size
        self.warmup = warmup
        self._pool: WarmPool | None = None
        self.handed_out = 0
        self.warm_hits = 0
        """Sandboxes handed out warm, from the pool."""
        self.cold_starts = 0
        """Sandboxes started for the asker (an empty pool, other limits, no pool)."""
        self.failures = 0
        """Sandboxes that failed to start when asked for."""

    @property
    def warm(self) -> int:
        """Started sandboxes waiting in the pool."""
        return self._pool.idle if self._pool is not None else 0

    @asynccontextmanager
    async def running(self) -> AsyncGenerator[SandboxProvider]:
        """Keep the warm pool filled while the context is open (the first opener owns it).

        Opening it first removes what sandboxes of a killed server left behind (their cgroups).
        """
        sweep_orphans()
        if self._pool is not None or self.pool_size <= 0:
            yield self
            return
        async with WarmPool(
            self.factory, self.tools, self.limits, self.pool_size, warmup=self.warmup
        ) as pool:
            self._pool = pool
            try:
                yield self
            finally:
                self._pool = None

    async def acquire(self, limits: SandboxLimits | None = None) -> Sandbox:
        """A started sandbox with `limits` (default: the provider's)."""
        self.handed_out += 1
        try:
            if (limits is None or limits == self.limits) and self._pool is not None:
                warm = self._pool.idle > 0
                sandbox = await self._pool.acquire()
                self.warm_hits += warm
                self.cold_starts += not warm
                return sandbox
            self.cold_starts += 1
            return await start_sandbox(self.factory, self.tools, limits or self.limits)
        except SandboxError:
            self.failures += 1
            raise
