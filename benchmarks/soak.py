"""Leak soak: thousands of episodes over every transport, a fifth dropped mid-step, and nothing left.

    uv run python -m benchmarks.soak [--episodes 10000] [--drop 0.2] [--concurrency 16] [--json OUT]

`openenv-mcp serve` runs as a child process: echo over Streamable HTTP in both protocol eras
(the 2025-11-25 handshake with sessions, and the stateless 2026-07-28), echo over stdio, and
python, a bubblewrap sandbox per episode, over HTTP for a smaller pass (2 % of the episodes).
An episode is a reset, a few steps (the inner tool with the episode id and the `step` control
tool, in turn) and a close; half the legacy sessions use their connection's default episode
instead, which ends with the session. A share of the clients drop mid-step: the call is
abandoned in flight and the connection goes, with no close and no session DELETE (python's
drop is a slow `run_python`, surely in flight). The servers run with a short idle TTL so that
what the drops left expires. Once it had the time to, the server itself must show nothing left:

- no live episode: `GET /envs` and the `openenv_episodes_live` series of `/metrics` (over
  stdio, which has neither, `state` of every episode the run opened must answer it is gone);
- only dropped episodes expired (`openenv_episodes_expired_total` grew by the drops at most:
  a dropped session's own episode may close with the abandoned session instead); every other
  one was closed by its client or by its session's end;
- no child process beyond the sandbox pool's, and the open file descriptors back to their
  baseline within `FD_SLACK`. RSS growth is stated, not judged.

Prints a table and PASS or FAIL, and exits 1 on a leak or an error.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import ssl
import sys
import time
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx2
import mcp
from mcp import StdioServerParameters
from mcp.client.client import ConnectMode
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, TextContent
from prometheus_client.parser import text_string_to_metric_families

from openenv_mcp.conformance import child_pids
from openenv_mcp.testing.serving import served_process

__all__ = ["FD_SLACK", "Config", "Row", "main", "soak", "table"]

FD_SLACK = 8
"""Descriptors a server may hold above its baseline after a run (a lazily opened file or pipe);
a leak of one per dropped client shows up as hundreds."""
STEPS = 3
ECHO_ACTION = {"type": "tool_call", "tool_name": "echo", "parameters": {"message": "soak"}}
SLOW_CODE = "import time; time.sleep(0.5)"
"""What a dropped python episode runs: it is surely in flight 0.1 s later, when the client goes."""

_TLS = ssl.create_default_context()
"""One context for every client: the calls are plain HTTP on loopback, and a context per client
(httpx's default) costs 18 ms of CPU, more than the episode itself."""
_TIMEOUT = httpx2.Timeout(30, read=300)
"""The SDK's own client timeouts."""


@dataclass(frozen=True)
class Config:
    """One soak run."""

    episodes: int = 10_000
    """Echo episodes, split over legacy HTTP, modern HTTP and stdio."""
    drop: float = 0.2
    concurrency: int = 16
    idle_ttl: float = 2.0
    python_episodes: int | None = None
    """Episodes of the python pass; None: 2 % of `episodes` (at least 2); 0: no python pass."""
    seed: int = 0

    @property
    def python(self) -> int:
        return max(2, round(self.episodes * 0.02)) if self.python_episodes is None else self.python_episodes

    @property
    def capacity(self) -> int:
        return max(1024, 4 * self.concurrency)

    @property
    def settle_seconds(self) -> float:
        """How long a server gets to close what the drops left: the TTL, its reaper's tick, a margin."""
        return self.idle_ttl * 1.5 + 10


# --- what the server process holds ------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """A server process's children (every descendant), open descriptors and resident memory."""

    children: int
    fds: int
    rss_kib: int

    @classmethod
    def of(cls, pid: int) -> Reading:
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
        rss = next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
        return cls(len(child_pids(pid)), len(os.listdir(f"/proc/{pid}/fd")), rss)

    def back_to(self, baseline: Reading) -> bool:
        return self.children <= baseline.children and self.fds <= baseline.fds + FD_SLACK


@dataclass
class Server:
    """A served environment: its process, and over HTTP its own endpoints."""

    env: str
    pid: int
    base: str | None = None

    @property
    def url(self) -> str:
        return f"{self.base}/envs/{self.env}/mcp"

    def reading(self) -> Reading:
        return Reading.of(self.pid)

    async def _get(self, path: str) -> httpx2.Response:
        async with httpx2.AsyncClient(timeout=10, verify=_TLS) as http:
            return (await http.get(f"{self.base}{path}")).raise_for_status()

    async def series(self) -> dict[str, float]:
        """This environment's samples in /metrics, by series name."""
        found: dict[str, float] = {}
        for family in text_string_to_metric_families((await self._get("/metrics")).text):
            for sample in family.samples:
                if sample.labels.get("env") == self.env:
                    found[sample.name] = sample.value
        return found

    async def live(self) -> int:
        """Live episodes as the server reports them: /envs, or /metrics where the two disagree."""
        listed = (await self._get("/envs")).json()["environments"]
        catalogue = sum(entry["live_episodes"] for entry in listed if entry["name"] == self.env)
        gauge = int((await self.series()).get("openenv_episodes_live", -1))
        return catalogue if catalogue == gauge else max(catalogue, gauge)

    async def expired(self) -> int:
        return int((await self.series()).get("openenv_episodes_expired_total", 0))

    async def settled(self, baseline: Reading | None, seconds: float) -> int:
        """Wait until nothing is live, and children and descriptors are back to `baseline`, or `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            live = await self.live()
            back = baseline is None or self.reading().back_to(baseline)
            if (live == 0 and back) or time.monotonic() > deadline:
                return live
            await anyio.sleep(0.2)


@dataclass
class Row:
    """One transport's run and what its server held before and after."""

    transport: str
    episodes: int
    dropped: int
    errors: int
    expired: int | None
    """Episodes the idle TTL closed during the run (None: the server cannot tell, over stdio)."""
    live_after: int
    before: Reading
    after: Reading
    seconds: float
    first_errors: list[str] = field(default_factory=list[str])

    @classmethod
    def of(cls, tally: Tally, expired: int | None, live: int, before: Reading, after: Reading) -> Row:
        """The row of a finished pass."""
        done = (tally.done, tally.dropped, tally.errors)
        return cls(tally.label, *done, expired, live, before, after, tally.seconds, tally.first_errors)

    def leaks(self) -> list[str]:
        """What this row shows left behind or gone wrong; empty when clean."""
        found: list[str] = []
        if self.errors:
            found.append(f"{self.errors} errors (first: {self.first_errors[:1]})")
        if self.live_after:
            found.append(f"{self.live_after} live episodes")
        # Only a dropped client's episode may idle out; some of those close sooner, with their
        # abandoned session (its idle timeout follows the TTL), so fewer may expire, never more.
        if self.expired is not None and self.expired > self.dropped:
            found.append(f"{self.expired} episodes expired but only {self.dropped} were dropped")
        if self.after.children > self.before.children:
            found.append(f"{self.after.children - self.before.children} more child processes")
        if self.after.fds > self.before.fds + FD_SLACK:
            found.append(f"{self.after.fds - self.before.fds} more open file descriptors")
        return [f"{self.transport}: {leak}" for leak in found]


# --- episodes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """One episode, drawn up front so that a seeded run drops the same episodes."""

    drop_at: int | None
    """The step whose call is abandoned in flight; None: the episode runs to its close."""
    delay: float
    """Seconds between sending that call and dropping it."""
    implicit: bool = False
    """Use the session's default episode: no reset, no close; it ends with the session."""


def plans(
    count: int, drop: float, rng: random.Random, *, delay: tuple[float, float], implicit_share: float = 0.0
) -> list[Plan]:
    """`count` episodes; a `drop` share of them drop at a random step, `delay` (low, high) after sending."""
    drawn: list[Plan] = []
    for _ in range(count):
        implicit = rng.random() < implicit_share
        # An implicit episode opens on its first step: it drops after one, so that it surely exists.
        drop_at = rng.randrange(1 if implicit else 0, STEPS) if rng.random() < drop else None
        drawn.append(Plan(drop_at, rng.uniform(*delay), implicit))
    return drawn


def warm_up(rng: random.Random, count: int = 20) -> list[Plan]:
    """Whole episodes before the baseline, so that lazy imports and first allocations are done."""
    return plans(count, 0.0, rng, delay=(0, 0))


class EpisodeError(Exception):
    """A call of an episode that was not dropped answered an error."""


Step = Callable[[int, dict[str, Any]], tuple[str, dict[str, Any]]]
"""The call of step `index` of an episode, given the episode's arguments (its id, or nothing)."""


def echo_step(index: int, episode: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if index % 2 == 0:
        return "echo", {"message": f"step {index}", **episode}
    return "step", {"action": ECHO_ACTION, **episode}


def python_step(index: int, episode: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if index % 2 == 0:
        return "run_python", {"code": f"x = {index}", **episode}
    return "step", {"action": {"type": "code", "code": "x + 1"}, **episode}


def python_drop(index: int, episode: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return "run_python", {"code": SLOW_CODE, **episode}


@dataclass(frozen=True)
class Episodes:
    """How an environment's episodes step, and what a dropped one is doing when it drops."""

    step: Step = echo_step
    dropped: Step = echo_step
    opened: list[str] = field(default_factory=list[str])
    """Every episode id reset returned (a drop comes after its reset: none goes unrecorded)."""


async def _call(client: mcp.Client, name: str, arguments: dict[str, Any]) -> CallToolResult:
    result = await client.call_tool(name, arguments)
    if result.is_error:
        text = " ".join(b.text for b in result.content if isinstance(b, TextContent))
        raise EpisodeError(f"{name}: {text[:300]}")
    return result


async def _abandon(call: Awaitable[Any], delay: float) -> None:
    """Send a call and drop it `delay` seconds later, in flight (unless it was quicker)."""

    async def send() -> None:
        await call

    async with anyio.create_task_group() as tg:
        tg.start_soon(send)
        await anyio.sleep(delay)
        tg.cancel_scope.cancel()


async def episode(client: mcp.Client, plan: Plan, how: Episodes) -> None:
    """Reset (unless implicit), `STEPS` steps and close; or drop at `plan.drop_at`, leaving it open."""
    named: dict[str, Any] = {}
    if not plan.implicit:
        reset = await _call(client, "reset", {"options": {"max_steps": 1000}})
        assert reset.structured_content is not None
        named = {"episode_id": reset.structured_content["episode_id"]}
        how.opened.append(named["episode_id"])
    for index in range(STEPS):
        if index == plan.drop_at:
            await _abandon(client.call_tool(*how.dropped(index, named)), plan.delay)
            return
        await _call(client, *how.step(index, named))
    if not plan.implicit:
        await _call(client, "close", named)


@dataclass
class Tally:
    """A pass's progress, shown on stderr while it runs."""

    label: str
    total: int
    done: int = 0
    dropped: int = 0
    errors: int = 0
    seconds: float = 0.0
    first_errors: list[str] = field(default_factory=list[str])

    def failed(self, exc: BaseException) -> None:
        self.errors += 1
        if len(self.first_errors) < 5:
            self.first_errors.append(f"{type(exc).__name__}: {exc}"[:400])

    def line(self) -> str:
        return (
            f"{self.label}: {self.done}/{self.total} episodes, {self.dropped} dropped, {self.errors} errors"
        )


async def run_all(
    drawn: list[Plan], concurrency: int, run: Callable[[Plan], Awaitable[None]], tally: Tally
) -> None:
    """Run every plan, `concurrency` at a time, with a counting line on stderr; time them in `tally`."""
    pending, began = iter(drawn), time.perf_counter()

    async def worker() -> None:
        for plan in pending:
            try:
                with anyio.fail_after(120):
                    await run(plan)
                tally.dropped += plan.drop_at is not None
            except Exception as exc:
                tally.failed(exc)
            tally.done += 1

    async def progress() -> None:
        while True:
            print(f"\r{tally.line()}", end="", file=sys.stderr, flush=True)
            await anyio.sleep(0.5)

    async with anyio.create_task_group() as tg:
        tg.start_soon(progress)
        async with anyio.create_task_group() as workers:
            for _ in range(concurrency):
                workers.start_soon(worker)
        tg.cancel_scope.cancel()
    tally.seconds = time.perf_counter() - began
    print(f"\r{tally.line()}", file=sys.stderr, flush=True)


# --- the passes -------------------------------------------------------------------------------------


def serve_command(env: str, config: Config, *extra: str) -> list[str]:
    limits = ["--idle-ttl", f"{config.idle_ttl:g}", "--capacity", str(config.capacity)]
    return [sys.executable, "-m", "openenv_mcp", "serve", env, *limits, *extra]


async def http_pass(
    server: Server,
    label: str,
    era: ConnectMode,
    drawn: list[Plan],
    config: Config,
    how: Episodes,
    baseline: Reading | None,
) -> Row:
    """Episodes of one era over HTTP, each client on its own connection; then what the server holds.

    `baseline` is what the server must come back to (None: only that no episode is live).
    """
    start = server.reading()
    expired_before = await server.expired()

    async def run(plan: Plan) -> None:
        # A dropped legacy client sends no DELETE: its session is left for the server to find.
        async with httpx2.AsyncClient(timeout=_TIMEOUT, verify=_TLS) as http:
            transport = streamable_http_client(
                server.url, http_client=http, terminate_on_close=plan.drop_at is None
            )
            async with mcp.Client(transport, mode=era, read_timeout_seconds=60) as client:
                await episode(client, plan, how)

    tally = Tally(label, len(drawn))
    await run_all(drawn, config.concurrency, run, tally)
    live = await server.settled(baseline, config.settle_seconds)
    expired = await server.expired() - expired_before
    before = Reading((baseline or start).children, (baseline or start).fds, start.rss_kib)
    return Row.of(tally, expired, live, before, server.reading())


async def _warmed(
    server: Server, config: Config, how: Episodes, rng: random.Random, count: int = 20
) -> Reading:
    """Run whole episodes in both eras, wait for quiet, and read the baseline."""
    for era in ("legacy", "2026-07-28"):
        row = await http_pass(server, f"warm-up {era}", era, warm_up(rng, count), config, how, None)
        if row.errors:
            raise RuntimeError(f"the warm-up failed: {row.first_errors}")
    return server.reading()


async def echo_http(config: Config, rng: random.Random, counts: tuple[int, int]) -> list[Row]:
    async with served_process(serve_command("echo", config, "--port", "0"), "") as served:
        server = Server("echo", served.pid, served.url)
        how = Episodes()
        baseline = await _warmed(server, config, how, rng)
        rows: list[Row] = []
        for (era, label), count in zip(
            [("legacy", "echo http 2025-11-25"), ("2026-07-28", "echo http 2026-07-28")], counts, strict=True
        ):
            share = 0.5 if era == "legacy" else 0.0
            drawn = plans(count, config.drop, rng, delay=(0, 0.003), implicit_share=share)
            rows.append(await http_pass(server, label, era, drawn, config, how, baseline))
        return rows


async def python_http(config: Config, rng: random.Random) -> Row:
    """A sandbox per episode, from the warm pool; each drop leaves a slow run_python in flight."""
    command = serve_command("python", config, "--port", "0", "--warm-pool", "2")
    async with served_process(command, "") as served:
        server = Server("python", served.pid, served.url)
        how = Episodes(python_step, python_drop)
        await _warmed(server, config, how, rng, count=2)
        baseline = await _pool_full(server, config.settle_seconds)
        drawn = plans(config.python, config.drop, rng, delay=(0.1, 0.1))
        return await http_pass(server, "python http (bubblewrap)", "2026-07-28", drawn, config, how, baseline)


async def _pool_full(server: Server, seconds: float) -> Reading:
    """The reading once the warm pool is full again: its sandboxes are the baseline's children."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (await server.series()).get("openenv_sandbox_pool_idle", 0) >= 2 and not await server.live():
            break
        await anyio.sleep(0.2)
    await anyio.sleep(0.5)
    return server.reading()


@asynccontextmanager
async def stdio_served(config: Config) -> AsyncGenerator[tuple[mcp.Client, int]]:
    """echo over stdio, started as a client starts it; yields the client and the server's pid."""
    marker = uuid.uuid4().hex
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "PYTHONPATH", "LANG")}
    command = serve_command("echo", config, "--transport", "stdio", "--log-level", "warning")
    params = StdioServerParameters(command=command[0], args=command[1:], env={**env, "SOAK_MARKER": marker})
    async with mcp.Client(stdio_client(params), mode="legacy", read_timeout_seconds=60) as client:
        yield client, _pid_with(marker)


def _pid_with(marker: str) -> int:
    for pid in child_pids():
        try:
            if f"SOAK_MARKER={marker}".encode() in Path(f"/proc/{pid}/environ").read_bytes():
                return pid
        except OSError:
            continue
    raise RuntimeError("the stdio server's process was not found")


async def stdio_live(client: mcp.Client, ids: list[str]) -> int:
    """How many of these episodes a stdio server still holds (it has no catalogue): `state` answers them."""
    live = 0
    for episode_id in ids:
        live += not (await client.call_tool("state", {"episode_id": episode_id})).is_error
    return live


async def echo_stdio(config: Config, rng: random.Random, count: int) -> Row:
    """One stdio server and its one client, `concurrency` episodes at once; a drop abandons a call."""
    async with stdio_served(config) as (client, pid):
        how = Episodes()

        async def run(plan: Plan) -> None:
            await episode(client, plan, how)

        await run_all(warm_up(rng), 4, run, Tally("warm-up stdio", 20))
        before, tally = Reading.of(pid), Tally("echo stdio", count)
        await run_all(plans(count, config.drop, rng, delay=(0, 0.002)), config.concurrency, run, tally)
        await anyio.sleep(config.idle_ttl * 1.5 + 1)
        live = await stdio_live(client, how.opened)
        return Row.of(tally, None, live, before, Reading.of(pid))


async def soak(config: Config) -> list[Row]:
    """Every pass, one after the other: echo over HTTP (both eras) and stdio, then python."""
    rng = random.Random(config.seed)
    third = config.episodes // 3
    rows = await echo_http(config, rng, (third, third))
    rows.append(await echo_stdio(config, rng, config.episodes - 2 * third))
    if config.python:
        rows.append(await python_http(config, rng))
    return rows


# --- the table and the command -----------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    """The plain-text table of a run."""
    lines = [
        f"{'transport':26} {'episodes':>8} {'dropped':>7} {'errors':>6} {'expired':>7} {'live after':>10} "
        f"{'children':>9} {'fds':>9} {'RSS MiB':>13} {'seconds':>7}"
    ]
    for r in rows:
        expired = "-" if r.expired is None else str(r.expired)
        children = f"{r.before.children}/{r.after.children}"
        fds = f"{r.before.fds}/{r.after.fds}"
        rss = f"{r.before.rss_kib / 1024:.1f}/{r.after.rss_kib / 1024:.1f}"
        lines.append(
            f"{r.transport:26} {r.episodes:>8} {r.dropped:>7} {r.errors:>6} {expired:>7} {r.live_after:>10} "
            f"{children:>9} {fds:>9} {rss:>13} {r.seconds:>7.1f}"
        )
    lines.append(
        f"(children, fds, RSS: before/after; fds may end at most {FD_SLACK} above; RSS is not judged)"
    )
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    d, summary = Config(), (__doc__ or "").splitlines()[0]
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=summary)
    parser.add_argument("--episodes", type=int, default=d.episodes, help="echo episodes, all transports")
    parser.add_argument("--drop", type=float, default=d.drop, help="share of clients that drop mid-step")
    parser.add_argument("--concurrency", type=int, default=d.concurrency, help="episodes at once")
    parser.add_argument("--idle-ttl", type=float, default=d.idle_ttl, help="the servers' idle TTL (s)")
    parser.add_argument("--python-episodes", type=int, default=None, help="default: 2%% of --episodes")
    parser.add_argument("--seed", type=int, default=d.seed)
    parser.add_argument("--json", type=Path, default=None, help="write the config, rows and leaks here")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the soak, print its table and verdict; 1 on a leak or an error."""
    args = _parser().parse_args(argv)
    # A client dropped on purpose mid-response: the SDK logs its closed stream as "Error parsing SSE message".
    logging.getLogger("mcp.client.streamable_http").setLevel(logging.CRITICAL)
    how = (args.episodes, args.drop, args.concurrency, args.idle_ttl, args.python_episodes, args.seed)
    config = Config(*how)
    rows = anyio.run(soak, config)
    leaks = [leak for row in rows for leak in row.leaks()]
    print(table(rows))
    print("PASS: nothing left behind" if not leaks else "FAIL: " + "; ".join(leaks))
    if args.json is not None:
        body = {"config": asdict(config), "rows": [asdict(r) for r in rows], "leaks": leaks}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(body, indent=2) + "\n")
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main())
