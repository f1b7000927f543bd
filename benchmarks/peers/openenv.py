"""OpenEnv 0.10.0, the field's reference, as the benchmark's peer.

OpenEnv pins `mcp<2` and cannot share our virtual environment, so `ensure_venv` installs it
into one of its own (once, under the user's cache), `openenv_server` runs our echo peer
(`openenv_echo_server.py`) there as a child process, and two drivers reach it: over its
WebSocket (`/ws`, one connection per session) and over its JSON-RPC endpoint (`POST /mcp`,
sessions made with `openenv/session/create`).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import urlsplit

import anyio
import anyio.to_thread
import httpx2
from anyio.abc import Process
from anyio.streams.text import TextReceiveStream
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from benchmarks.drivers import StepFailed
from benchmarks.http1 import Http1Connection

__all__ = [
    "OPENENV_VERSION",
    "OpenEnvMcp",
    "OpenEnvServer",
    "OpenEnvWebSocket",
    "PeerError",
    "ensure_venv",
    "openenv_server",
    "raise_fd_limit",
]

OPENENV_VERSION = "0.10.0"
SERVER_SCRIPT = Path(__file__).with_name("openenv_echo_server.py")
MESSAGE = "hello"
_LISTENING = re.compile(r"listening on (http://[\d.]+:\d+)")
_INSTALL_SECONDS = 600.0


class PeerError(RuntimeError):
    """OpenEnv could not be installed or started, or refused to open a session."""


def default_root() -> Path:
    """Where the peer's virtual environment lives: under `$XDG_CACHE_HOME` or `~/.cache`."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "openenv-mcp" / "peers" / f"openenv-{OPENENV_VERSION}"


def installed_version(root: Path) -> str | None:
    """The OpenEnv version installed in the virtual environment at `root`, if any."""
    if not (root / "bin" / "python").exists():
        return None
    for info in root.glob("lib/python*/site-packages/openenv-*.dist-info"):
        return info.name.removeprefix("openenv-").removesuffix(".dist-info")
    return None


