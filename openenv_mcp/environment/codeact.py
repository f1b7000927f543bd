"""CodeAct: environments whose agents act by writing Python, run in the episode's sandbox.

A `CodeActEnvironment` gets a persistent sandboxed worker per episode (a fresh one on every
reset). A `CodeAction` runs there, with the environment's inner tools as plain functions
in the code's namespace: each call comes back over the worker's channel and runs through
`call_tool`, the same dispatch as any other tool call, inside the step of the code action.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any, ClassVar, get_type_hints

import anyio
from pydantic import BaseModel, ConfigDict, Field

from openenv_mcp.environment.base import Environment
from openenv_mcp.environment.tools import InnerTool
from openenv_mcp.errors import (
    ActionError,
    InvalidOptionsError,
    OpenEnvError,
    SandboxError,
    SandboxKilledError,
)
from openenv_mcp.sandbox import ExecResult, Sandbox, SandboxLimits, ToolReply, ToolSpec
from openenv_mcp.sandbox.provider import SandboxProvider
from openenv_mcp.spec import CodeAction, StepResult, ToolCallAction
from openenv_mcp.spec.data import jsonable

__all__ = ["CANCELLED_NOTE", "CodeActEnvironment", "CodeActOptions", "CodeObservation"]

logger = logging.getLogger(__name__)

CANCELLED_NOTE = (
    "[the previous step was cancelled: its sandboxed code was stopped, and the interpreter "
    "started afresh (variables and imports are lost; files in /workspace are kept)]"
)
"""What the first code run after a cancelled step tells the agent, on stderr."""


class CodeActOptions(BaseModel):
    """Reset options every CodeAct environment accepts; subclass it to add your own."""

    model_config = ConfigDict(extra="forbid")

    sandbox: dict[str, Any] = Field(
        default_factory=dict,
        description="Lower sandbox limits for this episode (wall_seconds, memory_bytes, cpu_seconds, "
        "max_processes, file_size_bytes, open_files, output_bytes); never above the server's.",
    )


class CodeObservation(ExecResult):
    """What a code action produced: output, the last expression's value, the exception, the tool calls."""

    def to_text(self) -> str:
        return self.render() or "(no output)"


class CodeActEnvironment(Environment, abstract=True):
    """An environment that accepts `CodeAction`s, run in a sandbox per episode."""

    options_model: ClassVar[type[BaseModel] | None] = CodeActOptions
    sandbox_limits: ClassVar[SandboxLimits] = SandboxLimits()
    """Default limits, and the maximums an episode may ask for."""
    tools_in_code: ClassVar[frozenset[str] | None] = None
    """Inner tools callable from code (None: all of them)."""
    sandbox_warmup: ClassVar[str] = ""
    """Code a warm sandbox runs before it waits in the pool (the imports the environment's own
    programs need), so that an episode's first step, or a grader's, does not pay for them."""

    def __init__(self, provider: SandboxProvider | None = None) -> None:
        super().__init__()
        self.sandbox_provider = provider
        self.sandbox: Sandbox | None = None
        self.limits = self.sandbox_limits
        self.code_tool_calls = 0
        self.interrupted = False
        """A step was cancelled and its worker stopped; the next code run says so."""

    @classmethod
    def code_tool_specs(cls) -> list[ToolSpec]:
        """The inner tools as the code sees them: plain functions with signatures and docstrings."""
        names = cls.tools_in_code
        return [_spec(cls, t) for t in cls.inner_tools.values() if names is None or t.name in names]

    async def begin_episode(self, options: Any) -> None:
        requested: dict[str, Any] = getattr(options, "sandbox", None) or {}
        try:
            limits = self.sandbox_limits.clamp(requested)
        except SandboxError as exc:
            raise InvalidOptionsError(str(exc)) from exc
        await self._drop_sandbox()
        provider = self.sandbox_provider or SandboxProvider(
            self.code_tool_specs(), self.sandbox_limits, pool_size=0
        )
        self.sandbox_provider = provider
        self.sandbox = await provider.acquire(limits)
        self.limits = limits
        self.code_tool_calls = 0
        self.interrupted = False

    async def step(self, action: ToolCallAction | CodeAction) -> StepResult:
        """One step; a cancelled one (a client's cancel, a read timeout) stops its sandboxed work.

        The sandbox kills a worker whose execution is cancelled (its code must not run on,
        busy); the step leaves no record, and the next code run names what was lost.
        """
        try:
            return await super().step(action)
        except anyio.get_cancelled_exc_class():
            self.interrupted = self.sandbox is not None and not self.sandbox.alive
            raise

    async def run_code(self, code: str) -> CodeObservation:
        sandbox = self.sandbox
        if sandbox is None:
            raise ActionError("the episode has no sandbox; call reset first")
        result = await sandbox.execute(
            code, tools=self._tool_from_code, wall_seconds=self.limits.wall_seconds
        )
        observation = CodeObservation.model_validate(result.model_dump())
        if self.interrupted:
            self.interrupted = False
            observation.stderr = f"{CANCELLED_NOTE}\n{observation.stderr}"
        if observation.killed is not None:
            raise SandboxKilledError(observation.to_text())
        self.step_info["tool_calls"] = len(observation.tool_calls) + observation.tool_calls_omitted
        return observation

    async def on_close(self) -> None:
        await self._drop_sandbox()

    async def _tool_from_code(self, name: str, arguments: dict[str, Any]) -> ToolReply:
        if self.tools_in_code is not None and name not in self.tools_in_code:
            return ToolReply(ok=False, error=f"tool {name!r} cannot be called from code")
        if self.terminated or self.truncated:
            return ToolReply(ok=False, error="the episode has ended; no more tool calls")
        self.code_tool_calls += 1
        try:
            value = await self.call_tool(ToolCallAction(tool_name=name, parameters=arguments))
        except OpenEnvError as exc:
            return ToolReply(ok=False, error=str(exc))
        except Exception as exc:
            logger.exception("tool %r failed when called from code", name)
            return ToolReply(ok=False, error=f"{type(exc).__name__}: {exc}")
        return ToolReply(ok=True, value=jsonable(value))

    async def _drop_sandbox(self) -> None:
        sandbox, self.sandbox = self.sandbox, None
        if sandbox is not None:
            await sandbox.close()


def _spec(cls: type[Environment], tool: InnerTool) -> ToolSpec:
    method = getattr(cls, tool.method_name)
    return ToolSpec(
        name=tool.name,
        description=tool.definition.description,
        parameters=list(tool.arguments_model.model_fields),
        signature=_signature(method),
    )


def _signature(method: Any) -> str:
    """A readable signature without `self`, e.g. ``(column: int) -> BoardView``."""
    hints = get_type_hints(method)
    shown: list[str] = []
    for param in list(inspect.signature(method).parameters.values())[1:]:
        text = f"{param.name}: {_type_name(hints.get(param.name, Any))}"
        shown.append(text if param.default is param.empty else f"{text} = {param.default!r}")
    return f"({', '.join(shown)}) -> {_type_name(hints.get('return', Any))}"


def _type_name(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__qualname__
    return str(annotation).replace("typing.", "")
