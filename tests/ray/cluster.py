"""A real local Ray cluster for the tests: a head and extra nodes on this machine, each its own process group.

Every node is started by `ray start` in a new session, so its processes (and the workers its
raylet forks, which start sessions of their own) can be killed without touching anything
else; teardown kills what it started and then runs `ray stop --force`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["LocalCluster", "Node", "free_port", "in_ci"]

_RAY = str(Path(sys.executable).with_name("ray"))
_CHECKOUT = str(Path(__file__).resolve().parents[2])
# GCS marks a node dead after missed health checks: seconds, not Ray's default half minute.
_FAST_FAILURE = {
    "RAY_health_check_initial_delay_ms": "1000",
    "RAY_health_check_period_ms": "500",
    "RAY_health_check_timeout_ms": "1000",
    "RAY_health_check_failure_threshold": "3",
    "RAY_USAGE_STATS_ENABLED": "0",
}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Node:
    """One `ray start` and the process group it leads."""

    pgid: int
    resources: dict[str, float] = field(default_factory=dict[str, float])

    def processes(self) -> set[int]:
        """Its processes: the group, and every descendant (Ray's workers start their own sessions)."""
        table = _process_table()
        found = {pid for pid, (_, pgid) in table.items() if pgid == self.pgid}
        grew = True
        while grew:
            children = {pid for pid, (ppid, _) in table.items() if ppid in found} - found
            found |= children
            grew = bool(children)
        return found

    def kill(self) -> None:
        for pid in self.processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _process_table() -> dict[int, tuple[int, int]]:
    table: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(entry.name)] = (int(fields[1]), int(fields[2]))
    return table


class LocalCluster:
    """A head node and the nodes joined to it, all on 127.0.0.1."""

    def __init__(self) -> None:
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.nodes: list[Node] = []

    def start_head(self, num_cpus: int = 1) -> Node:
        args = ["--head", "--port", str(self.port)]
        return self._start([*args, "--include-dashboard=false"], num_cpus, {})

    def add_node(self, num_cpus: int = 1, resources: dict[str, float] | None = None) -> Node:
        return self._start(["--address", self.address], num_cpus, resources or {})

    def _start(self, args: list[str], num_cpus: int, resources: dict[str, float]) -> Node:
        command = [_RAY, "start", *args, "--num-cpus", str(num_cpus), "--disable-usage-stats"]
        if resources:
            command += ["--resources", json.dumps(resources)]
        # The nodes' workers import test environments from this checkout (tests.ray.slow).
        path = os.pathsep.join(p for p in (_CHECKOUT, os.environ.get("PYTHONPATH", "")) if p)
        env = {**os.environ, **_FAST_FAILURE, "PYTHONPATH": path}
        process = subprocess.Popen(
            command, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        out, _ = process.communicate(timeout=90)
        if process.returncode != 0:
            raise RuntimeError(f"ray start failed ({process.returncode}):\n{out.decode(errors='replace')}")
        node = Node(process.pid, resources)
        self.nodes.append(node)
        return node

    def wait_for_nodes(self, ray: Any, alive: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while sum(1 for n in ray.nodes() if n["Alive"]) != alive:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the cluster did not reach {alive} live nodes in {timeout:g} s")
            time.sleep(0.2)

    def stop(self) -> None:
        for node in reversed(self.nodes):
            node.kill()
        subprocess.run([_RAY, "stop", "--force"], capture_output=True, timeout=60, check=False)