def ensure_venv(root: Path | None = None) -> Path:
    """Install OpenEnv into its own virtual environment unless it is there; return its python.

    The environment is built beside `root` and renamed into place, so that an interrupted
    install never looks finished.
    """
    root = root or default_root()
    if installed_version(root) == OPENENV_VERSION:
        return root / "bin" / "python"
    print(f"installing openenv {OPENENV_VERSION} into {root} (once)", file=sys.stderr)
    staging = root.with_name(f"{root.name}.staging-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for command in _install_commands(staging):
            _run(command)
        if installed_version(root) != OPENENV_VERSION:
            shutil.rmtree(root, ignore_errors=True)
            staging.rename(root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    print(f"installed openenv {OPENENV_VERSION}", file=sys.stderr)
    return root / "bin" / "python"


def _install_commands(venv: Path) -> list[list[str]]:
    python, requirement = str(venv / "bin" / "python"), f"openenv=={OPENENV_VERSION}"
    uv = shutil.which("uv")
    if uv is None:
        pip = [python, "-m", "pip", "install", "--quiet", requirement]
        return [[sys.executable, "-m", "venv", str(venv)], pip]
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    return [
        [uv, "venv", "--quiet", "--relocatable", "--python", version, str(venv)],
        [uv, "pip", "install", "--quiet", "--python", python, requirement],
    ]


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=_INSTALL_SECONDS, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PeerError(f"`{shlex.join(command)}` took over {_INSTALL_SECONDS:.0f} s") from exc
    if done.returncode != 0:
        tail = (done.stdout + done.stderr)[-2000:]
        raise PeerError(f"`{shlex.join(command)}` failed with exit status {done.returncode}:\n{tail}")


def raise_fd_limit() -> int:
    """Raise this process's soft limit on open files to its hard limit; return the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):
        return soft
    return target


@dataclass(frozen=True)
class OpenEnvServer:
    """The running peer: its base URL (`http://127.0.0.1:PORT`) and its python's process id."""

    base_url: str
    pid: int


@asynccontextmanager
async def openenv_server(
    max_sessions: int = 16384, *, root: Path | None = None, start_seconds: float = 60.0
) -> AsyncGenerator[OpenEnvServer]:
    """Run the echo peer in OpenEnv's virtual environment on a free port; stop it after.

    The child prints its URL on stdout and sends everything after to its log (a temporary
    file), so no task has to keep reading it: the context may end in another task.
    """
    python = await anyio.to_thread.run_sync(ensure_venv, root)
    raise_fd_limit()  # the child inherits it, and needs one descriptor per WebSocket
    # -I keeps this folder off sys.path, where `openenv.py` (this module) would shadow OpenEnv.
    command = [str(python), "-I", str(SERVER_SCRIPT), "--port", "0", "--max-sessions", str(max_sessions)]
    with tempfile.TemporaryFile() as log:
        process = await anyio.open_process(command, stdout=subprocess.PIPE, stderr=log)
        try:
            base_url = await _wait_for_url(process, start_seconds, log)
            yield OpenEnvServer(base_url, process.pid)
        finally:
            await _stop(process)


async def _wait_for_url(process: Process, start_seconds: float, log: IO[bytes]) -> str:
    assert process.stdout is not None
    seen = ""
    with anyio.move_on_after(start_seconds):
        async for chunk in TextReceiveStream(process.stdout):
            seen += chunk
            if found := _LISTENING.search(seen):
                return found.group(1)
    log.seek(0)
    tail = (seen + log.read().decode(errors="replace"))[-2000:]
    state = "exited" if process.returncode is not None else f"did not serve within {start_seconds:.0f} s"
    raise PeerError(f"the OpenEnv peer {state}:\n{tail}")


async def _stop(process: Process) -> None:
    with anyio.CancelScope(shield=True):
        if process.returncode is None:
            process.terminate()
        with anyio.move_on_after(10):
            await process.wait()
        if process.returncode is None:
            process.kill()
            await process.wait()
        await process.aclose()


def _field(value: Any, key: str) -> Any:
    """`value[key]` when `value` is a JSON object holding it, else None."""
    return cast(dict[str, Any], value).get(key) if isinstance(value, dict) else None


def _ws_failure(reply: Any) -> str | None:
    """What went wrong in a WebSocket reply to a reset or step, or None if it is an observation."""
    kind, data = _field(reply, "type"), _field(reply, "data")
    if kind == "error":
        return f"{_field(data, 'code')}: {_field(data, 'message')}"
    if kind != "observation":
        return f"expected an observation, got {reply!r:.300}"
    observation = _field(data, "observation")
    if error := _field(observation, "error"):
        return f"{_field(error, 'error_type')}: {_field(error, 'message')}"
    if _field(_field(observation, "result"), "is_error"):
        return f"tool error: {_field(observation, 'result')!r:.300}"
    return None


class OpenEnvWebSocket:
    """OpenEnv over `/ws`: an episode is one WebSocket (one session), reset once; a step is
    a `call_tool` step frame and its observation frame, as OpenEnv's own client sends them."""

    def __init__(
        self,
        server: OpenEnvServer,
        *,
        tool: str = "echo",
        open_seconds: float = 120.0,
        reset_data: dict[str, Any] | None = None,
    ) -> None:
        self._url = server.base_url.replace("http://", "ws://", 1) + "/ws"
        self._reset_frame = json.dumps({"type": "reset", "data": reset_data or {}})
        self._pid, self._open_seconds = server.pid, open_seconds
        action = {"type": "call_tool", "tool_name": tool, "arguments": {"message": MESSAGE}}
        self._step_frame = json.dumps({"type": "step", "data": action})
        self._open: set[ClientConnection] = set()

    @property
    def label(self) -> str:
        return "openenv ws"

    @property
    def server_pid(self) -> int | None:
        return self._pid

    async def open(self) -> ClientConnection:
        websocket = await connect(self._url, proxy=None, open_timeout=self._open_seconds, max_size=None)
        self._open.add(websocket)
        try:
            with suppress(ConnectionClosed):  # a full server says why and hangs up: read it
                await websocket.send(self._reset_frame)
            if problem := _ws_failure(json.loads(await websocket.recv())):
                raise PeerError(f"reset failed: {problem}")
        except BaseException:
            await self.close(websocket)
            raise
        return websocket

    async def step(self, episode: object) -> None:
        websocket = _websocket(episode)
        await websocket.send(self._step_frame)
        if problem := _ws_failure(json.loads(await websocket.recv())):
            raise StepFailed(problem)

    async def close(self, episode: object) -> None:
        websocket = _websocket(episode)
        self._open.discard(websocket)
        await websocket.close()

    async def aclose(self) -> None:
        """Close every episode still open."""
        for websocket in list(self._open):
            await self.close(websocket)


def _websocket(episode: object) -> ClientConnection:
    if not isinstance(episode, ClientConnection):
        raise TypeError(f"not an episode of OpenEnvWebSocket: {episode!r}")
    return episode


def _rpc_failure(reply: Any) -> str | None:
    """What went wrong in a JSON-RPC reply: an `error` object, or a result that is an error."""
    if error := _field(reply, "error"):
        return f"JSON-RPC error {_field(error, 'code')}: {_field(error, 'message')}"
    result = _field(reply, "result")
    if result is None:
        return f"no result in {reply!r:.300}"
    if _field(result, "is_error") or _field(result, "isError"):
        return f"tool error: {result!r:.300}"
    return None


@dataclass(frozen=True)
class _Session:
    """An OpenEnv /mcp session, with its own connection (the sweep) or on the shared pool."""

    session_id: str
    connection: Http1Connection | None


class OpenEnvMcp:
    """OpenEnv over `POST /mcp`: an episode is a session (`openenv/session/create`), and a step
    is a `tools/call` of `echo` carrying its `session_id`.

    With `connection_per_session` (the default, as the WebSocket driver and our own HTTP
    driver have) each session steps on its own keep-alive connection; without it every call
    shares one pool (the memory scenario: a session holds no connection).
    """

    def __init__(
        self, server: OpenEnvServer, *, tool: str = "echo", connection_per_session: bool = True
    ) -> None:
        self._pid, self._tool = server.pid, tool
        self._per_session = connection_per_session
        self._ids = itertools.count(1)
        parsed = urlsplit(server.base_url)
        self._host, self._port = parsed.hostname or "127.0.0.1", parsed.port or 80
        limits = httpx2.Limits(max_connections=64, max_keepalive_connections=64)
        self._http = httpx2.AsyncClient(
            base_url=server.base_url, limits=limits, timeout=httpx2.Timeout(120.0), trust_env=False
        )

    @property
    def label(self) -> str:
        return "openenv /mcp"

    @property
    def server_pid(self) -> int | None:
        return self._pid

    async def call(
        self, method: str, params: dict[str, Any], connection: Http1Connection | None = None
    ) -> Any:
        """One JSON-RPC request to `/mcp`; its decoded reply, whatever it says."""
        body = json.dumps({"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params})
        if connection is None:
            response = await self._http.post("/mcp", content=body, headers=_JSON)
            status, content = response.status_code, response.content
        else:
            status, content = await connection.post("/mcp", _JSON, body.encode())
        if status != 200:
            return {"error": {"code": f"HTTP {status}", "message": content[:300].decode(errors="replace")}}
        return json.loads(content)

    async def open(self) -> _Session:
        reply = await self.call("openenv/session/create", {})
        session_id = _field(_field(reply, "result"), "session_id")
        if not isinstance(session_id, str):
            raise PeerError(f"openenv/session/create failed: {_rpc_failure(reply) or reply!r:.300}")
        connection = await Http1Connection.connect(self._host, self._port) if self._per_session else None
        return _Session(session_id, connection)

    async def step(self, episode: object) -> None:
        session = _session(episode)
        params = {"name": self._tool, "arguments": {"message": MESSAGE}, "session_id": session.session_id}
        if problem := _rpc_failure(await self.call("tools/call", params, session.connection)):
            raise StepFailed(problem)

    async def close(self, episode: object) -> None:
        session = _session(episode)
        try:
            await self.call("openenv/session/close", {"session_id": session.session_id}, session.connection)
        finally:
            if session.connection is not None:
                await session.connection.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client (sessions left open are the server's to keep)."""
        await self._http.aclose()


def _session(episode: object) -> _Session:
    if not isinstance(episode, _Session):
        raise TypeError(f"not an episode of OpenEnvMcp: {episode!r}")
    return episode


_JSON = {"content-type": "application/json"}
