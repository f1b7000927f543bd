"""OpenEnv's scaling benchmark on its own terms: concurrent sessions whose step sleeps, and how many succeed.

    uv run python -m benchmarks.bench_scale [--levels 256 1024 2048 4096] [--sleep 10] [--steps 1]
        [--servers mcp ws openenv] [--ray ADDRESS --ray-levels 8 32 --ray-episodes-per-actor 1 256]

OpenEnv's method: open N WebSocket sessions at once on an environment whose step sleeps
(10 s), step each, and report the largest N served with at least 95 % success (it reports
2,048 on 8 cores). Here, in one run on this machine, the same sessions against:

- `mcp`: our server over MCP (2026-07-28 JSON-RPC on one keep-alive connection per session);
- `ws`: our OpenEnv-compatible `/ws` at `/envs/sleep`, driven by OpenEnv's frames;
- `openenv`: OpenEnv 0.10.0's own server (its echo peer with `--sleep`, in its own venv);
- with `--ray`, our server with its episodes on Ray actors of that cluster (`mcp`), once for
  each `--ray-episodes-per-actor` (one: an actor, a process, per episode; 256: far fewer).

A session succeeds when it opened, every step answered its own message, and it did so
within `--open-timeout` and the sleep plus `--step-slack`. Latency is a step's wall time,
the sleep included. All sessions are open before any steps, so N sessions sleep at once.
One client process drives them all, on the same cores as the server. Results go to
results/bench_scale.json and results/bench_scale.png.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from collections.abc import AsyncGenerator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast
from urllib.parse import urlsplit

import anyio
import h11

from benchmarks.http1 import Http1Connection
from benchmarks.peers.openenv import OpenEnvServer, OpenEnvWebSocket, openenv_server, raise_fd_limit
from benchmarks.scenarios import percentile, rss_kib
from openenv_mcp.testing.serving import served_process

__all__ = ["Row", "main", "measure", "table"]

ROOT = Path(__file__).resolve().parents[1]
MESSAGE = "hello"
MAX_STEPS = 1_000_000
SLEEP_VARIABLE = "OPENENV_ECHO_SLEEP"
"""Read by the OpenEnv peer (`benchmarks/peers/openenv_echo_server.py`) as its step's sleep."""
_PROTOCOL = "2026-07-28"
_META = {
    "io.modelcontextprotocol/protocolVersion": _PROTOCOL,
    "io.modelcontextprotocol/clientInfo": {"name": "openenv-mcp-bench-scale", "version": "0.1.0"},
    "io.modelcontextprotocol/clientCapabilities": {},
}


class Sessions(Protocol):
    """One server over one protocol: a session is opened, stepped, closed."""

    @property
    def label(self) -> str: ...

    @property
    def server_pid(self) -> int | None: ...

    async def open(self) -> object: ...

    async def step(self, episode: object) -> None: ...

    async def close(self, episode: object) -> None: ...


