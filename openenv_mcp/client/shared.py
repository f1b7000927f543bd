"""One connection for many `EnvClient`s, their concurrent steps sent together.

An agent loop runs an `EnvClient` per rollout, dozens at once, each at its own pace (one
waits for the model while another steps). Each client opening its own MCP connection costs a
connection and a `tools/list` apiece and makes every step its own round trip, and then the
client, not the server, sets the pace. Clients made from one `SharedConnection` use its
connection, and where the server has `step_batch` the steps they take at once travel as one
call (`coalesce.Coalescer`); each still gets its own result or error.

    async with SharedConnection(url) as shared:
        async def rollout(seed: int) -> None:
            async with shared.client() as env:
                await env.reset(seed=seed)
                ...

        async with anyio.create_task_group() as tg:
            for seed in range(64):
                tg.start_soon(rollout, seed)

The connection opens and closes with the `async with` block (in the task that runs it); the
clients close their own episodes, never the connection.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Self

from mcp.client.client import ConnectMode

from openenv_mcp.client.connection import Auth, Connection
from openenv_mcp.client.targets import Target
from openenv_mcp.trajectories.recorder import Recording

if TYPE_CHECKING:
    from openenv_mcp.client.env_client import EnvClient

__all__ = ["SharedConnection"]


class SharedConnection:
    """An MCP connection that `EnvClient`s share; `batched` as `VectorEnvClient`'s (None: where offered)."""

    def __init__(
        self,
        target: Target,
        *,
        mode: ConnectMode = "auto",
        read_timeout: float = 60.0,
        auth: Auth | None = None,
        batched: bool | None = None,
    ) -> None:
        self.connection = Connection(
            target, mode=mode, read_timeout=read_timeout, auth=auth, coalesce=batched is not False
        )
        self._batched = batched
        self._open = False

    async def __aenter__(self) -> Self:
        await self.connection.__aenter__()
        self._open = True
        if self._batched and self.connection.coalescer is None:
            await self.connection.__aexit__(None, None, None)
            self._open = False
            raise ValueError("batched=True, but the server has no step_batch tool (production mode?)")
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._open = False
        await self.connection.__aexit__(exc_type, exc, tb)

    @property
    def open(self) -> bool:
        return self._open

    @property
    def batched(self) -> bool:
        """Whether concurrent steps travel as one `step_batch` call."""
        return self.connection.coalescer is not None

    def client(self, *, parse_error_reward: float = 0.0, recording: Recording | None = None) -> EnvClient:
        """An `EnvClient` on this connection (use it as a context manager, as any other)."""
        from openenv_mcp.client.env_client import EnvClient  # EnvClient takes this class: imported when used

        return EnvClient(self, parse_error_reward=parse_error_reward, recording=recording)
