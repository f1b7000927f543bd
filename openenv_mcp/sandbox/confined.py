"""The host-side layers every confined backend shares: identity, workspace quota, cgroup, cleanup.

A `ConfinedSandbox` runs its worker as the sandbox's own unprivileged uid (identity.py) in
a cgroup of its own (cgroup.py), with a workspace that has a quota (quota.py). Backends
add how the worker starts: inside namespaces (bubblewrap.py) or as a plain child process
(process.py, for containers where namespaces cannot be made).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio
from anyio.abc import Process

from openenv_mcp.sandbox.base import ExecResult, ToolHandler, ToolSpec
from openenv_mcp.sandbox.cgroup import CgroupLimits, SandboxCgroup, controllers
from openenv_mcp.sandbox.host import WorkerSandbox
from openenv_mcp.sandbox.identity import SandboxIdentity
from openenv_mcp.sandbox.limits import SandboxLimits
from openenv_mcp.sandbox.processes import sandbox_processes
from openenv_mcp.sandbox.quota import WorkspaceQuota
from openenv_mcp.sandbox.seccomp import compiled_filter

__all__ = ["ConfinedSandbox", "processes_of"]

logger = logging.getLogger(__name__)

_NPROC_SLACK = 16
"""RLIMIT_NPROC above the pids cgroup's cap, where there is one: a refusal the host can count."""
_JOIN_CGROUPS = (
    'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"'
)
"""sh -c: write our pid into each of N cgroup.procs files, then become the command."""


def processes_of(uid: int) -> list[int]:
    """Pids of every live process (zombies aside) whose real uid is `uid`."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("Uid", "").split()[:1] == [str(uid)] and not fields.get("State", "").strip().startswith(
            "Z"
        ):
            found.append(int(entry.name))
    return found


class ConfinedSandbox(WorkerSandbox):
    """A worker sandbox under an unprivileged uid, a cgroup and a workspace quota."""

    def __init__(self, tools: Sequence[ToolSpec], limits: SandboxLimits) -> None:
        self.identity = SandboxIdentity.allocate()
        self.seccomp_program = compiled_filter()
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

    @property
    def quota(self) -> bool:
        """Whether the workspace has a size and file-count quota."""
        return self._quota is not None

    @property
    def cgroup(self) -> SandboxCgroup | None:
        """The running worker's cgroup, if the host gives one."""
        return self._cgroup

    def config(self) -> dict[str, Any]:
        """With a pids cgroup, the cgroup is the limit that refuses first (the host can see it do so)."""
        config = super().config()
        if os.geteuid() == 0 and "pids" in controllers():
            config["limits"]["max_processes"] += _NPROC_SLACK
        return config

    async def execute(
        self, code: str, *, tools: ToolHandler | None = None, wall_seconds: float | None = None
    ) -> ExecResult:
        """Run `code`; a limit it ran into is named in the result, since errno alone does not say which."""
        before = self._pids_refused()
        result = await super().execute(code, tools=tools, wall_seconds=wall_seconds)
        result.limits_hit = self._limits_hit(before)
        return result

    def _limits_hit(self, pids_refused_before: int) -> list[str]:
        hit: list[str] = []
        if self._quota is not None:
            space = self._quota.space()
            if space is not None and space.f_bavail == 0:
                hit.append(f"the workspace is full: its quota is {self.limits.workspace_bytes} bytes")
            if space is not None and space.f_favail == 0:
                hit.append(f"the workspace holds its most files and folders: {self.limits.workspace_files}")
        if self._pids_refused() > pids_refused_before:
            hit.append(f"the sandbox's process limit of {self.limits.max_processes} refused a new process")
        return hit

    def _pids_refused(self) -> int:
        return self._cgroup.refused_forks() if self._cgroup is not None else 0

    async def launch(
        self, command: list[str], *, pass_fds: Sequence[int], env: dict[str, str], cwd: str | Path
    ) -> Process:
        """Start `command` in the sandbox's cgroup, in a session of its own, its stderr to a pipe.

        The pipe is read when the start fails, and closed once the worker said ready, so what
        stays open inside (bwrap's init holds it) reaches nothing on the host.
        """
        self._close_errors()
        self._errors, errors = os.pipe()
        os.set_blocking(self._errors, False)
        try:
            return await anyio.open_process(
                self.in_cgroup(command),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                env=env,
                cwd=cwd,
                pass_fds=pass_fds,
                start_new_session=True,
            )
        finally:
            os.close(errors)

    async def start(self) -> None:
        await super().start()
        self._close_errors()

    def diagnostics(self) -> str:
        if self._errors < 0:
            return ""
        try:
            return os.read(self._errors, 8192).decode(errors="replace").strip()[-2000:]
        except OSError:
            return ""

    def _close_errors(self) -> None:
        if self._errors >= 0:
            os.close(self._errors)
            self._errors = -1

    def describe_exit(self, returncode: int | None) -> str:
        """Name the memory cgroup's limit when the kernel killed the worker for it."""
        if self._oom_kills:
            mib = self.limits.total_memory_bytes // (1024 * 1024)
            return (
                f"the sandbox's memory limit of {mib} MiB (its processes, tmpfs, shm and memfd pages "
                "together) was exceeded; the worker was killed and its state is lost"
            )
        return super().describe_exit(returncode)

    def in_cgroup(self, command: list[str]) -> list[str]:
        """`command` started inside a fresh cgroup, joined while still root (before any uid drop)."""
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
        self._kill_the_rest()

    def _kill_the_rest(self) -> None:
        """Whatever left the process group: by cgroup, else by the dedicated uid (nothing else has it).

        No process of the sandbox can leave its cgroup, so with one the host-wide scan by uid
        (milliseconds, growing with the host's process count) is not needed.
        """
        if self._cgroup is not None:
            self._cgroup.kill_all()
        elif self.identity.dedicated:
            for _ in range(100):
                pids = processes_of(self.identity.uid)
                if not pids:
                    break
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)

    async def cleanup(self) -> None:
        self._close_errors()
        self._kill_the_rest()
        cgroup, self._cgroup = self._cgroup, None
        if cgroup is None:
            await self._until_gone()
            return
        self._oom_kills = cgroup.oom_kills()
        with anyio.move_on_after(5):
            while not cgroup.remove():  # noqa: ASYNC110 (the kernel offers no event for this)
                await anyio.sleep(0.01)

    async def _until_gone(self) -> None:
        """Without a cgroup, wait (5 s at most) until no process of the sandbox is left, killing again.

        A pid namespace of many processes takes a moment to die after its init is killed.
        """
        with anyio.move_on_after(5):
            while pids := sandbox_processes(self.marker):
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(pid, signal.SIGKILL)
                await anyio.sleep(0.01)

    async def close(self) -> None:
        await super().close()
        if self._quota is not None:
            self._quota.unmount()
            self._quota = None
            with contextlib.suppress(OSError):
                self.workspace.rmdir()
        self.identity.release()
