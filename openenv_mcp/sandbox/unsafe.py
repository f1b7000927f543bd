"""Run the worker as a plain child process, with no isolation: for development only."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import anyio
from anyio.abc import Process

from openenv_mcp.sandbox.base import ToolSpec
from openenv_mcp.sandbox.host import WORKER_PATH, WorkerSandbox
from openenv_mcp.sandbox.limits import SandboxLimits

__all__ = ["UnsafeProcessSandbox", "base_python", "unsafe_factory"]

logger = logging.getLogger(__name__)


def base_python() -> Path:
    """The interpreter of the base installation, outside any virtual environment."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidate = Path(sys.base_prefix) / "bin" / version
    return candidate if candidate.exists() else Path(sys.executable).resolve()


class UnsafeProcessSandbox(WorkerSandbox):
    """The worker under rlimits in its own session, but with the host's files and network.

    Chosen only by an explicit ``--sandbox none``; it is not a security boundary.
    """

    @property
    def code_workspace(self) -> str:
        return str(self.workspace)

    async def start(self) -> None:
        if not self.alive:
            logger.warning("UNSAFE: code runs without a sandbox (workspace %s)", self.workspace)
        await super().start()

    def command(self, worker_args: list[str]) -> list[str]:
        return [str(base_python()), "-I", "-S", str(WORKER_PATH), *worker_args]

    async def spawn(self, command: list[str], pass_fds: Sequence[int]) -> Process:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.workspace), "PYTHONDONTWRITEBYTECODE": "1"}
        env["LANG"] = "C.UTF-8"
        return await anyio.open_process(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=self.workspace,
            env=env,
            pass_fds=pass_fds,
            start_new_session=True,
        )

    async def kill(self, process: Process) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def unsafe_factory(tools: Sequence[ToolSpec], limits: SandboxLimits) -> UnsafeProcessSandbox:
    """A `SandboxFactory` for `UnsafeProcessSandbox`."""
    return UnsafeProcessSandbox(tools, limits)
