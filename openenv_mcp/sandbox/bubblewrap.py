"""The worker under bubblewrap, and every layer around it that bubblewrap does not give alone.

From the outside in: a cgroup (memory with tmpfs, shm and memfd pages counted, cpu, pids),
an unprivileged host uid of its own (never root, see identity.py), new user, pid, network,
ipc, uts and cgroup namespaces, a seccomp filter (seccomp.py), a read-only runtime with the
global knobs of ``/proc`` read-only or masked, size-limited ``/tmp`` and ``/dev/shm``, and a
workspace with a quota (quota.py). Inside, the worker adds a fresh keyring, Landlock and
no-dump (confine.py) before any code runs.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import stat
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio
from anyio.abc import Process

from openenv_mcp.errors import SandboxUnavailableError
from openenv_mcp.sandbox.base import ToolSpec
from openenv_mcp.sandbox.cgroup import CgroupLimits, SandboxCgroup
from openenv_mcp.sandbox.host import WORKER_PATH, WorkerSandbox
from openenv_mcp.sandbox.identity import SandboxIdentity
from openenv_mcp.sandbox.limits import SandboxLimits
from openenv_mcp.sandbox.quota import WorkspaceQuota
from openenv_mcp.sandbox.seccomp import compiled_filter
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
_JOIN_CGROUPS = (
    'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"'
)
"""sh -c: write our pid into each of N cgroup.procs files, then become the command."""
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


class BubblewrapSandbox(WorkerSandbox):
    """A worker in a bubblewrap sandbox: no network, no host files but its workspace.

    Killing the outer bwrap process kills the sandbox's pid namespace, and with it every
    process the code started; the cgroup catches anything else.
    """

    def __init__(self, tools: Sequence[ToolSpec], limits: SandboxLimits) -> None:
        self._bwrap = find_bwrap()
        self.identity = SandboxIdentity.allocate()
        self._python = sandbox_python(self.identity)
        self._seccomp = compiled_filter()
        super().__init__(tools, limits)
        self._quota = WorkspaceQuota.mount(
            self.workspace,
            size=limits.workspace_bytes,
            files=limits.workspace_files,
            uid=self.identity.uid,
            gid=self.identity.gid,
        )
        if self._quota is None and self.identity.dedicated:
            os.chown(self.workspace, self.identity.uid, self.identity.gid)
        self._cgroup: SandboxCgroup | None = None
        self._oom_kills = 0
        self._errors = -1
        self._passed: list[int] = []

    @property
    def quota(self) -> bool:
        """Whether the workspace has a size and file-count quota."""
        return self._quota is not None

    @property
    def cgroup(self) -> SandboxCgroup | None:
        """The running worker's cgroup, if the host gives one."""
        return self._cgroup

    def config(self) -> dict[str, Any]:
        config = super().config()
        config["layers"] = {
            "required": ["keyring", "no_new_privs", "not_dumpable"],
            "landlock": {"writable": _WRITABLE, "devices": _DEVICES},
        }
        return config

    def command(self, worker_args: list[str]) -> list[str]:
        namespaces = ["--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent"]
        session = ["--new-session", "--clearenv", "--hostname", "sandbox", "--uid", "1000", "--gid", "1000"]
        env = [arg for key, value in _ENV.items() for arg in ("--setenv", key, value)]
        # Programs come in from descriptors, so no host path shows in /proc/1/cmdline.
        worker_fd = os.open(WORKER_PATH, os.O_RDONLY | os.O_CLOEXEC)
        confine_fd = os.open(CONFINE_PATH, os.O_RDONLY | os.O_CLOEXEC)
        seccomp_fd = _pipe_holding(self._seccomp)
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
        command = self._join_cgroup(command)
        errors_read, errors_write = os.pipe()
        os.set_blocking(errors_read, False)
        self._errors = errors_read
        try:
            return await anyio.open_process(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors_write,
                env=_ENV,  # bwrap's own pid 1 keeps this environment, visible in /proc/1/environ
                cwd="/",
                pass_fds=(*pass_fds, *self._passed),
                start_new_session=True,
            )
        finally:
            os.close(errors_write)
            for fd in self._passed:
                os.close(fd)
            self._passed = []

    async def start(self) -> None:
        await super().start()
        # bwrap's stderr stays open in the sandbox's init: with no reader left, it reaches nothing.
        self._close_errors()

    def diagnostics(self) -> str:
        if self._errors < 0:
            return ""
        try:
            return os.read(self._errors, 4096).decode(errors="replace").strip()
        except OSError:
            return ""

    def describe_exit(self, returncode: int | None) -> str:
        """Name the memory cgroup's limit when the kernel killed the worker for it."""
        if self._oom_kills:
            mib = self.limits.total_memory_bytes // (1024 * 1024)
            return (
                f"the sandbox's memory limit of {mib} MiB (its processes, tmpfs, shm and memfd pages "
                "together) was exceeded; the worker was killed and its state is lost"
            )
        return super().describe_exit(returncode)

    def _join_cgroup(self, command: list[str]) -> list[str]:
        """Start inside a fresh cgroup (joined while still root, before dropping to the sandbox's uid)."""
        if os.geteuid() != 0:
            return command
        limits = CgroupLimits(
            memory_bytes=self.limits.total_memory_bytes,
            cpus=self.limits.cpus,
            max_pids=self.limits.max_processes + 2,
        )
        self._cgroup = SandboxCgroup.create(self.marker, limits)
        if self._cgroup is None:
            logger.warning(
                "no writable cgroup: running as root, memory, cpu and process limits are rlimits only"
            )
            return command
        procs = [str(path) for path in self._cgroup.procs_files]
        return ["/bin/sh", "-c", _JOIN_CGROUPS, "sh", str(len(procs)), *procs, *command]

    async def kill(self, process: Process) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        if self._cgroup is not None:
            self._cgroup.kill_all()

    async def cleanup(self) -> None:
        self._close_errors()
        cgroup, self._cgroup = self._cgroup, None
        if cgroup is None:
            return
        self._oom_kills = cgroup.oom_kills()
        cgroup.kill_all()
        with anyio.move_on_after(5):
            while not cgroup.remove():  # noqa: ASYNC110 (the kernel offers no event for this)
                await anyio.sleep(0.01)

    async def close(self) -> None:
        await super().close()
        if self._quota is not None:
            self._quota.unmount()
            self._quota = None
            with contextlib.suppress(OSError):
                self.workspace.rmdir()
        self.identity.release()

    def _close_errors(self) -> None:
        if self._errors >= 0:
            os.close(self._errors)
            self._errors = -1


def bubblewrap_factory(tools: Sequence[ToolSpec], limits: SandboxLimits) -> BubblewrapSandbox:
    """A `SandboxFactory` for `BubblewrapSandbox`."""
    return BubblewrapSandbox(tools, limits)
