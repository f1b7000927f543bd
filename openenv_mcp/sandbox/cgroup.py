"""A pids cgroup per sandbox, where the host lets us make one.

Running as root, the sandbox's user namespace maps to host uid 0, for which the kernel does
not enforce ``RLIMIT_NPROC``; a pids cgroup caps the number of processes instead.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

__all__ = ["PidsCgroup"]

_ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))


class PidsCgroup:
    """A cgroup whose ``pids.max`` bounds every process of one sandbox."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, name: str, max_pids: int) -> PidsCgroup | None:
        """Make the cgroup, or return None when no writable pids controller exists."""
        for root in _ROOTS:
            if not _has_pids_controller(root):
                continue
            path = root / name
            try:
                path.mkdir()
                (path / "pids.max").write_text(str(max_pids))
            except OSError:
                with contextlib.suppress(OSError):
                    path.rmdir()
                continue
            return cls(path)
        return None

    @property
    def procs_file(self) -> Path:
        """Writing a pid here moves that process (and its future children) in."""
        return self.path / "cgroup.procs"

    def pids(self) -> list[int]:
        """The processes in the cgroup now."""
        try:
            return [int(line) for line in self.procs_file.read_text().split()]
        except OSError:
            return []

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
        """Remove the cgroup; False while processes are still leaving it."""
        try:
            self.path.rmdir()
        except FileNotFoundError:
            return True
        except OSError:
            return False
        return True


def _has_pids_controller(root: Path) -> bool:
    if root.name == "pids":
        return (root / "cgroup.procs").exists()
    try:
        return "pids" in (root / "cgroup.subtree_control").read_text().split()
    except OSError:
        return False
