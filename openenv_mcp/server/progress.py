"""Progress notifications from long calls: a heartbeat while a tool call runs, when the caller asked.

A code action, a shell command or a grader can run for many seconds, and nothing inside the
sandbox reports how far it has come. So while a call whose caller asked for progress (a
`progressToken`) is running, the server says so every `interval` seconds: the progress is
the seconds elapsed (rising, as MCP requires), with no total, and the message names the
tool. A caller that did not ask costs nothing: no task is started.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from mcp.server import ServerRequestContext

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
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(_beat, ctx, what, interval)
            try:
                yield
            finally:
                tg.cancel_scope.cancel()
    except BaseExceptionGroup as group:
        # Only the body can fail (a beat swallows its own errors): raise its exception as it was.
        raise group.exceptions[0] from None


async def _beat(ctx: ServerRequestContext[Any, Any], what: str, interval: float) -> None:
    began = time.monotonic()
    while True:
        await anyio.sleep(interval)
        elapsed = time.monotonic() - began
        try:
            await ctx.session.report_progress(round(elapsed, 3), None, f"{what}: running for {elapsed:.1f} s")
        except Exception:  # a client gone mid-call: the call itself will find out
            logger.debug("progress for %s not delivered", what, exc_info=True)
            return
