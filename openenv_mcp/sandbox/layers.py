"""What each sandbox layer is on this machine, and whether a server may serve code without one.

`probe` looks, for one backend, at every layer the sandbox can have and says which this
machine gives (each by trying it, not by guessing from versions). `openenv-mcp doctor`
prints the report and ``/healthz`` carries it. `check` is what a server does with it:
production refuses to serve code while a layer is missing, unless that layer was named
in ``--allow-missing-layer``; training logs a warning and goes on.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from openenv_mcp.errors import SandboxUnavailableError
from openenv_mcp.sandbox.cgroup import controllers
from openenv_mcp.sandbox.confine import landlock_abi
from openenv_mcp.sandbox.identity import UID_RANGE_SIZE, uid_base
from openenv_mcp.sandbox.quota import WorkspaceQuota
from openenv_mcp.sandbox.seccomp import seccomp_available

__all__ = ["LAYERS", "Layer", "LayerReport", "check", "probe", "trial"]

logger = logging.getLogger(__name__)

LAYERS = (
    "uid",
    "namespaces",
    "seccomp",
    "landlock",
    "cgroup_memory",
    "cgroup_cpu",
    "cgroup_pids",
    "workspace_quota",
)
"""Every layer's stable name, as ``--allow-missing-layer`` and the reports spell it."""

_CGROUP_REMEDY = (
    "run the server as root with a writable /sys/fs/cgroup (cgroup v1 hierarchies, or v2 with "
    "memory, cpu and pids in cgroup.subtree_control)"
)


@dataclass(frozen=True)
class Layer:
    """One layer's state on this machine."""

    name: str
    present: bool
    detail: str
    """What this machine gives, or why the layer is missing."""
    remedy: str = ""
    """How to get a missing layer."""


@dataclass(frozen=True)
class LayerReport:
    """Every layer of one backend on this machine."""

    backend: str
    layers: tuple[Layer, ...]

    @property
    def missing(self) -> list[Layer]:
        return [layer for layer in self.layers if not layer.present]

    def to_json(self) -> dict[str, Any]:
        """The report as ``/healthz`` and ``doctor --json`` give it."""
        return {"backend": self.backend, "layers": {layer.name: asdict(layer) for layer in self.layers}}

    def to_text(self) -> str:
        """One line a layer, for a terminal."""
        lines = [f"sandbox layers of --sandbox {self.backend} on this machine (euid {os.geteuid()}):"]
        for layer in self.layers:
            state = "present" if layer.present else "MISSING"
            lines.append(f"  {layer.name:16} {state:8} {layer.detail}")
            if layer.remedy and not layer.present:
                lines.append(f"  {'':16} {'':8} to get it: {layer.remedy}")
        return "\n".join(lines)


def _uid(backend: str) -> Layer:
    root = os.geteuid() == 0
    if not root:
        return Layer("uid", True, f"sandboxes run as the server's own unprivileged uid {os.geteuid()}")
    if backend == "none":
        return Layer("uid", False, "--sandbox none runs code as the server's user: root", "use bubblewrap")
    if shutil.which("setpriv") is None:
        return Layer(
            "uid", False, "setpriv is missing, so root cannot drop to a sandbox uid", "install util-linux"
        )
    first = uid_base()
    return Layer(
        "uid", True, f"a dedicated uid per sandbox from {first}-{first + UID_RANGE_SIZE - 1}, never root"
    )


