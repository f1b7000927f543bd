"""A Gymnasium `Env` over a remote openenv-mcp environment (needs the `gym` extra).

Observations are the text the agent reads; actions are text: model output or a JSON tool
call, read by the adapters (`parse_text`), so a policy that emits text plugs straight in.
Unreadable actions are error observations (`info["parse_error"]`), never exceptions.

Example (against a server in this process)::

    from openenv_mcp.server import EnvServer
    from openenv_mcp_echo import EchoEnvironment
    env = RemoteTextEnv(EnvServer(EchoEnvironment))
    observation, info = env.reset(seed=0)
    action = '{"name": "echo", "arguments": {"message": "hi"}}'
    observation, reward, terminated, truncated, info = env.step(action)
"""

from __future__ import annotations

import string
from typing import Any, SupportsFloat

import gymnasium
from gymnasium import spaces
from mcp.client.client import ConnectMode

from openenv_mcp.client import SyncEnvClient, Target
from openenv_mcp.spec import ToolDefinition

__all__ = ["CHARSET", "RemoteTextEnv"]

CHARSET = string.printable
"""Characters of the text spaces by default (observations outside it fail `contains`)."""


class RemoteTextEnv(gymnasium.Env[str, str]):
    """A remote environment with `Text` observation and action spaces."""

    metadata = {"render_modes": ["ansi"], "render_fps": 4}  # noqa: RUF012 (Gymnasium's own attribute shape)

    def __init__(
        self,
        target: Target,
        *,
        options: dict[str, Any] | None = None,
        mode: ConnectMode = "auto",
        max_length: int = 65_536,
        charset: str = CHARSET,
        render_mode: str | None = None,
    ) -> None:
        self.options = options
        self.render_mode = render_mode
        self.observation_space = spaces.Text(max_length=max_length, min_length=0, charset=charset)
        self.action_space = spaces.Text(max_length=max_length, min_length=1, charset=charset)
        self._client = SyncEnvClient(target, mode=mode)
        self._last = ""

    @property
    def tools(self) -> list[ToolDefinition]:
        """The environment's inner tools, for the model's prompt."""
        return self._client.tools()

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        super().reset(seed=seed)
        result = self._client.reset(seed=seed, options=options if options is not None else self.options)
        self._last = str(result.observation)
        return self._last, dict(result.info)

    def step(self, action: str) -> tuple[str, SupportsFloat, bool, bool, dict[str, Any]]:
        result = self._client.step(action)
        self._last = str(result.observation)
        return self._last, result.reward, result.terminated, result.truncated, dict(result.info)

    def render(self) -> str | None:  # pyright: ignore[reportIncompatibleMethodOverride]
        return self._last if self.render_mode == "ansi" else None

    def close(self) -> None:
        self._client.close()
