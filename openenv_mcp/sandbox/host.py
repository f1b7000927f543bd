"""The host side of a worker sandbox: spawn, run code, kill; backends supply the command."""

from __future__ import annotations

import abc
import contextlib
import json
import logging
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import anyio
from anyio.abc import Process
from pydantic import BaseModel, ConfigDict, ValidationError

from openenv_mcp.errors import SandboxError
from openenv_mcp.sandbox.base import (
    ExecError,
    ExecResult,
    Sandbox,
    ToolCallRecord,
    ToolHandler,
    ToolReply,
    ToolSpec,
)
from openenv_mcp.sandbox.channel import Channel, ChannelClosedError, MalformedMessageError
from openenv_mcp.sandbox.limits import SandboxLimits

__all__ = ["WORKER_PATH", "WorkerSandbox", "max_message"]

logger = logging.getLogger(__name__)

WORKER_PATH = Path(__file__).with_name("worker.py")
"""Host path of the worker program."""

_START_SECONDS = 30.0
_MiB = 1024 * 1024
_RECORDED_CALLS = 100
_ERROR_TYPE_BYTES = 256


def max_message(limits: SandboxLimits) -> int:
    """The longest line the host reads from a worker under `limits`, in bytes.

    Room for a tool call carrying a 1 MiB text (at most 3 MiB as an ASCII-escaped JSON string),
    and for a `done` whose capped texts are escaped at worst: stdout and stderr up to
    `output_bytes` bytes each, 6 JSON bytes per byte (``\\u0001``); the value up to
    `output_bytes` characters, 12 bytes each (an astral character as two escapes); the
    error's message and traceback up to a quarter of that each. The worker refuses a tool
    call longer than this itself, as a `ToolError` the code can catch.

    >>> max_message(SandboxLimits()) / 1024 / 1024
    6.0
    """
    return 4 * _MiB + 32 * limits.output_bytes


