"""The sandbox interface: what runs model-written code, and what one run returns."""

from __future__ import annotations

import abc
import json
import pathlib
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
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
    """One tool call made by the code during an execution, its arguments in short form.

    Build records with `of`, which keeps each one to a few KiB whatever the call carried.
    """

    name: str
    arguments: dict[str, Any]
    ok: bool
    error: str | None = None

    @classmethod
    def of(cls, name: str, arguments: Mapping[str, Any], reply: ToolReply) -> ToolCallRecord:
        """The record of a call: long names, values and errors cut, at most 8 arguments shown.

        >>> call = {"path": "a.py", "content": "x" * 10**6}
        >>> record = ToolCallRecord.of("write_file", call, ToolReply(ok=True))
        >>> record.arguments["path"], record.arguments["content"][-27:]
        ('a.py', 'xxx… (1,000,000 characters)')
        """
        shown = {
            _clean(key[:_NAME_CHARS]): _short(value) for key, value in islice(arguments.items(), _ARGUMENTS)
        }
        if len(arguments) > _ARGUMENTS:
            shown["…"] = f"{len(arguments) - _ARGUMENTS:,} more arguments"
        error = None if reply.error is None else _clean(_cut(reply.error, _ERROR_CHARS))
        return cls(name=_clean(_cut(name, _NAME_CHARS)), arguments=shown, ok=reply.ok, error=error)


_NAME_CHARS = 64
_VALUE_CHARS = 120
_ERROR_CHARS = 400
_ARGUMENTS = 8
_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def _short(value: Any) -> Any:
    """`value` itself when its JSON is short, else the start of its text (JSON for non-strings)."""
    if isinstance(value, str):
        return _clean(_cut(value, _VALUE_CHARS))
    try:
        text = _clean("".join(_head(_ENCODER.iterencode(value), _VALUE_CHARS + 1))[: _VALUE_CHARS + 1])
    except (RecursionError, TypeError, ValueError):
        return f"<{type(value).__name__}>"
    return json.loads(text) if len(text) <= _VALUE_CHARS else f"{text[:_VALUE_CHARS]}… (truncated)"


def _head(parts: Iterable[str], size: int) -> Iterator[str]:
    """The first `parts` of a lazy encoding, up to the one that passes `size` characters."""
    length = 0
    for part in parts:
        yield part
        length += len(part)
        if length >= size:
            return


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else f"{text[:size]}… ({len(text):,} characters)"


def _clean(text: str) -> str:
    """`text` with lone surrogates (which JSON can carry and UTF-8 cannot) replaced."""
    return text.encode("utf-8", "replace").decode()


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
    """The first 100 tool calls the code made, each in short form (`ToolCallRecord.of`)."""
    tool_calls_omitted: int = 0
    """How many more tool calls the code made than `tool_calls` records."""
    duration_ms: float = 0.0
    output_limit: int = 0
    limits_hit: list[str] = []
    """Sandbox limits the code ran into during this execution (the workspace full, the process count)."""

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
        parts += [f"[sandbox limit reached: {limit}]" for limit in self.limits_hit]
        return "\n".join(parts)


class Sandbox(abc.ABC):
    """A persistent Python worker for one episode; state survives between executions."""

    workspace: pathlib.Path
    """Host path of the episode's writable workspace (``/workspace`` inside)."""

    @property
    def code_workspace(self) -> str:
        """The workspace's path as the code sees it: ``/workspace`` in a namespace, else the host path."""
        return "/workspace"

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
