"""An OpenEnv 0.10 MCP environment for the bridge's tests, written against OpenEnv's public API only.

Run by OpenEnv's own python (it pins mcp<2): `python -I echo_remote.py --port PORT`. Its tools:
`echo(message)`, `sleep(seconds)` (an async wait, for timeouts), `delayed_echo(message, seconds)`
and `whoami()` (the session's episode id). `GET /sessions` says how many sessions are alive,
and the pid.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from typing import Any
from uuid import uuid4

import uvicorn
from fastmcp import FastMCP
from openenv.core.env_server.http_server import create_app
from openenv.core.env_server.mcp_environment import MCPEnvironment
from openenv.core.env_server.mcp_types import CallToolAction, CallToolObservation
from openenv.core.env_server.types import Action, Observation, State

LIVE: set[int] = set()


class EchoRemote(MCPEnvironment):
    """One session: echo, sleep and whoami."""

    SUPPORTS_CONCURRENT_SESSIONS = True

    def __init__(self) -> None:
        server = FastMCP("echo")

        @server.tool
        def echo(message: str) -> str:
            """Echo the message back."""
            self._state.step_count += 1
            return message

        @server.tool
        async def sleep(seconds: float) -> str:
            """Wait, then say so."""
            await asyncio.sleep(seconds)
            return f"slept {seconds:g} s"

        @server.tool
        async def delayed_echo(message: str, seconds: float) -> str:
            """Echo the message back after a wait (the bridge benchmark's injected delay)."""
            await asyncio.sleep(seconds)
            return message

        @server.tool
        def whoami() -> str:
            """The episode id this session was reset with."""
            return str(self._state.episode_id)

        super().__init__(server)
        self._state = State(episode_id=str(uuid4()), step_count=0)
        LIVE.add(id(self))

    def reset(self, seed: int | None = None, episode_id: str | None = None, **kwargs: Any) -> Observation:
        self._state = State(episode_id=episode_id or str(uuid4()), step_count=0)
        return Observation(done=False, reward=0.0, metadata={"seed": seed, "options": kwargs})

    def _step_impl(self, action: Action, timeout_s: float | None = None, **kwargs: Any) -> Observation:
        return Observation(done=False, reward=0.0, metadata={"error": "only MCP tool calls are accepted"})

    @property
    def state(self) -> State:
        return self._state

    def close(self) -> None:
        LIVE.discard(id(self))
        super().close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--max-sessions", type=int, default=64)
    args = parser.parse_args()
    app = create_app(
        EchoRemote,
        CallToolAction,
        CallToolObservation,
        env_name="echo",
        max_concurrent_envs=args.max_sessions,
    )

    @app.get("/sessions")
    def sessions() -> dict[str, int]:
        return {"live": len(LIVE), "pid": os.getpid()}

    uvicorn.run(app, host=args.host, port=args.port, log_level="info", access_log=False)


if __name__ == "__main__":
    main()
