"""The sandbox interface: what runs model-written code, and what one run returns."""

from __future__ import annotations

import abc
import pathlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from openenv_mcp.sandbox.limits import SandboxLimits

__all__ = [
    "ExecError",
    "ExecResult",
    "Sandbox",
    "SandboxFactory",
    "ToolCallRecord",
    "ToolHandler",
    "ToolReply",
    "ToolSpec",
]


@dataclass(frozen=True)
class ToolSpec:
    """A host tool exposed as a plain function inside the code's namespace.

    Attributes:
        name: the function name inside the sandbox.
        description: becomes the function's docstring.
        parameters: argument names, in order.
        signature: the signature for display, like ``"(message: str) -> str"``.
    """

    name: str
    description: str
    parameters: list[str]
    signature: str


@dataclass(frozen=True)
class ToolReply:
    """The host's answer to one tool call from the sandboxed code."""

    ok: bool
    value: Any = None
    error: str | None = None


ToolHandler = Callable[[str, dict[str, Any]], Awaitable[ToolReply]]
"""Called with a tool name and its arguments when the code calls a tool."""


class ToolCallRecord(BaseModel):
    """One tool call made by the code during an execution."""

    name: str
    arguments: dict[str, Any]
    ok: bool
    error: str | None = None


class ExecError(BaseModel):
    """An exception raised by the code; the traceback names only sandbox paths."""

    type: str
    message: str
    traceback: str


class ExecResult(BaseModel):
    """What one execution of code produced."""

    stdout: str = ""
    stderr: str = ""
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    value: str | None = None
    error: ExecError | None = None
    timed_out: bool = False
    killed: str | None = None
    tool_calls: list[ToolCallRecord] = []
    duration_ms: float = 0.0
    output_limit: int = 0

    def render(self) -> str:
        """A compact observation text for the agent.

        >>> ExecResult(stdout="hi\\n", value="3").render()
        'hi\\n3'
        """
        parts: list[str] = []
        for text, truncated in ((self.stdout, self.stdout_truncated), (self.stderr, self.stderr_truncated)):
            if text or truncated:
                marker = f"\n[... output truncated at {self.output_limit} bytes ...]" if truncated else ""
                parts.append(text.rstrip("\n") + marker)
        if self.value is not None:
            parts.append(self.value)
        if self.error is not None:
            parts.append(self.error.traceback.rstrip("\n"))
        if self.killed is not None:
            parts.append(f"[sandbox killed: {self.killed}]")
        return "\n".join(parts)


class Sandbox(abc.ABC):
    """A persistent Python worker for one episode; state survives between executions."""

    workspace: pathlib.Path
    """Host path of the episode's writable workspace (``/workspace`` inside)."""

    @property
    @abc.abstractmethod
    def pid(self) -> int | None:
        """Host pid of the sandbox's top process, or None when none runs."""

    @property
    @abc.abstractmethod
    def alive(self) -> bool:
        """Whether a worker is running now."""

    @abc.abstractmethod
    async def start(self) -> None:
        """Start the worker and wait until it is ready for code."""

    @abc.abstractmethod
    async def execute(
        self, code: str, *, tools: ToolHandler | None = None, wall_seconds: float | None = None
    ) -> ExecResult:
        """Run `code` in the persistent namespace; a dead worker is replaced first."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Kill every process of the sandbox and remove its workspace; idempotent."""


class SandboxFactory(Protocol):
    """Builds an unstarted sandbox exposing `tools`, under `limits`."""

    def __call__(self, tools: Sequence[ToolSpec], limits: SandboxLimits) -> Sandbox: ...
