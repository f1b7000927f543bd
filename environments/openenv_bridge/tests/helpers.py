"""OpenEnv remotes for the bridge's tests: servers in OpenEnv's own virtual environment, and their counts.

The remotes (`remotes/`) are OpenEnv 0.10 servers written against its public API; they run
in OpenEnv's virtual environment (it pins mcp<2), installed once by `benchmarks.peers.openenv`.
A remote starts in a few seconds, so a test module shares one (`Remote`, started synchronously:
its start and stop need no event loop, and so can serve any test's).
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import anyio
import httpx2

from benchmarks.peers.openenv import ensure_venv
from openenv_mcp_openenv_bridge import BridgeConfig, BridgeRuntime, OpenEnvBridgeEnvironment

REMOTES = Path(__file__).parent / "remotes"
START_SECONDS = 60.0


def remote_command(script: str, *args: str, port: str = "{port}") -> list[str]:
    """The command line of a remote in OpenEnv's python; `{port}` for the bridge to fill in."""
    # -I keeps the script's folder and the user's site off sys.path.
    return [str(ensure_venv()), "-I", str(REMOTES / script), "--port", port, *args]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Remote:
    """A running remote: its base URL and process."""

    url: str
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    @classmethod
    def start(cls, script: str, *args: str) -> Remote:
        port = free_port()
        log = tempfile.TemporaryFile()  # noqa: SIM115 (closed on stop)
        command = remote_command(script, *args, port=str(port))
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        remote = cls(f"http://127.0.0.1:{port}", process, log)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx2.get(f"{remote.url}/health", timeout=1.0).status_code == 200:
                    return remote
            except httpx2.TransportError:
                time.sleep(0.1)
        remote.stop()
        raise RuntimeError(f"the remote {script} did not serve: {remote.output()[-2000:]}")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


async def live_sessions(url: str) -> int:
    """How many sessions the remote holds now."""
    async with httpx2.AsyncClient(timeout=5.0, trust_env=False) as http:
        body: Any = (await http.get(f"{url}/sessions")).json()
    return int(body["live"])


async def remote_pid(url: str) -> int:
    async with httpx2.AsyncClient(timeout=5.0, trust_env=False) as http:
        body: Any = (await http.get(f"{url}/sessions")).json()
    return int(body["pid"])


async def settled_sessions(url: str, expected: int = 0, within: float = 10.0) -> int:
    """The remote's session count once it reaches `expected` (a closed session ends a moment later)."""
    with anyio.move_on_after(within):
        while (found := await live_sessions(url)) != expected:  # noqa: ASYNC110 (a count over HTTP)
            await anyio.sleep(0.05)
        return found
    return await live_sessions(url)


def bridged(config: BridgeConfig) -> type[OpenEnvBridgeEnvironment]:
    """A bridge class for `config` (its episodes share one runtime), for the checks that take a class."""
    runtime = BridgeRuntime(config)

    class Bridged(OpenEnvBridgeEnvironment):
        def __init__(self) -> None:
            super().__init__(runtime)

    return Bridged
