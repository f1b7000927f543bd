"""The episode actor: one environment instance, one episode, living in a Ray worker process.

Every answer carries a `Mirror` of what the front door reads synchronously between calls
(the step count, the state's fields, the board), so a step is one round trip.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from typing import Any

from openenv_mcp.environment import CodeActEnvironment, Environment
from openenv_mcp.errors import EpisodeClosedError
from openenv_mcp.sandbox.provider import Backend, SandboxProvider, backend_factory
from openenv_mcp.spec import CodeAction, ResetResult, StepResult, ToolCallAction

__all__ = ["EpisodeActor", "Mirror", "Placement"]


@dataclass(frozen=True)
class Mirror:
    """What the front door keeps of its episode between calls (all of it plain, picklable data)."""

    step_count: int = 0
    total_reward: float = 0.0
    terminated: bool = False
    truncated: bool = False
    seed: int | None = None
    max_steps: int | None = None
    extra: dict[str, Any] = field(default_factory=dict[str, Any])
    """`Environment.state_extra()`."""
    board: Any = None
    view: Any = None
    """`board_view()` and `render_view()`, where the class has them."""


@dataclass(frozen=True)
class Placement:
    """Where an episode's actor runs."""

    node_id: str
    pid: int


class EpisodeActor:
    """The body of the Ray actor that holds one episode (decorated with `ray.remote` at use)."""

    def __init__(self, env_class: type[Environment], episode_id: str, owner: str | None, sandbox: Backend):
        self.env = _environment(env_class, sandbox)
        self.env.episode_id = episode_id
        self.owner = owner
        # Front doors may call one episode at once; its steps still run one at a time, as locally.
        self._lock = asyncio.Lock()
        self._closed = False

    def _open(self) -> None:
        # `ray.kill` after a close takes a moment: calls that arrive in between are answered, not run.
        if self._closed:
            raise EpisodeClosedError(f"episode {self.env.episode_id!r} was closed")

    async def reset(self, seed: int | None, options: dict[str, Any] | None) -> tuple[ResetResult, Mirror]:
        async with self._lock:
            self._open()
            first = await self.env.reset(seed=seed, options=options)
            return first, self.mirror()

    async def step(self, action: ToolCallAction | CodeAction) -> tuple[StepResult, Mirror]:
        async with self._lock:
            self._open()
            result = await self.env.step(action)
            return result, self.mirror()

    async def describe(self) -> tuple[str | None, Mirror]:
        """Whose episode this is, and where it stands (a front door adopting its handle asks)."""
        self._open()
        return self.owner, self.mirror()

    async def where(self) -> Placement:
        from openenv_mcp.ray import _ray

        return Placement(_ray.current_node(), os.getpid())

    async def close(self) -> None:
        """Free what the episode holds (its sandbox); the caller then ends the actor."""
        async with self._lock:
            if not self._closed:
                self._closed = True
                await self.env.close()

    def mirror(self) -> Mirror:
        env, cls = self.env, type(self.env)
        return Mirror(
            step_count=env.step_count,
            total_reward=env.total_reward,
            terminated=env.terminated,
            truncated=env.truncated,
            seed=env.seed,
            max_steps=env.max_steps,
            extra=env.state_extra(),
            board=env.board_view() if cls.has_board() else None,
            view=env.render_view() if cls.has_view() else None,
        )


def _environment(env_class: type[Environment], sandbox: Backend) -> Environment:
    """An instance as the server's factory makes it; a CodeAct one starts its sandboxes on this node."""
    if not issubclass(env_class, CodeActEnvironment):
        return env_class()
    specs, limits = env_class.code_tool_specs(), env_class.sandbox_limits
    # No warm pool: one actor is one episode, so its one sandbox starts with the episode.
    provider = SandboxProvider(
        specs, limits, factory=backend_factory(sandbox), pool_size=0, warmup=env_class.sandbox_warmup
    )
    return env_class(provider)
