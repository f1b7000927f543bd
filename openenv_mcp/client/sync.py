"""`SyncEnvClient`: the same client for notebooks and scripts, on its own event loop thread."""

from __future__ import annotations

from contextlib import ExitStack
from types import TracebackType
from typing import Any, Self

from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp.client.client import ConnectMode

from openenv_mcp.client.connection import Auth
from openenv_mcp.client.env_client import EnvClient
from openenv_mcp.client.episode import ActionLike
from openenv_mcp.client.results import RemoteStepResult
from openenv_mcp.client.targets import Target
from openenv_mcp.spec import State, ToolDefinition

__all__ = ["SyncEnvClient"]


class SyncEnvClient:
    """A blocking `EnvClient`: connects on construction, `close()` (or `with`) ends it.

    The connection lives in one task of a background event loop (an anyio blocking portal),
    so every call here may come from any thread that is not that loop.
    """

    def __init__(
        self,
        target: Target,
        *,
        mode: ConnectMode = "auto",
        read_timeout: float = 60.0,
        parse_error_reward: float = 0.0,
        auth: Auth | None = None,
    ) -> None:
        self._stack = ExitStack()
        try:
            self._portal: BlockingPortal = self._stack.enter_context(start_blocking_portal())
            client = EnvClient(
                target, mode=mode, read_timeout=read_timeout, parse_error_reward=parse_error_reward, auth=auth
            )
            self._client = self._stack.enter_context(self._portal.wrap_async_context_manager(client))
        except BaseException:
            self._stack.close()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def tools(self) -> list[ToolDefinition]:
        return self._client.tools()

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> RemoteStepResult:
        return self._portal.call(self._client.reset, seed, options)

    def step(self, action: ActionLike) -> RemoteStepResult:
        return self._portal.call(self._client.step, action)

    def state(self) -> State:
        return self._portal.call(self._client.state)

    def close(self) -> None:
        """Close the episode, the connection and the loop thread."""
        self._stack.close()
