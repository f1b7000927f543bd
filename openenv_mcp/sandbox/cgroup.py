"""A cgroup per sandbox: memory (tmpfs, shm and memfd pages count), cpu and process limits.

Works with cgroup v2 (one hierarchy with ``cgroup.subtree_control``) and v1 (a hierarchy per
controller under ``/sys/fs/cgroup/<controller>``). Only root can make these; elsewhere the
sandbox falls back on rlimits, and `openenv-mcp doctor` says so.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import weakref
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CGROUP_ROOT", "CgroupLimits", "SandboxCgroup", "controllers", "sweep_orphans"]

logger = logging.getLogger(__name__)

CGROUP_ROOT = Path("/sys/fs/cgroup")
_OWNED = re.compile(r"openenv-sandbox-(\d+)-[0-9a-f]+")
"""A sandbox cgroup's name, with the pid of the server that made it."""
_PERIOD_US = 100_000
_CONTROLLERS = ("memory", "cpu", "pids")


@dataclass(frozen=True)
class CgroupLimits:
    """What the cgroup enforces."""

    memory_bytes: int
    cpus: float
    max_pids: int


def _v2_controllers() -> set[str]:
    try:
        return set((CGROUP_ROOT / "cgroup.subtree_control").read_text().split())
    except OSError:
        return set()


def controllers() -> dict[str, Path]:
    """The writable hierarchy of each controller we use, by name (empty when none is usable)."""
    found: dict[str, Path] = {}
    enabled = _v2_controllers()
    for name in _CONTROLLERS:
        v1 = CGROUP_ROOT / name
        if (v1 / "cgroup.procs").exists() and os.access(v1, os.W_OK):
            found[name] = v1
        elif name in enabled and os.access(CGROUP_ROOT, os.W_OK):
            found[name] = CGROUP_ROOT
    return found


class SandboxCgroup:
    """One cgroup per controller hierarchy (one in all under v2) holding one sandbox's processes."""

    def __init__(self, paths: dict[str, Path]) -> None:
        self.paths = paths
        """The cgroup folder of each controller."""
        weakref.finalize(self, _remove_folders, sorted(set(paths.values())))
        self._pids_events = -1

    @classmethod
    def create(cls, name: str, limits: CgroupLimits) -> SandboxCgroup | None:
        """Make the cgroups and set `limits`, or None when no controller can be used."""
        made: dict[str, Path] = {}
        try:
            for controller, hierarchy in controllers().items():
                path = hierarchy / name
                if path not in made.values():
                    path.mkdir()
                made[controller] = path
                _configure(controller, path, limits)
        except OSError:
            cls(made).remove()
            return None
        return cls(made) if made else None

    @property
    def procs_files(self) -> list[Path]:
        """Writing a pid into each of these moves that process (and its future children) in."""
        return [path / "cgroup.procs" for path in sorted(set(self.paths.values()))]

    def pids(self) -> list[int]:
        """The processes in the cgroup now."""
        found: set[int] = set()
        for procs in self.procs_files:
            with contextlib.suppress(OSError, ValueError):
                found.update(int(line) for line in procs.read_text().split())
        return sorted(found)

    def oom_kills(self) -> int:
        """How many processes the kernel killed for going over the memory limit."""
        path = self.paths.get("memory")
        if path is None:
            return 0
        for name in ("memory.events", "memory.oom_control"):  # v2, v1
            with contextlib.suppress(OSError, ValueError):
                fields = dict(line.split()[:2] for line in (path / name).read_text().splitlines())
                return int(fields.get("oom_kill", 0))
        return 0

    def refused_forks(self) -> int:
        """How often the pids limit refused a new process (``max`` in pids.events).

        Read on every execution, so through a descriptor kept open: a read of 1 µs, not 13.
        """
        path = self.paths.get("pids")
        if path is None:
            return 0
        try:
            if self._pids_events < 0:
                self._pids_events = os.open(path / "pids.events", os.O_RDONLY | os.O_CLOEXEC)
            return int(os.pread(self._pids_events, 64, 0).split()[1])
        except (OSError, ValueError, IndexError):
            return 0

    def kill_all(self) -> None:
        """SIGKILL every process in the cgroup (a fork bomb may race, so repeat)."""
        for _ in range(100):
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def remove(self) -> bool:
        """Remove the cgroups; False while processes are still leaving them."""
        if self._pids_events >= 0:
            os.close(self._pids_events)
            self._pids_events = -1
        return _remove_folders(sorted(set(self.paths.values())))


def _remove_folders(paths: list[Path]) -> bool:
    """Remove empty cgroup folders (a last resort too, when one is collected or at exit)."""
    done = True
    for path in paths:
        try:
            path.rmdir()
        except FileNotFoundError:
            continue
        except OSError:
            done = False
    return done


def _configure(controller: str, path: Path, limits: CgroupLimits) -> None:
    v2 = path.parent == CGROUP_ROOT and (CGROUP_ROOT / "cgroup.subtree_control").exists()
    if controller == "pids":
        (path / "pids.max").write_text(str(limits.max_pids))
    elif controller == "cpu":
        quota = max(1000, int(limits.cpus * _PERIOD_US))
        if v2:
            (path / "cpu.max").write_text(f"{quota} {_PERIOD_US}")
        else:
            (path / "cpu.cfs_period_us").write_text(str(_PERIOD_US))
            (path / "cpu.cfs_quota_us").write_text(str(quota))
    elif v2:
        (path / "memory.max").write_text(str(limits.memory_bytes))
        with contextlib.suppress(OSError):
            (path / "memory.swap.max").write_text("0")
    else:
        (path / "memory.limit_in_bytes").write_text(str(limits.memory_bytes))
        with contextlib.suppress(OSError):  # memsw exists only where swap accounting is on
            (path / "memory.memsw.limit_in_bytes").write_text(str(limits.memory_bytes))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_orphans() -> int:
    """Remove the sandbox cgroups of servers that died without removing them; how many went.

    A server killed with SIGKILL (or by the OOM killer) runs no cleanup: its sandboxes'
    cgroups stay behind, their processes already gone with their parent. Each cgroup's name
    holds its server's pid; a later server kills what is left in those of dead servers and
    removes them. A live server's are never touched.
    """
    removed = 0
    for hierarchy in sorted(set(controllers().values())):
        for path in hierarchy.glob("openenv-sandbox-*"):
            owner = _OWNED.fullmatch(path.name)
            if owner is None or _alive(int(owner.group(1))):
                continue
            orphan = SandboxCgroup({"orphan": path})
            orphan.kill_all()
            if orphan.remove():
                removed += 1
    if removed:
        logger.warning("removed %d sandbox cgroups that a killed server left behind", removed)
    return removed
