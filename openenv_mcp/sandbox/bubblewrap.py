"""The worker under bubblewrap, and every layer around it that bubblewrap does not give alone.

From the outside in: a cgroup (memory with tmpfs, shm and memfd pages counted, cpu, pids),
an unprivileged host uid of its own (never root, see identity.py), new user, pid, network,
ipc, uts and cgroup namespaces, a seccomp filter (seccomp.py), a read-only runtime with the
global knobs of ``/proc`` read-only or masked, size-limited ``/tmp`` and ``/dev/shm``, and a
workspace with a quota (quota.py). Inside, the worker adds a fresh keyring, Landlock and
no-dump (confine.py) before any code runs.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from anyio.abc import Process

from openenv_mcp.errors import SandboxUnavailableError
from openenv_mcp.sandbox.base import ToolSpec
from openenv_mcp.sandbox.confined import ConfinedSandbox
from openenv_mcp.sandbox.host import WORKER_PATH
from openenv_mcp.sandbox.identity import SandboxIdentity
from openenv_mcp.sandbox.limits import SandboxLimits
from openenv_mcp.sandbox.unsafe import base_python

__all__ = [
    "CONFINE_PATH",
    "SANDBOX_WORKER_PATH",
    "BubblewrapSandbox",
    "bubblewrap_factory",
    "find_bwrap",
    "sandbox_python",
]

logger = logging.getLogger(__name__)

SANDBOX_WORKER_PATH = "/opt/openenv/worker.py"
"""Where the worker program appears inside the sandbox."""
CONFINE_PATH = WORKER_PATH.with_name("confine.py")

_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/workspace", "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"}
_SYSTEM_DIRS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime")
_PROC_READ_ONLY = ("sys", "sysrq-trigger", "irq", "bus", "fs")
_PROC_MASKED = ("kcore", "keys", "key-users", "timer_list", "sched_debug", "latency_stats", "kallsyms")
_WRITABLE = ["/workspace", "/tmp", "/dev/shm"]
_DEVICES = ["/dev"]


def find_bwrap() -> str:
    """The bwrap binary's path; raise `SandboxUnavailableError` when it is missing."""
    found = shutil.which("bwrap") or ("/usr/bin/bwrap" if os.access("/usr/bin/bwrap", os.X_OK) else None)
    if found is None:
        raise SandboxUnavailableError("bubblewrap (bwrap) is not installed: apt-get install bubblewrap")
    return found


def _reachable_by_anyone(path: Path) -> bool:
    """Whether every folder above `path` lets others through and others may run it."""
    real = Path(os.path.realpath(path))
    try:
        folders_open = all(os.stat(parent).st_mode & stat.S_IXOTH for parent in real.parents)
        mode = os.stat(real).st_mode
    except OSError:
        return False
    return folders_open and bool(mode & stat.S_IXOTH) and bool(mode & stat.S_IROTH)


def sandbox_python(identity: SandboxIdentity) -> Path:
    """The interpreter the worker runs on: ours, unless the sandbox's uid cannot reach it.

    A server run by root from a private folder (``/root/.pyenv``, say) falls back on the
    system's ``/usr/bin/python3``; the worker needs only the standard library.
    """
    own = base_python()
    if not identity.dedicated or _reachable_by_anyone(own):
        return own
    system = Path("/usr/bin/python3")
    if _reachable_by_anyone(system):
        return system
    raise SandboxUnavailableError(
        f"the sandbox's unprivileged user cannot reach the interpreter {own} (a folder above it is "
        "private) and there is no /usr/bin/python3: install python3, or run from a readable folder"
    )


def _runtime_mounts(python: Path) -> list[str]:
    """Bind only what the interpreter needs: /usr, the runtime, a few /etc files."""
    args = ["--ro-bind", "/usr", "/usr"]
    for path in _SYSTEM_DIRS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for path in _ETC_FILES:
        if os.path.exists(path):
            args += ["--ro-bind", path, path]
    prefix = os.path.realpath(python.parent.parent)
    if not prefix.startswith("/usr"):
        args += ["--ro-bind", prefix, prefix]
    return args


