"""The worker under bubblewrap: new user, pid, network, ipc and uts namespaces, read-only runtime."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import anyio
from anyio.abc import Process

from openenv_mcp.errors import SandboxUnavailableError
from openenv_mcp.sandbox.base import ToolSpec
from openenv_mcp.sandbox.cgroup import PidsCgroup
from openenv_mcp.sandbox.host import WORKER_PATH, WorkerSandbox
from openenv_mcp.sandbox.limits import SandboxLimits
from openenv_mcp.sandbox.unsafe import base_python

__all__ = ["SANDBOX_WORKER_PATH", "BubblewrapSandbox", "bubblewrap_factory", "find_bwrap"]

logger = logging.getLogger(__name__)

SANDBOX_WORKER_PATH = "/opt/openenv/worker.py"
"""Where the worker program appears inside the sandbox."""

_TMP_BYTES = 64 * 1024 * 1024
_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/workspace", "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"}
_SYSTEM_DIRS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime")


def find_bwrap() -> str:
    """The bwrap binary's path; raise `SandboxUnavailableError` when it is missing."""
    found = shutil.which("bwrap") or ("/usr/bin/bwrap" if os.access("/usr/bin/bwrap", os.X_OK) else None)
    if found is None:
        raise SandboxUnavailableError("bubblewrap (bwrap) is not installed: apt-get install bubblewrap")
    return found


def _mounts(worker_fd: int, workspace: Path) -> list[str]:
    """Bind only what the interpreter needs: /usr, the runtime, a few /etc files, the worker."""
    args = ["--ro-bind", "/usr", "/usr"]
    for path in _SYSTEM_DIRS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for path in _ETC_FILES:
        if os.path.exists(path):
            args += ["--ro-bind", path, path]
    prefix = os.path.realpath(sys.base_prefix)
    if not prefix.startswith("/usr/"):
        args += ["--ro-bind", prefix, prefix]
    args += ["--ro-bind-data", str(worker_fd), SANDBOX_WORKER_PATH]
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(_TMP_BYTES), "--tmpfs", "/tmp"]
    return [*args, "--bind", str(workspace), "/workspace", "--chdir", "/workspace"]


class BubblewrapSandbox(WorkerSandbox):
    """A worker in a bubblewrap sandbox: no network, no host files but its workspace.

    Killing the outer bwrap process kills the sandbox's pid namespace, and with it every
    process the code started.
    """

    def __init__(self, tools: Sequence[ToolSpec], limits: SandboxLimits) -> None:
        self._bwrap = find_bwrap()
        super().__init__(tools, limits)
        self._cgroup: PidsCgroup | None = None
        self._errors: IO[bytes] | None = None
        self._worker_fd = -1

    def command(self, worker_args: list[str]) -> list[str]:
        namespaces = ["--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent"]
        session = ["--new-session", "--clearenv", "--hostname", "sandbox", "--uid", "1000", "--gid", "1000"]
        env = [arg for key, value in _ENV.items() for arg in ("--setenv", key, value)]
        # The worker is copied in from a descriptor, so no host path shows in /proc/1/cmdline.
        self._worker_fd = os.open(WORKER_PATH, os.O_RDONLY | os.O_CLOEXEC)
        mounts = _mounts(self._worker_fd, self.workspace)
        worker = [str(base_python()), "-I", "-S", SANDBOX_WORKER_PATH, *worker_args]
        return [self._bwrap, *namespaces, *session, *env, *mounts, *worker]

    async def spawn(self, command: list[str], pass_fds: Sequence[int]) -> Process:
        if os.geteuid() == 0:
            command = self._join_cgroup(command)
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed in cleanup)
        try:
            return await anyio.open_process(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._errors,
                env=_ENV,  # bwrap's own pid 1 keeps this environment, visible in /proc/1/environ
                cwd="/",
                pass_fds=(*pass_fds, self._worker_fd),
                start_new_session=True,
            )
        finally:
            os.close(self._worker_fd)

    def diagnostics(self) -> str:
        if self._errors is None:
            return ""
        self._errors.seek(0)
        return self._errors.read(4096).decode(errors="replace").strip()

    def _join_cgroup(self, command: list[str]) -> list[str]:
        """Start bwrap inside a fresh pids cgroup, since root's processes escape RLIMIT_NPROC."""
        self._cgroup = PidsCgroup.create(self.marker, self.limits.max_processes + 2)
        if self._cgroup is None:
            logger.warning("no writable pids cgroup: running as root, the process limit is not enforced")
            return command
        return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(self._cgroup.procs_file), *command]

    async def kill(self, process: Process) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        if self._cgroup is not None:
            self._cgroup.kill_all()

    async def cleanup(self) -> None:
        if self._errors is not None:
            self._errors.close()
            self._errors = None
        cgroup, self._cgroup = self._cgroup, None
        if cgroup is None:
            return
        cgroup.kill_all()
        with anyio.move_on_after(5):
            while not cgroup.remove():  # noqa: ASYNC110 (the kernel offers no event for this)
                await anyio.sleep(0.01)


def bubblewrap_factory(tools: Sequence[ToolSpec], limits: SandboxLimits) -> BubblewrapSandbox:
    """A `SandboxFactory` for `BubblewrapSandbox`."""
    return BubblewrapSandbox(tools, limits)
