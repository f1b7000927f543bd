"""What every benchmarked server looks like to the suite: open an episode, step it, close it.

A driver speaks one server's wire protocol over one channel. Opening and closing are not
timed; a step is one round trip that carries one echo action and raises `StepFailed` when
the server answers with an error, so that the suite counts it.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["Driver", "StepFailed"]


class StepFailed(Exception):
    """The server answered a step with an error (the message says what it said)."""


class Driver(Protocol):
    """One server over one channel, as the scenarios drive it."""

    @property
    def label(self) -> str:
        """Row label, such as 'openenv-mcp http' or 'openenv ws'."""
        ...

    @property
    def server_pid(self) -> int | None:
        """The server's process id when it runs in a child process (for memory), else None."""
        ...

    async def open(self) -> object:
        """Open an episode (or session) and return its handle."""
        ...

    async def step(self, episode: object) -> None:
        """One echo step of `episode`; raise StepFailed on an error reply."""
        ...

    async def close(self, episode: object) -> None:
        """Close `episode`; errors here are the server's business, not a failed step."""
        ...