class McpSessions:
    """Our server over MCP: a session is a keep-alive connection and the episode `reset` opened on it."""

    def __init__(self, url: str, pid: int, label: str, sleep: float) -> None:
        parsed = urlsplit(url)
        self._host, self._port, self._path = parsed.hostname or "127.0.0.1", parsed.port or 80, parsed.path
        self._pid, self._label, self._sleep = pid, label, sleep
        self._ids = itertools.count(1)
        self.reconnects = 0
        """Requests sent on a new connection because the server had closed the session's last one."""

    @property
    def label(self) -> str:
        return self._label

    @property
    def server_pid(self) -> int | None:
        return self._pid

    async def _call(self, session: _McpSession, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        body = {
            "jsonrpc": "2.0",
            "id": next(self._ids),
            "method": "tools/call",
            "params": {"name": name, "arguments": arguments, "_meta": _META},
        }
        headers = {
            "accept": "application/json, text/event-stream",
            "content-type": "application/json",
            "mcp-protocol-version": _PROTOCOL,
            "mcp-method": "tools/call",
            "mcp-name": name,
        }
        payload = json.dumps(body).encode()
        try:
            status, content = await session.connection.post(self._path, headers, payload)
        except h11.LocalProtocolError:
            # The server ended the keep-alive connection after its last answer (nothing was sent):
            # as any HTTP client, open another. Counted, not hidden.
            self.reconnects += 1
            await session.connection.aclose()
            session.connection = await Http1Connection.connect(self._host, self._port)
            status, content = await session.connection.post(self._path, headers, payload)
        if status != 200 or not content:
            raise RuntimeError(f"HTTP {status} to {name}: {content[:200]!r}")
        reply = _json_rpc_reply(content, body["id"])
        if reply is None:
            raise RuntimeError(f"not a JSON-RPC reply to {name}: {content[:200]!r}")
        if "error" in reply:
            raise RuntimeError(f"JSON-RPC error: {reply['error']}")
        result: dict[str, Any] = reply["result"]
        if result.get("isError"):
            raise RuntimeError(f"tool error: {result.get('content')!r:.300}")
        return result

    async def open(self) -> object:
        session = _McpSession(await Http1Connection.connect(self._host, self._port))
        try:
            options = {"max_steps": MAX_STEPS, "sleep": self._sleep}
            result = await self._call(session, "reset", {"options": options})
        except BaseException:
            await session.connection.aclose()
            raise
        session.episode_id = result["structuredContent"]["episode_id"]
        return session

    async def step(self, episode: object) -> None:
        session = _mcp_session(episode)
        result = await self._call(session, "echo", {"message": MESSAGE, "episode_id": session.episode_id})
        if result.get("structuredContent", {}).get("result") != MESSAGE:
            raise RuntimeError(f"a step answered {result!r:.200}")

    async def close(self, episode: object) -> None:
        session = _mcp_session(episode)
        try:
            await self._call(session, "close", {"episode_id": session.episode_id})
        finally:
            await session.connection.aclose()


def _json_rpc_reply(content: bytes, request_id: object) -> dict[str, Any] | None:
    """The reply in a JSON body, or in an event stream (the server streams a call that runs long,
    with `: ping` comments first, as the Streamable HTTP transport allows)."""
    if content.startswith(b"{"):
        return json.loads(content)
    for line in content.splitlines():
        if line.startswith(b"data:"):
            message = json.loads(line[5:])
            if isinstance(message, dict) and message.get("id") == request_id:  # pyright: ignore[reportUnknownMemberType]
                return cast(dict[str, Any], message)
    return None


@dataclass
class _McpSession:
    connection: Http1Connection
    episode_id: str = ""


def _mcp_session(episode: object) -> _McpSession:
    if not isinstance(episode, _McpSession):
        raise TypeError(f"not an McpSessions episode: {episode!r}")
    return episode


class _WebSocketSessions(OpenEnvWebSocket):
    def __init__(self, server: OpenEnvServer, label: str, reset_data: dict[str, Any] | None = None) -> None:
        super().__init__(server, reset_data=reset_data, open_seconds=300.0)
        self._label = label

    @property
    def label(self) -> str:
        return self._label


@dataclass
class Row:
    """One server at one level: how many sessions succeeded, and how long their steps took."""

    server: str
    sessions: int
    succeeded: int
    success_rate: float
    p50_s: float
    p99_s: float
    open_p99_s: float
    server_rss_mib: float
    seconds: float
    first_error: str = ""
    errors: dict[str, int] = field(default_factory=dict[str, int])
    close_failures: int = 0
    """Sessions whose close failed (or took over 30 s): their episodes may be left for the idle TTL."""
    close_error: str = ""
    reconnects: int = 0
    """Requests our MCP client sent on a new connection: the server had ended the session's last one."""


@dataclass
class _Level:
    sessions: int
    arrived: int = 0
    succeeded: int = 0
    opens: list[float] = field(default_factory=list[float])
    steps: list[float] = field(default_factory=list[float])
    errors: dict[str, int] = field(default_factory=dict[str, int])
    first_error: str = ""
    all_open: anyio.Event = field(default_factory=anyio.Event)
    rss_kib: int = 0
    close_failures: int = 0
    close_error: str = ""

    def failed(self, exc: BaseException) -> None:
        kind = type(exc).__name__
        self.errors[kind] = self.errors.get(kind, 0) + 1
        if not self.first_error:
            self.first_error = f"{kind}: {exc}"[:300]

    def arrive(self) -> None:
        self.arrived += 1
        if self.arrived == self.sessions:
            self.all_open.set()


async def level(
    driver: Sessions, sessions: int, *, steps: int, sleep: float, open_timeout: float, step_slack: float
) -> Row:
    """`sessions` sessions opened at once, then all stepping at once; one row."""
    state = _Level(sessions)
    began = time.perf_counter()
    reconnected = getattr(driver, "reconnects", 0)

    async def session() -> None:
        episode: object = None
        try:
            try:
                with anyio.fail_after(open_timeout):
                    t0 = time.perf_counter()
                    episode = await driver.open()
                    state.opens.append(time.perf_counter() - t0)
            finally:
                state.arrive()
            await state.all_open.wait()
            if state.rss_kib == 0 and driver.server_pid is not None:
                state.rss_kib = rss_kib(driver.server_pid)
            with anyio.fail_after(steps * sleep + step_slack):
                for _ in range(steps):
                    t0 = time.perf_counter()
                    await driver.step(episode)
                    state.steps.append(time.perf_counter() - t0)
            state.succeeded += 1
        except Exception as exc:
            state.failed(exc)
        finally:
            if episode is not None:
                # A failed close is the server's business, not a failed session: counted apart.
                state.close_failures += 1
                with anyio.move_on_after(30, shield=True):
                    try:
                        await driver.close(episode)
                        state.close_failures -= 1
                    except Exception as exc:
                        state.close_error = state.close_error or f"{type(exc).__name__}: {exc}"[:300]

    async with anyio.create_task_group() as tg:
        for _ in range(sessions):
            tg.start_soon(session)
    return Row(
        server=driver.label,
        sessions=sessions,
        succeeded=state.succeeded,
        success_rate=state.succeeded / sessions,
        p50_s=percentile(state.steps, 50),
        p99_s=percentile(state.steps, 99),
        open_p99_s=percentile(state.opens, 99),
        server_rss_mib=state.rss_kib / 1024,
        seconds=time.perf_counter() - began,
        first_error=state.first_error,
        errors=state.errors,
        close_failures=state.close_failures,
        close_error=state.close_error,
        reconnects=getattr(driver, "reconnects", 0) - reconnected,
    )


@asynccontextmanager
async def ours(capacity: int, ray: str | None = None, per_actor: int = 1) -> AsyncGenerator[tuple[str, int]]:
    """The sleeping environment served by `benchmarks.sleep_server`: (base URL of /envs/sleep, pid)."""
    command = [sys.executable, "-m", "benchmarks.sleep_server", "--port", "0"]
    command += ["--capacity", str(capacity), "--max-connections", str(capacity + 64)]
    if ray:
        # Hosts reserve per_actor episodes' CPUs: a five-thousandth each keeps 4,096 under two cores.
        cpus = 0.01 if per_actor == 1 else 0.0002
        command += ["--ray", ray, "--ray-episodes-per-actor", str(per_actor), "--ray-cpus", str(cpus)]
    async with served_process(command, "/envs/sleep", cwd=ROOT, start_seconds=120) as served:
        yield served.url, served.pid


async def measure(args: argparse.Namespace) -> list[Row]:
    """Every level on every server asked for, in one run; one row each."""
    raise_fd_limit()
    capacity = max(args.levels) + 64
    os.environ[SLEEP_VARIABLE] = str(args.sleep)
    rows: list[Row] = []
    async with AsyncExitStack() as stack:
        drivers: list[Sessions] = []
        if {"mcp", "ws"} & set(args.servers):
            base, pid = await stack.enter_async_context(ours(capacity))
            if "mcp" in args.servers:
                drivers.append(McpSessions(f"{base}/mcp", pid, "openenv-mcp mcp", args.sleep))
            if "ws" in args.servers:
                reset = {"max_steps": MAX_STEPS, "sleep": args.sleep}
                drivers.append(_WebSocketSessions(OpenEnvServer(base, pid), "openenv-mcp /ws", reset))
        if "openenv" in args.servers:
            peer = await stack.enter_async_context(openenv_server(max_sessions=capacity))
            drivers.append(_WebSocketSessions(peer, "openenv 0.10.0 /ws"))
        for sessions in args.levels:
            for driver in drivers:
                rows.append(await _run(driver, sessions, args))
    per_actors: list[int] = args.ray_episodes_per_actor if args.ray else []
    for per_actor in per_actors:
        async with ours(max(args.ray_levels) + 64, args.ray, per_actor) as (base, pid):
            label = f"openenv-mcp mcp, Ray, {per_actor} per actor"
            driver = McpSessions(f"{base}/mcp", pid, label, args.sleep)
            for sessions in args.ray_levels:
                rows.append(await _run(driver, sessions, args))
    return rows


async def _run(driver: Sessions, sessions: int, args: argparse.Namespace) -> Row:
    print(f"  {driver.label}: {sessions} sessions", file=sys.stderr, flush=True)
    row = await level(
        driver,
        sessions,
        steps=args.steps,
        sleep=args.sleep,
        open_timeout=args.open_timeout,
        step_slack=args.step_slack,
    )
    print(f"    {row.succeeded}/{sessions} ok, p99 {row.p99_s:.2f} s", file=sys.stderr, flush=True)
    return row


def table(rows: list[Row]) -> str:
    lines = [
        "| server | sessions | succeeded | success | step p50 s | step p99 s | open p99 s | server RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.server} | {r.sessions:,} | {r.succeeded:,} | {r.success_rate:.1%} | {r.p50_s:.2f} "
            f"| {r.p99_s:.2f} | {r.open_p99_s:.2f} | {r.server_rss_mib:,.0f} |"
        )
    errors = [f"{r.server} at {r.sessions}: {r.errors} first: {r.first_error}" for r in rows if r.errors]
    errors += [f"{r.server} at {r.sessions}: {r.reconnects} reconnects" for r in rows if r.reconnects]
    errors += [
        f"{r.server} at {r.sessions}: {r.close_failures} closes failed, first: {r.close_error or 'over 30 s'}"
        for r in rows
        if r.close_failures
    ]
    return "\n".join(lines + (["", *errors] if errors else []))


def largest_served(rows: list[Row], threshold: float) -> dict[str, int]:
    """Each server's largest level with at least `threshold` success (OpenEnv's figure of merit)."""
    best: dict[str, int] = {}
    for r in rows:
        if r.success_rate >= threshold:
            best[r.server] = max(best.get(r.server, 0), r.sessions)
    return best


def plot(rows: list[Row], sleep: float, out: Path) -> None:
    """Success rate and p99 against sessions, one line per server (needs matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))  # pyright: ignore[reportUnknownMemberType]
    for server in dict.fromkeys(r.server for r in rows):
        mine = sorted((r for r in rows if r.server == server), key=lambda r: r.sessions)
        levels = [r.sessions for r in mine]
        left.plot(levels, [100 * r.success_rate for r in mine], marker="o", label=server)  # pyright: ignore[reportUnknownMemberType]
        right.plot(levels, [r.p99_s for r in mine], marker="o", label=server)  # pyright: ignore[reportUnknownMemberType]
    left.axhline(95, color="grey", linestyle=":", linewidth=1)  # pyright: ignore[reportUnknownMemberType]
    for axis, title in (
        (left, "sessions succeeded (%)"),
        (right, f"p99 step latency (s), sleep {sleep:g} s"),
    ):
        axis.set_xscale("log", base=2)  # pyright: ignore[reportUnknownMemberType]
        axis.set_xlabel("concurrent sessions")  # pyright: ignore[reportUnknownMemberType]
        axis.set_title(title)  # pyright: ignore[reportUnknownMemberType]
        axis.grid(True, alpha=0.3)  # pyright: ignore[reportUnknownMemberType]
        axis.legend(fontsize=8)  # pyright: ignore[reportUnknownMemberType]
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=110)  # pyright: ignore[reportUnknownMemberType]
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[256, 1024, 2048, 4096])
    parser.add_argument("--sleep", type=float, default=10.0, help="seconds each step sleeps (OpenEnv: 10)")
    parser.add_argument("--steps", type=int, default=1, help="steps of each session")
    parser.add_argument(
        "--servers", nargs="*", choices=["mcp", "ws", "openenv"], default=["mcp", "ws", "openenv"]
    )
    parser.add_argument(
        "--open-timeout", type=float, default=120.0, help="seconds a session may take to open"
    )
    parser.add_argument(
        "--step-slack", type=float, default=30.0, help="seconds past the sleep a step may take"
    )
    parser.add_argument(
        "--ray", metavar="ADDRESS", help="also serve the episodes in Ray actors of this cluster"
    )
    parser.add_argument("--ray-levels", type=int, nargs="+", default=[8, 32])
    parser.add_argument(
        "--ray-episodes-per-actor",
        type=int,
        nargs="+",
        default=[1, 256],
        metavar="N",
        help="one Ray front door per value, its episodes N to an actor",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench_scale.json")
    parser.add_argument("--png", type=Path, default=None, help="default: beside --out")
    parser.add_argument("--no-plot", action="store_true")
    args = parser.parse_args(argv)
    rows = anyio.run(measure, args)
    print(f"sleep {args.sleep:g} s, {args.steps} step(s) per session, {os.cpu_count()} cores\n")
    print(table(rows))
    for threshold in (0.95, 0.99):
        print(f"largest level with >= {threshold:.0%} success: {largest_served(rows, threshold)}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "sleep": args.sleep,
        "steps": args.steps,
        "cores": os.cpu_count(),
        "rows": [asdict(r) for r in rows],
    }
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    if not args.no_plot:
        png = args.png or args.out.with_suffix(".png")
        plot(rows, args.sleep, png)
        print(f"plot: {png}")
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
