"""The worker as a child process under every layer that needs no namespace: for containers.

Inside a container bubblewrap usually cannot make its namespaces (the engine's own seccomp
profile refuses them), and the container was the only boundary. This backend gives the code
the layers that work anyway: a dedicated unprivileged uid when the server is root (so the
container's root and its files are out of reach), the same seccomp filter (loaded by the
worker itself), Landlock rules that let it read only the runtime and write only its
workspace and a private temp folder, rlimits (per uid, so process counts hold), a fresh
keyring, no dumps, and where the host allows them a cgroup and a workspace quota. What it
lacks next to bubblewrap: no pid or network namespace (the container's network is off by
default), and the code sees the container's other processes in /proc.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from anyio.abc import Process

from openenv_mcp.sandbox.base import ToolSpec
from openenv_mcp.sandbox.bubblewrap import sandbox_python
from openenv_mcp.sandbox.confined import ConfinedSandbox
from openenv_mcp.sandbox.host import WORKER_PATH
from openenv_mcp.sandbox.limits import SandboxLimits

__all__ = ["ProcessSandbox", "process_factory"]

_RUNTIME = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/proc")
_DEVICES = ["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"]


@functools.cache
def _worker_folder() -> Path:
    """A root-owned, world-readable copy of the worker, wherever the package itself lies."""
    folder = Path(tempfile.mkdtemp(prefix="openenv-worker-"))
    for name in ("worker.py", "confine.py"):
        shutil.copyfile(WORKER_PATH.with_name(name), folder / name)
        (folder / name).chmod(0o644)
    folder.chmod(0o755)
    return folder


class ProcessSandbox(ConfinedSandbox):
    """A confined worker without namespaces; its workspace path is the same inside and out."""

    def __init__(self, tools: Sequence[ToolSpec], limits: SandboxLimits) -> None:
        super().__init__(tools, limits)
        self._python = sandbox_python(self.identity)
        self.tmp = Path(tempfile.mkdtemp(prefix="openenv-tmp-"))
        if self.identity.dedicated:
            os.chown(self.tmp, self.identity.uid, self.identity.gid)

    @property
    def code_workspace(self) -> str:
        return str(self.workspace)

    def config(self) -> dict[str, Any]:
        config = super().config()
        readable = [*_RUNTIME, str(_worker_folder()), os.path.realpath(self._python.parent.parent)]
        config["layers"] = {
            "required": ["keyring", "no_new_privs", "not_dumpable", "seccomp"],
            "landlock": {
                "readable": readable,
                "writable": [str(self.workspace), str(self.tmp)],
                "devices": _DEVICES,
            },
            "seccomp": self.seccomp_program.hex(),
        }
        return config

    def command(self, worker_args: list[str]) -> list[str]:
        worker = [str(self._python), "-I", "-S", str(_worker_folder() / "worker.py"), *worker_args]
        return [*self.identity.setpriv(), *worker]

    async def spawn(self, command: list[str], pass_fds: Sequence[int]) -> Process:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(self.workspace),
            "TMPDIR": str(self.tmp),
            "PYTHONDONTWRITEBYTECODE": "1",
            "LANG": "C.UTF-8",
        }
        return await self.launch(command, pass_fds=pass_fds, env=env, cwd=self.workspace)

    async def close(self) -> None:
        await super().close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def process_factory(tools: Sequence[ToolSpec], limits: SandboxLimits) -> ProcessSandbox:
    """A `SandboxFactory` for `ProcessSandbox`."""
    return ProcessSandbox(tools, limits)