def _namespaces(backend: str) -> Layer:
    if backend != "bubblewrap":
        return Layer(
            "namespaces", False, f"--sandbox {backend} starts no namespaces", "use --sandbox bubblewrap"
        )
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return Layer("namespaces", False, "bubblewrap is not installed", "apt-get install bubblewrap")
    drop = ["setpriv", f"--reuid={uid_base()}", f"--regid={uid_base()}", "--clear-groups"]
    trial = [
        *(drop if os.geteuid() == 0 else []),
        bwrap,
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
    ]
    trial += ["--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc", "true"]
    try:
        ran = subprocess.run(trial, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Layer("namespaces", False, f"bubblewrap could not start: {exc}", "check the bwrap install")
    if ran.returncode != 0:
        remedy = "allow unprivileged user namespaces (sysctls user.max_user_namespaces, "
        remedy += "kernel.unprivileged_userns_clone; in a container, use --sandbox process)"
        return Layer("namespaces", False, f"bubblewrap failed: {ran.stderr.strip()[:200]}", remedy)
    return Layer("namespaces", True, "user, pid, network, ipc, uts and cgroup namespaces (bubblewrap)")


def _seccomp(backend: str) -> Layer:
    if backend == "none":
        return Layer("seccomp", False, "--sandbox none loads no filter", "use bubblewrap")
    problem = seccomp_available()
    if problem is not None:
        return Layer("seccomp", False, problem, "apt-get install libseccomp2")
    return Layer(
        "seccomp", True, "a deny-list filter (ptrace, io_uring, keyring, bpf, mount API, namespaces, ...)"
    )


def _landlock(backend: str) -> Layer:
    if backend == "none":
        return Layer("landlock", False, "--sandbox none applies no Landlock rules", "use bubblewrap")
    abi = landlock_abi()
    if abi <= 0:
        return Layer("landlock", False, "the kernel has no Landlock", "a kernel >= 5.13 with lsm=landlock")
    scope = ", abstract unix sockets and signals scoped" if abi >= 6 else ""
    network = ", TCP bind and connect refused" if abi >= 4 else ""
    return Layer(
        "landlock", True, f"ABI {abi}: read-only but for the workspace and temp folders{network}{scope}"
    )


def _cgroups(backend: str) -> list[Layer]:
    found = controllers() if os.geteuid() == 0 and backend != "none" else {}
    layers: list[Layer] = []
    for name, what in (
        ("memory", "memory with tmpfs, shm and memfd"),
        ("cpu", "cpu time"),
        ("pids", "processes"),
    ):
        path = found.get(name)
        if path is None:
            layers.append(
                Layer(f"cgroup_{name}", False, f"no writable {name} controller for us", _CGROUP_REMEDY)
            )
        else:
            layers.append(Layer(f"cgroup_{name}", True, f"a cgroup per sandbox bounds {what} ({path})"))
    return layers


def _quota(backend: str) -> Layer:
    remedy = "run the server as root (it mounts a size-limited tmpfs on each workspace)"
    if backend == "none":
        return Layer("workspace_quota", False, "--sandbox none gives the workspace no quota", remedy)
    with tempfile.TemporaryDirectory(prefix="openenv-quota-probe-") as folder:
        mounted = WorkspaceQuota.mount(Path(folder), size=1 << 20, files=16, uid=0, gid=0)
        if mounted is None:
            return Layer("workspace_quota", False, "this process may not mount a tmpfs", remedy)
        mounted.unmount()
    return Layer("workspace_quota", True, "each workspace is a tmpfs with a byte and a file-count limit")


@functools.cache
def probe(backend: str) -> LayerReport:
    """Try every layer of `backend` on this machine (once per process)."""
    layers = [_uid(backend), _namespaces(backend), _seccomp(backend), _landlock(backend)]
    layers += [*_cgroups(backend), _quota(backend)]
    return LayerReport(backend, tuple(layers))


def check(backend: str, *, production: bool, allow_missing: Iterable[str] = ()) -> LayerReport:
    """The layers of `backend`; in production, refuse when one is missing and not allowed.

    Raises:
        SandboxUnavailableError: production, and a layer is missing; or an unknown layer name.
    """
    allowed = set(allow_missing)
    unknown = allowed - set(LAYERS)
    if unknown:
        raise SandboxUnavailableError(
            f"unknown sandbox layer {', '.join(sorted(unknown))}; the layers are: {', '.join(LAYERS)}"
        )
    report = probe(backend)
    missing = [layer for layer in report.missing if layer.name not in allowed]
    if missing and production:
        reasons = "; ".join(f"{layer.name}: {layer.detail} (to get it: {layer.remedy})" for layer in missing)
        raise SandboxUnavailableError(
            f"production mode refuses to serve code without every sandbox layer. Missing: {reasons}. "
            "Pass --allow-missing-layer NAME for each one to serve without it knowingly; "
            "`openenv-mcp doctor` shows the full report."
        )
    for layer in missing:
        logger.warning(
            "sandbox layer %s is missing: %s (to get it: %s)", layer.name, layer.detail, layer.remedy
        )
    return report


async def trial(backend: str) -> list[str]:
    """Start one real sandbox of `backend` and say what it is, seen from inside and from outside.

    The worker's own report is its word; the host checks the uid, the seccomp mode and
    ``no_new_privs`` of every process of the sandbox in ``/proc`` itself.

    Raises:
        SandboxError: the sandbox does not start, or a process of it lacks a layer.
    """
    from openenv_mcp.sandbox.host import WorkerSandbox
    from openenv_mcp.sandbox.limits import SandboxLimits
    from openenv_mcp.sandbox.processes import sandbox_processes
    from openenv_mcp.sandbox.provider import backend_factory

    began = time.perf_counter()
    sandbox = backend_factory(backend)([], SandboxLimits())  # type: ignore[arg-type]
    try:
        await sandbox.start()
        started = (time.perf_counter() - began) * 1000
        result = await sandbox.execute("1 + 1")
        if result.value != "2":
            raise SandboxUnavailableError(f"the trial sandbox could not run code: {result.render()}")
        seen = (
            [_status(pid) for pid in sandbox_processes(sandbox.marker)]
            if isinstance(sandbox, WorkerSandbox)
            else []
        )
        applied = sandbox.applied_layers if isinstance(sandbox, WorkerSandbox) else {}
    finally:
        await sandbox.close()
    if backend == "bubblewrap":  # bwrap's outer monitor stays in the host's pid namespace, unfiltered
        seen = [status for status in seen if len(status.get("NSpid", "").split()) > 1]
    uids = sorted({status.get("Uid", "?").split()[0] for status in seen})
    modes = sorted({status.get("Seccomp", "0") for status in seen})
    privs = sorted({status.get("NoNewPrivs", "0") for status in seen})
    if backend != "none" and (modes != ["2"] or privs != ["1"] or "0" in uids):
        raise SandboxUnavailableError(
            f"a process of the trial sandbox lacks a layer: uids {uids}, seccomp modes {modes}, "
            f"no_new_privs {privs}"
        )
    said = ", ".join(f"{name}: {value}" for name, value in applied.items()) or "nothing"
    return [
        f"a trial sandbox started in {started:.0f} ms and ran code",
        f"its worker says it applied: {said}",
        f"seen from outside, its {len(seen)} processes: uid {', '.join(uids)}, seccomp mode "
        f"{', '.join(modes)}, no_new_privs {', '.join(privs)}",
    ]


def _status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return {key: value.strip() for key, _, value in (line.partition(":") for line in text.splitlines())}
