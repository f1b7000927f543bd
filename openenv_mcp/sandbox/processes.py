"""Find live sandbox processes by scanning ``/proc``, to prove that none outlive a sandbox."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["MARKER_PREFIX", "sandbox_processes"]

MARKER_PREFIX = "openenv-sandbox-"
"""Every sandbox's command line carries a marker starting with this."""

_PROC = Path("/proc")


def _cmdline(pid: str) -> str:
    try:
        return (_PROC / pid / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _pid_namespace(pid: str) -> str | None:
    try:
        return os.readlink(_PROC / pid / "ns" / "pid")
    except OSError:
        return None


def _session(pid: str) -> str | None:
    try:
        stat = (_PROC / pid / "stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[3]


def sandbox_processes(marker: str = MARKER_PREFIX) -> list[int]:
    """Pids of processes whose command line holds `marker`, and of all processes in their pid namespaces.

    A marker names one sandbox; the default prefix matches them all. Processes the code
    started (a ``sleep`` has no marker) are found through the sandbox's pid namespace, or
    its session when it has no namespace of its own.
    """
    own_namespace = _pid_namespace("self")
    pids = [entry.name for entry in _PROC.iterdir() if entry.name.isdigit()]
    marked = {pid for pid in pids if marker in _cmdline(pid) and pid != str(os.getpid())}
    namespaces = {_pid_namespace(pid) for pid in marked} - {own_namespace, None}
    found = marked | {pid for pid in pids if _pid_namespace(pid) in namespaces or _session(pid) in marked}
    return sorted(int(pid) for pid in found)
