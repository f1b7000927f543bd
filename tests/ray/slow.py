"""A test environment whose `wait` step sleeps until cancelled, and says whether it was.

When its server (or Ray host) stops, it appends a line to the file $SLOW_STOPPED_FILE names.
"""

from __future__ import annotations

import os
from typing import Any

import anyio

from openenv_mcp import Environment, tool

__all__ = ["STOPPED_VARIABLE", "SlowEnvironment"]

STOPPED_VARIABLE = "SLOW_STOPPED_FILE"


class SlowEnvironment(Environment):
    """`wait(seconds)` sleeps; a cancelled wait is counted in the state."""

    name = "slow"
    description = "Sleeps on request (a test environment)."
    cancelled = 0
    config_variables = (STOPPED_VARIABLE,)

    @tool
    async def wait(self, seconds: float) -> str:
        """Sleep `seconds`, then answer."""
        try:
            await anyio.sleep(seconds)
        except anyio.get_cancelled_exc_class():
            self.cancelled += 1
            raise
        return "woke"

    def state_extra(self) -> dict[str, Any]:
        return {"cancelled": self.cancelled}

    @classmethod
    async def server_stopped(cls) -> None:
        if path := os.environ.get(STOPPED_VARIABLE):
            said = anyio.Path(path)
            before = await said.read_text() if await said.exists() else ""
            await said.write_text(f"{before}stopped in {os.getpid()}\n")
