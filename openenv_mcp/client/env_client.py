"""`EnvClient`: one episode of a remote environment, Gymnasium-style, over MCP."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

from mcp.client.client import ConnectMode

from openenv_mcp.client.connection import Auth, Connection
from openenv_mcp.client.episode import ActionLike, RemoteEpisode
from openenv_mcp.client.results import ClientError, RemoteStepResult
from openenv_mcp.client.shared import SharedConnection
from openenv_mcp.client.targets import Target
from openenv_mcp.spec import State, ToolDefinition
from openenv_mcp.trajectories.recorder import Recorder, Recording

__all__ = ["EnvClient"]


class EnvClient:
    """A remote environment as `reset` / `step` / `state` / `close`.

    Use it as an async context manager. `target` is a URL (`http://HOST:PORT/envs/NAME/mcp`),
    a stdio command (a list of strings or `StdioServerParameters`), an in-process
    `EnvServer`, or a `SharedConnection` that many clients use at once (their concurrent
    steps then travel together; `mode`, `read_timeout` and `auth` are the shared
    connection's). `mode` picks the MCP protocol era, as `mcp.Client` does.
    """

    def __init__(
        self,
        target: Target | SharedConnection,
        *,
        mode: ConnectMode = "auto",
        read_timeout: float = 60.0,
        parse_error_reward: float = 0.0,
        auth: Auth | None = None,
        recording: Recording | None = None,
    ) -> None:
        self._shared: SharedConnection | None = None
        if isinstance(target, SharedConnection):
            self._shared, self._connection = target, target.connection
        else:
            self._connection = Connection(target, mode=mode, read_timeout=read_timeout, auth=auth)
        self._episode = RemoteEpisode(
            self._connection, parse_error_reward=parse_error_reward, recording=recording
        )
        self._open = False

    async def __aenter__(self) -> Self:
        if self._shared is None:
            await self._connection.__aenter__()
        elif not self._shared.open:
            raise ClientError("the shared connection is not open: enter `async with SharedConnection(...)`")
        self._open = True
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def episode_id(self) -> str | None:
        """The server's handle of the current episode (None before the first reset)."""
        return self._episode.episode_id

    @property
    def protocol_version(self) -> str:
        """The MCP protocol version in use."""
        return self._connection.protocol_version

    @property
    def recorder(self) -> Recorder | None:
        """The trajectory being recorded, when the client was given a `recording` (after a reset)."""
        return self._episode.recorder

    def record_model(
        self,
        messages: Sequence[dict[str, Any]] | None = None,
        token_ids: Sequence[int] | None = None,
        logprobs: Sequence[float] | None = None,
    ) -> None:
        """Note what the model said before the next step (kept with it in the trajectory)."""
        if self._episode.recorder is not None:
            self._episode.recorder.model(messages, token_ids, logprobs)

    def tools(self) -> list[ToolDefinition]:
        """The environment's inner tools: what a model may call (no control tools, no handles)."""
        return list(self._connection.tools)

    async def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> RemoteStepResult:
        """Start an episode; `observation` is the text the agent reads first."""
        return await self._episode.reset(seed, options)

    async def step(self, action: ActionLike) -> RemoteStepResult:
        """Take one action: an action, a JSON action, or model text for the adapters to read."""
        return await self._episode.step(action)

    async def state(self) -> State:
        return await self._episode.state()

    async def close(self) -> None:
        """Close the episode and the connection, unless shared (again: nothing happens)."""
        if not self._open:
            return
        self._open = False
        try:
            await self._episode.close()
        finally:
            if self._shared is None:
                await self._connection.__aexit__(None, None, None)
