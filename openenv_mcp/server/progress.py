"""Progress notifications from long calls: a heartbeat while a tool call runs, when the caller asked.

A code action, a shell command or a grader can run for many seconds, and nothing inside the
sandbox reports how far it has come. So while a call whose caller asked for progress (a
`progressToken`) is running, the server says so every `interval` seconds: the progress is
the seconds elapsed (rising, as MCP requires), with no total, and the message names the
tool. An environment that knows better (`Environment.report_progress`) takes over from its
first report: its `done` of `total` is sent shifted past the last heartbeat, so that the
values still rise. A caller that did not ask costs nothing: no task is started.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from mcp.server import ServerRequestContext

from openenv_mcp.environment.progress import reporting

__all__ = ["HEARTBEAT_SECONDS", "asked_for_progress", "heartbeat"]

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 1.0
"""How often a running call reports progress."""


def asked_for_progress(ctx: ServerRequestContext[Any, Any]) -> bool:
    """Whether the call's client asked for progress notifications."""
    if ctx.meta is not None and "progress_token" in ctx.meta:
        return True
    # The SDK's in-process dispatch hands the callback over without a token (there is no wire),
    # on a dispatch context that the modern era wraps.
    outbound: object = ctx.session._request_outbound  # pyright: ignore[reportPrivateUsage]
    for _ in range(4):
        if getattr(outbound, "_on_progress", None) is not None:
            return True
        outbound = getattr(outbound, "_inner", None)
    return False


@asynccontextmanager
async def heartbeat(
    ctx: ServerRequestContext[Any, Any], what: str, *, interval: float = HEARTBEAT_SECONDS
) -> AsyncGenerator[None]:
    """Report progress every `interval` seconds while the body runs, if the caller asked for it."""
    if not asked_for_progress(ctx):
        yield
        return
    sender = _Sender(ctx, what)
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(_beat, sender, what, interval)
            try:
                with reporting(sender.reported):
                    yield
            finally:
                tg.cancel_scope.cancel()
    except BaseExceptionGroup as group:
        # Only the body can fail (a beat swallows its own errors): raise its exception as it was.
        raise group.exceptions[0] from None


class _Sender:
    """One call's progress notifications: heartbeats until the environment reports, always rising."""

    def __init__(self, ctx: ServerRequestContext[Any, Any], what: str) -> None:
        self.ctx, self.what = ctx, what
        self.last: float | None = None
        self.offset: float | None = None
        """Where the environment's reports start (the last heartbeat); None: it has not reported."""

    async def send(self, progress: float, total: float | None, message: str) -> bool:
        if self.last is not None and progress <= self.last:
            return True  # MCP requires rising values: a report that does not rise is dropped
        try:
            await self.ctx.session.report_progress(progress, total, message)
        except Exception:  # a client gone mid-call: the call itself will find out
            logger.debug("progress for %s not delivered", self.what, exc_info=True)
            return False
        self.last = progress
        return True

    async def reported(self, done: float, total: float | None, message: str | None) -> None:
        if self.offset is None:
            self.offset = self.last or 0.0
        shifted = None if total is None else self.offset + total
        await self.send(self.offset + done, shifted, message or f"{self.what}: {done:g} of {total or '?'}")


async def _beat(sender: _Sender, what: str, interval: float) -> None:
    began = time.monotonic()
    while sender.offset is None:
        await anyio.sleep(interval)
        if sender.offset is not None:
            return  # the environment reports now
        elapsed = time.monotonic() - began
        if not await sender.send(round(elapsed, 3), None, f"{what}: running for {elapsed:.1f} s"):
            return
