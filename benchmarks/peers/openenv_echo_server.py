"""The OpenEnv peer of our echo environment, built on OpenEnv's public server API only.

OpenEnv's wheel ships no echo environment (its `echo_env` lives in its repository), so the
benchmark serves this one: an `MCPEnvironment` whose FastMCP server has one tool,
`echo(message) -> message`, behind `create_app` with one environment per session. It runs in
OpenEnv's own virtual environment (OpenEnv pins `mcp<2`), started by `benchmarks.peers.openenv`.

The server binds its socket before uvicorn starts, so that with `--port 0` it can print the
port it got: its only line on stdout is `listening on http://127.0.0.1:PORT`; anything
printed after goes to stderr, so that the parent may stop reading stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import socket
import sys
from typing import Any
from uuid import uuid4

import uvicorn
from fastapi import FastAPI
from fastmcp import FastMCP
from openenv.core.env_server.http_server import create_app
from openenv.core.env_server.mcp_environment import MCPEnvironment
from openenv.core.env_server.mcp_types import CallToolAction, CallToolObservation
from openenv.core.env_server.types import Action, Observation, State

LISTENING = "listening on"
"""What the first line on stdout starts with, followed by the base URL."""


SLEEP_VARIABLE = "OPENENV_ECHO_SLEEP"
"""Seconds `echo` sleeps first (`--sleep`, or this variable: the scaling benchmark's sleeping step)."""


class EchoPeer(MCPEnvironment):
    """One episode: `echo` returns its message and counts the step (after `sleep` seconds, if set)."""

    SUPPORTS_CONCURRENT_SESSIONS = True
    sleep = 0.0

    def __init__(self) -> None:
        server = FastMCP("echo")

        if self.sleep > 0:
            # Awaited on the event loop, as OpenEnv's WebSocket handler runs an async tool:
            # the most concurrent way its server can wait.
            @server.tool
            async def echo(message: str) -> str:  # pyright: ignore[reportRedeclaration]
                """Echo the message back, after a sleep."""
                await asyncio.sleep(self.sleep)
                self._state.step_count += 1
                return message
        else:

            @server.tool
            def echo(message: str) -> str:
                """Echo the message back."""
                self._state.step_count += 1
                return message

        super().__init__(server)
        self._state = State(episode_id=str(uuid4()), step_count=0)

    def reset(self, seed: int | None = None, episode_id: str | None = None, **kwargs: Any) -> Observation:
        self._state = State(episode_id=episode_id or str(uuid4()), step_count=0)
        return Observation(done=False, reward=0.0)

    def _step_impl(self, action: Action, timeout_s: float | None = None, **kwargs: Any) -> Observation:
        return Observation(done=False, reward=0.0, metadata={"error": "only MCP tool calls are accepted"})

    @property
    def state(self) -> State:
        return self._state


def build_app(max_sessions: int) -> FastAPI:
    """OpenEnv's app for `EchoPeer`, with room for `max_sessions` concurrent sessions."""
    return create_app(
        EchoPeer, CallToolAction, CallToolObservation, env_name="echo", max_concurrent_envs=max_sessions
    )


def raise_fd_limit() -> None:
    """Let this process hold as many sockets as the hard limit allows (one per session)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on `host`:`port` (0 picks a free port).

    The protocol is named, not left 0: asyncio sets TCP_NODELAY only on sockets whose `proto`
    is IPPROTO_TCP, and without it every keep-alive response waits ~40 ms for a delayed ACK.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--max-sessions", type=int, default=16384, help="concurrent sessions allowed")
    parser.add_argument(
        "--sleep",
        type=float,
        default=float(os.environ.get(SLEEP_VARIABLE, "0")),
        help="seconds a step sleeps",
    )
    args = parser.parse_args()
    EchoPeer.sleep = args.sleep
    raise_fd_limit()
    app = build_app(args.max_sessions)
    sock = listen(args.host, args.port)
    host, port = sock.getsockname()[:2]
    print(f"{LISTENING} http://{host}:{port}", flush=True)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    # As `openenv-mcp serve`: with uvicorn's 5 s, equal to the client's pool expiry, a pooled
    # connection the server has just dropped fails the next request (seen at 1,024 sessions).
    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_keep_alive=60)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
