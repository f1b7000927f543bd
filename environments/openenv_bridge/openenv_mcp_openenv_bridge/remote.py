"""The remote every episode of one configuration shares: named by URL, or started once and refcounted.

Starting an OpenEnv server is slow (its imports alone take seconds), so a started remote
serves every episode of the server, and outlives the last one by `linger` seconds (the
listing before serving and the first reset then share one start). A remote found dead is
started again by the next episode that needs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import anyio

from openenv_mcp_openenv_bridge.config import BridgeConfig
from openenv_mcp_openenv_bridge.launch import Launcher, launcher_for

__all__ = ["SharedRemote"]

logger = logging.getLogger(__name__)


class SharedRemote:
    """One remote for many episodes; `users` hold it, the last to leave lets it stop."""

    def __init__(self, config: BridgeConfig) -> None:
        self.config = config
        self.users = 0
        self.starts = 0
        self.base_url: str | None = config.url
        self._launcher: Launcher | None = None
        self._lock = anyio.Lock()
        self._linger: asyncio.Task[None] | None = None

    async def acquire(self) -> str:
        """Hold the remote (starting it if need be); its base URL."""
        async with self._lock:
            self._keep()
            base_url = await self._ensure()
            self.users += 1
            return base_url

    async def ensure(self) -> str:
        """The base URL of a running remote, started again if it died (the caller holds it)."""
        async with self._lock:
            return await self._ensure()

    async def release(self) -> None:
        """Let go; the last user leaves a started remote to stop after `linger` seconds."""
        with anyio.CancelScope(shield=True):
            async with self._lock:
                self.users = max(0, self.users - 1)
                if self.users or self._launcher is None:
                    return
                if self.config.linger <= 0:
                    await self._stop()
                else:
                    self._linger = asyncio.get_running_loop().create_task(self._stop_later())

    async def aclose(self) -> None:
        """Stop a started remote now, held or not."""
        with anyio.CancelScope(shield=True):
            async with self._lock:
                self._keep()
                self.users = 0
                await self._stop()

    async def _ensure(self) -> str:
        if not self.config.starts_remote:
            assert self.base_url is not None
            return self.base_url
        if self._launcher is not None and await self._launcher.running():
            assert self.base_url is not None
            return self.base_url
        await self._stop()
        launcher = launcher_for(self.config)
        logger.info("starting the OpenEnv remote %s", self.config.remote)
        self.base_url = await launcher.start()
        self._launcher = launcher
        self.starts += 1
        return self.base_url

    def _keep(self) -> None:
        linger, self._linger = self._linger, None
        if linger is not None:
            linger.cancel()

    async def _stop_later(self) -> None:
        me = asyncio.current_task()
        try:
            await asyncio.sleep(self.config.linger)
        except asyncio.CancelledError:
            if self._linger is me:  # not taken back by an episode: the loop is shutting down
                await self._stop()
            raise
        async with self._lock:
            if self._linger is me and not self.users:
                self._linger = None
                await self._stop()

    async def _stop(self) -> None:
        launcher, self._launcher = self._launcher, None
        if launcher is not None:
            logger.info("stopping the OpenEnv remote %s", self.config.remote)
            with contextlib.suppress(Exception):  # stopping is best effort; the exit handler is the backstop
                await launcher.stop()
        if self.config.starts_remote:
            self.base_url = None