class WorkerSandbox(Sandbox):
    """A sandbox whose worker is one child process spoken to over a pipe pair."""

    def __init__(self, tools: Sequence[ToolSpec], limits: SandboxLimits) -> None:
        self.tools = list(tools)
        self.limits = limits
        # The server's pid in the name lets a later server remove what a killed one left behind.
        self.marker = f"openenv-sandbox-{os.getpid()}-{os.urandom(6).hex()}"
        self.workspace = Path(tempfile.mkdtemp(prefix="openenv-ws-"))
        self._process: Process | None = None
        self.applied_layers: dict[str, Any] = {}
        """What the worker says it put on itself at its last start (see confine.py): its word only."""
        self._executions = 0
        """Executions sent to this worker; each message names the one it answers."""
        self._channel: Channel | None = None
        self._started = False
        self._closed = False

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.returncode is None

    @abc.abstractmethod
    def command(self, worker_args: list[str]) -> list[str]:
        """The command line that starts the worker with `worker_args` appended."""

    @abc.abstractmethod
    async def spawn(self, command: list[str], pass_fds: Sequence[int]) -> Process:
        """Start `command` with the channel descriptors `pass_fds` inherited."""

    async def cleanup(self) -> None:
        """Release backend resources after the worker died; called after every kill."""

    def diagnostics(self) -> str:
        """What the backend said while starting, for an error message."""
        return ""

    async def kill(self, process: Process) -> None:
        """Kill the worker and everything it started."""
        _signal(process.pid, signal.SIGKILL)

    def config(self) -> dict[str, Any]:
        """What the worker needs to know: limits, tools, output cap."""
        return {
            "limits": self.limits.model_dump(exclude={"wall_seconds", "output_bytes"}),
            "tools": [vars(spec) for spec in self.tools],
            "output_bytes": self.limits.output_bytes,
            "max_message": max_message(self.limits),
        }

    async def start(self) -> None:
        if self._closed:
            raise SandboxError("the sandbox is closed")
        if self.alive:
            return
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        args = [str(to_worker_r), str(from_worker_w), json.dumps(self.config()), self.marker]
        try:
            self._process = await self.spawn(self.command(args), (to_worker_r, from_worker_w))
        except BaseException:
            os.close(from_worker_r)
            os.close(to_worker_w)
            with anyio.CancelScope(shield=True):
                await self.cleanup()  # what the backend made for this start (a cgroup) goes too
            raise
        finally:
            os.close(to_worker_r)
            os.close(from_worker_w)
        self._channel = Channel(from_worker_r, to_worker_w, max_message(self.limits))
        try:
            with anyio.fail_after(_START_SECONDS):
                ready = await self._channel.receive()
        except (ChannelClosedError, TimeoutError) as exc:
            detail = self.diagnostics()
            ended = await self._stop(grace=0.5)
            raise SandboxError(f"the sandbox worker failed to start ({exc}; {ended}): {detail}") from None
        if ready.get("op") != "ready":
            await self._stop()
            raise SandboxError("the sandbox worker did not say ready")
        layers = ready.get("layers")
        self.applied_layers = dict(cast("dict[str, Any]", layers)) if isinstance(layers, dict) else {}
        self._started = True

    async def execute(
        self, code: str, *, tools: ToolHandler | None = None, wall_seconds: float | None = None
    ) -> ExecResult:
        wall = self.limits.wall_seconds if wall_seconds is None else wall_seconds
        if wall > self.limits.wall_seconds:
            raise SandboxError(f"wall_seconds={wall} exceeds the maximum of {self.limits.wall_seconds}")
        if not self.alive:
            await self.start()
        began = time.perf_counter()
        calls = _Calls()
        result: ExecResult | None = None
        killed: str | None = None
        try:
            with anyio.move_on_after(wall):
                try:
                    result = await self._exchange(code, tools, calls)
                except MalformedMessageError as exc:
                    with anyio.CancelScope(shield=True):
                        await self._stop()
                    killed = f"{exc}; the worker was killed and its state is lost"
                except ChannelClosedError as exc:
                    with anyio.CancelScope(shield=True):
                        killed = await self._stop(str(exc), grace=0.5)
        except anyio.get_cancelled_exc_class():
            # Cancelled from outside (a client's cancel, a read timeout): the code must not run
            # on, busy, and its late answer must not meet the next execution.
            with anyio.CancelScope(shield=True):
                await self._stop()
            raise
        timed_out = result is None and killed is None
        if timed_out:
            with anyio.CancelScope(shield=True):
                await self._stop()
            killed = (
                f"wall-clock limit of {float(wall)} s exceeded; the worker was killed and its state is lost"
            )
        if result is None:
            result = ExecResult(timed_out=timed_out, killed=killed)
        result.tool_calls, result.tool_calls_omitted = calls.records, calls.omitted
        result.duration_ms = (time.perf_counter() - began) * 1000
        result.output_limit = self.limits.output_bytes
        return result

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with anyio.CancelScope(shield=True):
            await self._stop()
        shutil.rmtree(self.workspace, ignore_errors=True)

    def describe_exit(self, returncode: int | None) -> str:
        """Why a worker that ended by itself ended, for the execution's `killed`."""
        return _describe_exit(returncode, self.limits)

    async def _exchange(self, code: str, tools: ToolHandler | None, calls: _Calls) -> ExecResult:
        """Run `code`, answering its tool calls; whatever the worker sends is checked and capped."""
        assert self._channel is not None
        self._executions += 1
        await self._channel.send({"op": "exec", "id": self._executions, "code": code})
        while True:
            message = await self._channel.receive()
            op = message.get("op")
            if op not in ("done", "tool"):
                raise MalformedMessageError(f"an unknown op {repr(op)[:40]}")
            if message.get("id") != self._executions:
                # What a forged `done` left behind: the real answer to an execution already over.
                raise MalformedMessageError("a message that belongs to no running execution")
            if op == "done":
                return _result(message, self.limits.output_bytes)
            name, arguments = message.get("name"), message.get("arguments")
            if not isinstance(name, str) or not isinstance(arguments, dict):
                raise MalformedMessageError("a tool call without a name and arguments")
            reply = await _call_tool(tools, name, cast("dict[str, Any]", arguments), calls)
            await self._channel.send(
                {"op": "reply", "ok": reply.ok, "value": reply.value, "error": reply.error}
            )

    async def _stop(self, reason: str = "", *, grace: float = 0.0) -> str:
        """Kill the worker, after `grace` seconds to exit by itself; describe how it ended."""
        process, self._process = self._process, None
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if process is None:
            return reason
        exited_by_itself = process.returncode is not None
        if not exited_by_itself and grace:
            with anyio.move_on_after(grace):
                await process.wait()
            exited_by_itself = process.returncode is not None
        if not exited_by_itself:
            await self.kill(process)
        with anyio.move_on_after(5):
            await process.wait()
        await self.cleanup()
        await process.aclose()
        return self.describe_exit(process.returncode) if exited_by_itself else reason


