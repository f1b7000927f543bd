"""Remotes the bridge starts itself: a local command, or a Docker container off the network.

Each has `start() -> base URL`, `running()` and `stop()`. A started remote is ready when its
`/health` answers 200; every wait is bounded by the configuration's timeouts. A command gets
a free port for `{port}` (and `$PORT`); it dies with the bridge (a parent-death signal), and
an exit handler stops whatever is still running when the interpreter leaves.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import logging
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import weakref
from typing import IO, Any, Protocol, cast

import anyio
import anyio.to_thread
import httpx2

from openenv_mcp.containers.engine import LABEL, OWNER_LABEL, DockerEngine, owner
from openenv_mcp.containers.errors import ContainerError
from openenv_mcp.containers.provider import HTTP_NETWORK
from openenv_mcp_openenv_bridge.config import BridgeConfig
from openenv_mcp_openenv_bridge.errors import RemoteStartError

__all__ = ["CommandRemote", "ImageRemote", "Launcher", "launcher_for", "wait_healthy"]

logger = logging.getLogger(__name__)

_LOG_TAIL = 2000
_HTTP_NETWORK_OPTIONS = {
    "com.docker.network.bridge.enable_ip_masquerade": "false",
    "com.docker.network.bridge.enable_icc": "false",
}
_PR_SET_PDEATHSIG = 1
_RUNNING: weakref.WeakSet[CommandRemote] = weakref.WeakSet()
_CONTAINERS: set[str] = set()


class Launcher(Protocol):
    """A remote the bridge starts and stops."""

    async def running(self) -> bool:
        """Whether the remote is still running."""
        ...

    async def start(self) -> str:
        """Start the remote; its base URL once `/health` answers."""
        ...

    async def stop(self) -> None: ...


def launcher_for(config: BridgeConfig) -> Launcher:
    if config.command is not None:
        return CommandRemote(config)
    return ImageRemote(config)


async def wait_healthy(base_url: str, config: BridgeConfig, launcher: Launcher | None = None) -> None:
    """Poll `/health` with a doubling pause until it answers 200, the launcher dies, or time is up."""
    pause, deadline = 0.02, anyio.current_time() + config.start_timeout
    async with httpx2.AsyncClient(timeout=config.connect_timeout, trust_env=False) as http:
        while True:
            if launcher is not None and not await launcher.running():
                raise RemoteStartError("the remote exited before it served")
            with contextlib.suppress(httpx2.TransportError):
                if (await http.get(f"{base_url}/health")).status_code == 200:
                    return
            left = deadline - anyio.current_time()
            if left <= 0:
                raise RemoteStartError(
                    f"the remote did not serve {base_url}/health within {config.start_timeout:g} s"
                )
            await anyio.sleep(min(pause, left))
            pause = min(pause * 2, 0.25)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the bridge's process dies, however it dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class CommandRemote:
    """A local OpenEnv server process, started with a free port."""

    def __init__(self, config: BridgeConfig) -> None:
        self.config = config
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    async def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    async def start(self) -> str:
        port = _free_port()
        argv = [arg.replace("{port}", str(port)) for arg in self.config.command or []]
        env = {**os.environ, **self.config.env, "PORT": str(port)}
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (read and closed on stop)
        try:
            self.process = subprocess.Popen(  # noqa: ASYNC220 (Popen returns at once; nothing here blocks)
                argv,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                env=env,
                preexec_fn=_die_with_parent,  # one libc call: safe between fork and exec
                start_new_session=True,
            )
        except OSError as exc:
            self._close_log()
            raise RemoteStartError(f"cannot run the remote's command {self.config.remote!r}: {exc}") from None
        _RUNNING.add(self)
        base_url = f"http://127.0.0.1:{port}"
        try:
            await wait_healthy(base_url, self.config, self)
        except RemoteStartError as exc:
            tail = self._tail()
            await self.stop()
            raise RemoteStartError(f"{exc} (command {self.config.remote!r}{tail})") from None
        except BaseException:
            await self.stop()
            raise
        return base_url

    async def stop(self) -> None:
        process, self.process = self.process, None
        _RUNNING.discard(self)
        if process is not None and process.poll() is None:
            _signal_group(process, signal.SIGTERM)
            with anyio.CancelScope(shield=True), anyio.move_on_after(self.config.close_timeout):
                while process.poll() is None:  # noqa: ASYNC110 (Popen has no awaitable wait)
                    await anyio.sleep(0.02)
            if process.poll() is None:
                _signal_group(process, signal.SIGKILL)
                process.wait(timeout=self.config.close_timeout)
        self._close_log()

    def kill_now(self) -> None:
        """Stop at once, synchronously (the interpreter is leaving)."""
        process = self.process
        if process is not None and process.poll() is None:
            _signal_group(process, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=self.config.close_timeout)

    def _tail(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        text = self._log.read()[-_LOG_TAIL:].decode(errors="replace").strip()
        code = self.process.poll() if self.process is not None else None
        status = f", exit status {code}" if code is not None else ""
        return f"{status}; its output ends:\n{text}" if text else status

    def _close_log(self) -> None:
        log, self._log = self._log, None
        if log is not None:
            log.close()


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


class ImageRemote:
    """An OpenEnv server in a Docker container: no route out, no other containers, limited, removed."""

    def __init__(self, config: BridgeConfig) -> None:
        self.config = config
        self.name: str | None = None
        self._engine: DockerEngine | None = None

    async def running(self) -> bool:
        name, engine = self.name, self._engine
        if name is None or engine is None:
            return False
        state = await anyio.to_thread.run_sync(engine.state, name)
        return state is not None and state.running

    async def start(self) -> str:
        try:
            engine = self._engine or await anyio.to_thread.run_sync(DockerEngine.connect)
        except ContainerError as exc:
            raise RemoteStartError(f"cannot start the remote image {self.config.image!r}: {exc}") from None
        self._engine = engine
        self.name = f"openenv-bridge-{secrets.token_hex(4)}"
        _CONTAINERS.add(self.name)
        try:
            base_url = await self._run(engine, self.name)
            await wait_healthy(base_url, self.config, self)
        except (RemoteStartError, ContainerError) as exc:
            logs = await anyio.to_thread.run_sync(engine.logs, self.name)
            await self.stop()
            tail = f"; its log ends:\n{logs[-_LOG_TAIL:].strip()}" if logs.strip() else ""
            raise RemoteStartError(
                f"the remote image {self.config.image!r} did not serve: {exc}{tail}"
            ) from None
        except BaseException:
            await self.stop()
            raise
        return base_url

    async def _run(self, engine: DockerEngine, name: str) -> str:
        config, inner = self.config, f"{self.config.port}/tcp"
        await anyio.to_thread.run_sync(lambda: engine.ensure_network(HTTP_NETWORK, _HTTP_NETWORK_OPTIONS))
        await anyio.to_thread.run_sync(
            lambda: engine.run(
                config.image or "",
                [],
                name=name,
                limits=config.limits,
                labels={LABEL: "1", OWNER_LABEL: owner()},
                ports={inner: ("127.0.0.1", None)},
                network=HTTP_NETWORK,
            )
        )
        attrs = await anyio.to_thread.run_sync(engine.inspect, name)
        settings = cast(dict[str, Any], attrs.get("NetworkSettings") or {})
        bindings = cast(dict[str, Any], settings.get("Ports") or {})
        published = cast(list[dict[str, Any]], bindings.get(inner) or [])
        if not published:
            raise RemoteStartError(f"the container published no port for {inner}")
        return f"http://127.0.0.1:{published[0]['HostPort']}"

    async def stop(self) -> None:
        name, self.name = self.name, None
        if name is not None and self._engine is not None:
            engine = self._engine
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(engine.remove, name)
            _CONTAINERS.discard(name)

    def kill_now(self) -> None:
        if self.name is not None and self._engine is not None:
            with contextlib.suppress(ContainerError):
                self._engine.remove(self.name)


@atexit.register
def _stop_everything() -> None:
    """The last line of defence: nothing the bridge started outlives its interpreter."""
    for remote in list(_RUNNING):
        remote.kill_now()
    if _CONTAINERS:
        with contextlib.suppress(Exception):  # the engine may be gone too; the sweep removes leftovers
            engine = DockerEngine.connect(timeout=10)
            for name in list(_CONTAINERS):
                with contextlib.suppress(ContainerError):
                    engine.remove(name)