def _proc_mounts() -> list[str]:
    """A /proc of the sandbox's own, with the host-wide knobs read-only and leaky files masked."""
    args = ["--proc", "/proc"]
    for name in _PROC_READ_ONLY:
        if os.path.exists(f"/proc/{name}"):
            args += ["--ro-bind", f"/proc/{name}", f"/proc/{name}"]
    for name in _PROC_MASKED:
        if os.path.isfile(f"/proc/{name}"):
            args += ["--ro-bind", "/dev/null", f"/proc/{name}"]
    return args


def _pipe_holding(data: bytes) -> int:
    """A pipe's read end with `data` already in it and the write end closed."""
    read_fd, write_fd = os.pipe()
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(write_fd, view) :]
    finally:
        os.close(write_fd)
    return read_fd


class BubblewrapSandbox(ConfinedSandbox):
    """A worker in a bubblewrap sandbox: no network, no host files but its workspace.

    Killing the outer bwrap process kills the sandbox's pid namespace, and with it every
    process the code started; the cgroup and the dedicated uid catch anything else.
    """

    def __init__(self, tools: Sequence[ToolSpec], limits: SandboxLimits) -> None:
        self._bwrap = find_bwrap()
        super().__init__(tools, limits)
        self._python = sandbox_python(self.identity)
        self._passed: list[int] = []

    def config(self) -> dict[str, Any]:
        config = super().config()
        config["layers"] = {
            "required": ["keyring", "no_new_privs", "not_dumpable"],
            "landlock": {"readable": ["/"], "writable": _WRITABLE, "devices": _DEVICES},
        }
        return config

    def command(self, worker_args: list[str]) -> list[str]:
        namespaces = ["--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent"]
        session = ["--new-session", "--clearenv", "--hostname", "sandbox", "--uid", "1000", "--gid", "1000"]
        env = [arg for key, value in _ENV.items() for arg in ("--setenv", key, value)]
        # Programs come in from descriptors, so no host path shows in /proc/1/cmdline.
        worker_fd = os.open(WORKER_PATH, os.O_RDONLY | os.O_CLOEXEC)
        confine_fd = os.open(CONFINE_PATH, os.O_RDONLY | os.O_CLOEXEC)
        seccomp_fd = _pipe_holding(self.seccomp_program)
        self._passed = [worker_fd, confine_fd, seccomp_fd]
        size = str(self.limits.tmp_bytes)
        mounts = [
            *_runtime_mounts(self._python),
            *["--ro-bind-data", str(worker_fd), SANDBOX_WORKER_PATH],
            *["--ro-bind-data", str(confine_fd), str(Path(SANDBOX_WORKER_PATH).with_name("confine.py"))],
            *_proc_mounts(),
            *["--dev", "/dev", "--size", size, "--tmpfs", "/dev/shm", "--size", size, "--tmpfs", "/tmp"],
            *["--bind", str(self.workspace), "/workspace", "--chdir", "/workspace"],
            *["--seccomp", str(seccomp_fd)],
        ]
        worker = [str(self._python), "-I", "-S", SANDBOX_WORKER_PATH, *worker_args]
        return [*self.identity.setpriv(), self._bwrap, *namespaces, *session, *env, *mounts, *worker]

    async def spawn(self, command: list[str], pass_fds: Sequence[int]) -> Process:
        # bwrap's own pid 1 keeps this environment, visible in /proc/1/environ: nothing of the host's.
        try:
            return await self.launch(command, pass_fds=(*pass_fds, *self._passed), env=_ENV, cwd="/")
        finally:
            for fd in self._passed:
                os.close(fd)
            self._passed = []


def bubblewrap_factory(tools: Sequence[ToolSpec], limits: SandboxLimits) -> BubblewrapSandbox:
    """A `SandboxFactory` for `BubblewrapSandbox`."""
    return BubblewrapSandbox(tools, limits)
