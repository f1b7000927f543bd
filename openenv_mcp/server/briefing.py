"""An environment's briefing without an episode: the first observation for a seed and options.

Prompts show it. It comes from an instance of the environment reset and closed at once,
outside the registry (so it holds no capacity and leaves no episode). A CodeAct environment
gets a sandbox that is only a workspace folder, since its reset writes the task's files and
starts no code; one whose reset does run code gets a real sandbox instead.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

from openenv_mcp.environment import CodeActEnvironment, Environment
from openenv_mcp.errors import SandboxError
from openenv_mcp.sandbox import ExecResult, Sandbox, SandboxLimits, ToolHandler, ToolSpec
from openenv_mcp.sandbox.provider import SandboxProvider

__all__ = ["Briefing", "briefing"]


@dataclass(frozen=True)
class Briefing:
    """A first observation, and the seed that gives it."""

    observation: Any
    seed: int | None


class _FolderSandbox(Sandbox):
    """A workspace and nothing else: it runs no code."""

    def __init__(self) -> None:
        self.workspace = Path(tempfile.mkdtemp(prefix="openenv-briefing-"))

    @property
    def pid(self) -> int | None:
        return None

    @property
    def alive(self) -> bool:
        return False

    async def start(self) -> None:
        raise SandboxError("a briefing's sandbox runs no code")

    async def execute(
        self, code: str, *, tools: ToolHandler | None = None, wall_seconds: float | None = None
    ) -> ExecResult:
        raise SandboxError("a briefing's sandbox runs no code")

    async def close(self) -> None:
        shutil.rmtree(self.workspace, ignore_errors=True)


class _FolderProvider(SandboxProvider):
    def __init__(self, tools: Sequence[ToolSpec], limits: SandboxLimits) -> None:
        super().__init__(tools, limits, pool_size=0)

    async def acquire(self, limits: SandboxLimits | None = None) -> Sandbox:
        return _FolderSandbox()


async def briefing(
    env_class: type[Environment],
    factory: Callable[[], Environment],
    seed: int | None,
    options: dict[str, Any] | None,
) -> Briefing:
    """The first observation of an episode of `env_class` with `seed` and `options`.

    `factory` makes the environment as episodes get it, for a CodeAct reset that runs code.
    Raises what `reset` raises for bad options (`InvalidOptionsError`).
    """
    if issubclass(env_class, CodeActEnvironment):
        provider = _FolderProvider(env_class.code_tool_specs(), env_class.sandbox_limits)
        try:
            return await _reset(env_class(provider), seed, options)
        except SandboxError:
            pass  # its reset runs code: only a real sandbox will do
    return await _reset(factory(), seed, options)


async def _reset(env: Environment, seed: int | None, options: dict[str, Any] | None) -> Briefing:
    try:
        first = await env.reset(seed=seed, options=options)
        return Briefing(first.observation, env.seed)
    finally:
        with anyio.CancelScope(shield=True):
            await env.close()
