"""Progress an environment reports from inside a long tool (a grader's phases, a build's stages).

`await self.report_progress(done, total, message)` in a tool reaches the caller as MCP
progress when it asked for it (a `progressToken`), and costs nothing otherwise. The server
sets the reporter for the length of each call (`reporting`); outside a call, or used
directly in Python, a report goes nowhere.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["Reporter", "report", "reporting"]

Reporter = Callable[[float, float | None, str | None], Awaitable[None]]
"""`reporter(progress, total, message)`: where a call's progress goes."""

_REPORTER: ContextVar[Reporter | None] = ContextVar("openenv_mcp_progress_reporter", default=None)


@contextmanager
def reporting(reporter: Reporter) -> Generator[None]:
    """Send the progress reported inside the body to `reporter`."""
    token = _REPORTER.set(reporter)
    try:
        yield
    finally:
        _REPORTER.reset(token)


async def report(progress: float, total: float | None = None, message: str | None = None) -> None:
    """Report progress to the running call's caller, if it asked for it."""
    reporter = _REPORTER.get()
    if reporter is not None:
        await reporter(progress, total, message)
