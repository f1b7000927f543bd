"""A test environment whose `wait` step sleeps until cancelled, and says whether it was."""

from __future__ import annotations

from typing import Any

import anyio

from openenv_mcp import Environment, tool

__all__ = ["SlowEnvironment"]


class SlowEnvironment(Environment):
    """`wait(seconds)` sleeps; a cancelled wait is counted in the state."""

    name = "slow"
    description = "Sleeps on request (a test environment)."
    cancelled = 0

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