class _Calls:
    """The tool calls of one execution: the first `_RECORDED_CALLS` recorded, the rest counted."""

    def __init__(self) -> None:
        self.records: list[ToolCallRecord] = []
        self.omitted = 0

    def add(self, name: str, arguments: dict[str, Any], reply: ToolReply) -> None:
        if len(self.records) < _RECORDED_CALLS:
            self.records.append(ToolCallRecord.of(name, arguments, reply))
        else:
            self.omitted += 1


async def _call_tool(
    tools: ToolHandler | None, name: str, arguments: dict[str, Any], calls: _Calls
) -> ToolReply:
    if tools is None:
        reply = ToolReply(ok=False, error=f"no tool handler is attached; cannot call {name}")
    else:
        try:
            reply = await tools(name, arguments)
        except Exception as exc:  # a failing host tool is an observation, not a crash
            logger.exception("sandbox tool %s failed", name)
            reply = ToolReply(ok=False, error=f"{type(exc).__name__}: {exc}")
    calls.add(name, arguments, reply)
    try:
        json.dumps(reply.value)
    except (TypeError, ValueError):
        reply = ToolReply(ok=True, value=repr(reply.value)) if reply.ok else reply
    return reply


class _Error(BaseModel):
    model_config = ConfigDict(strict=True)

    type: str
    message: str
    traceback: str


class _Done(BaseModel):
    """A `done` message as the worker sends it; other keys are ignored."""

    model_config = ConfigDict(strict=True)

    stdout: str
    stderr: str
    stdout_truncated: bool
    stderr_truncated: bool
    value: str | None
    error: _Error | None


def _result(message: dict[str, Any], limit: int) -> ExecResult:
    """The result a `done` message gives, every text cut to `limit` UTF-8 bytes here again."""
    try:
        done = _Done.model_validate(message)
    except ValidationError as exc:
        problem = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise MalformedMessageError(f"done.{where}: {problem['msg']}") from None
    stdout, stdout_cut = _cap(done.stdout, limit)
    stderr, stderr_cut = _cap(done.stderr, limit)
    error = None
    if done.error is not None:
        traceback, traceback_cut = _cap(done.error.traceback, limit)
        error = ExecError(
            type=_cap(done.error.type, _ERROR_TYPE_BYTES)[0],
            message=_cap(done.error.message, limit)[0],
            traceback=traceback
            + (f"\n[... traceback truncated at {limit} bytes ...]" if traceback_cut else ""),
        )
    return ExecResult(
        stdout=stdout,
        stderr=stderr,
        stdout_truncated=done.stdout_truncated or stdout_cut,
        stderr_truncated=done.stderr_truncated or stderr_cut,
        value=None if done.value is None else _cap(done.value, limit)[0],
        error=error,
    )


def _cap(text: str, limit: int) -> tuple[str, bool]:
    """`text` cut to `limit` UTF-8 bytes on a character boundary, lone surrogates replaced; cut or not.

    >>> _cap("héllo", 2)
    ('h', True)
    """
    data = text.encode("utf-8", "replace")
    return data[:limit].decode("utf-8", "ignore"), len(data) > limit


def _describe_exit(returncode: int | None, limits: SandboxLimits) -> str:
    if returncode is None:
        return "worker exited"
    signum = -returncode if returncode < 0 else returncode - 128 if returncode > 128 else 0
    if signum == signal.SIGXCPU:
        return f"CPU time limit of {limits.cpu_seconds} s exceeded; the worker's state is lost"
    if signum == signal.SIGKILL:
        return "worker killed by SIGKILL (memory limit?); its state is lost"
    if signum in signal.valid_signals():
        return f"worker exited on {signal.Signals(signum).name}; its state is lost"
    return f"worker exited with status {returncode}; its state is lost"


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)
