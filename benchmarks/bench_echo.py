"""Echo steps/s and latency: openenv-mcp next to a bare `mcp` server, per transport.

    uv run python -m benchmarks.bench_echo [--calls 3000]

Each row calls the `echo` tool (ours: a pass-through step of an episode; bare: a trivial
tool) over in-memory, stdio and Streamable HTTP, with 1 and 64 concurrent episodes, and
prints steps/s, p50 and p99 latency and our overhead over the bare server in the same
run. Results are also written to results/bench_echo.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import anyio
import mcp
from mcp import StdioServerParameters

from benchmarks.bare_server import bare_server
from examples.serving import served_command
from openenv_mcp.server import EnvServer
from openenv_mcp_echo import EchoEnvironment

ROOT = Path(__file__).parent.parent
PY = sys.executable


@dataclass
class Row:
    transport: str
    server: str
    episodes: int
    calls: int
    steps_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int


def targets(name: str, transport: str) -> Any:
    if transport == "in-memory":
        return EnvServer(EchoEnvironment).server if name == "openenv-mcp" else bare_server()
    if transport == "stdio":
        if name == "openenv-mcp":
            return StdioServerParameters(
                command=PY, args=["-m", "openenv_mcp", "serve", "echo", "--transport", "stdio"]
            )
        return StdioServerParameters(command=PY, args=["-m", "benchmarks.bare_server", "stdio"], cwd=ROOT)
    raise ValueError(transport)


@asynccontextmanager
async def connect(name: str, transport: str) -> AsyncGenerator[mcp.Client]:
    if transport != "http":
        async with mcp.Client(targets(name, transport), read_timeout_seconds=60) as client:
            yield client
        return
    if name == "openenv-mcp":
        command = [PY, "-m", "openenv_mcp", "serve", "echo", "--port", "0", "--capacity", "1024"]
        path = "/envs/echo/mcp"
    else:
        command = [PY, "-m", "benchmarks.bare_server", "http", "0"]
        path = "/envs/bare/mcp"
    async with (
        served_command(command, path, cwd=ROOT) as url,
        mcp.Client(url, read_timeout_seconds=60) as client,
    ):
        yield client


async def open_episodes(client: mcp.Client, name: str, count: int, steps: int) -> list[dict[str, Any]]:
    """Arguments for each episode's echo calls; ours resets an episode per argument set (untimed)."""
    arguments: list[dict[str, Any]] = []
    for _ in range(count):
        call: dict[str, Any] = {"message": "hello"}
        if name == "openenv-mcp":
            reset = await client.call_tool("reset", {"options": {"max_steps": steps + 1}})
            assert reset.structured_content is not None, reset.content
            call["episode_id"] = reset.structured_content["episode_id"]
        arguments.append(call)
    return arguments


async def close_episodes(client: mcp.Client, arguments: list[dict[str, Any]]) -> None:
    for call in arguments:
        if "episode_id" in call:
            await client.call_tool("close", {"episode_id": call["episode_id"]})


@dataclass
class Tally:
    latencies: list[float]
    elapsed: float = 0.0
    errors: int = 0


async def run_episode(client: mcp.Client, arguments: dict[str, Any], calls: int, tally: Tally) -> None:
    for _ in range(calls):
        start = time.perf_counter()
        try:
            result = await client.call_tool("echo", arguments, read_timeout_seconds=30)
        except Exception as exc:
            tally.errors += 1
            print(f"  call failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        tally.latencies.append(time.perf_counter() - start)
        if result.is_error:
            tally.errors += 1


async def block(client: mcp.Client, name: str, episodes: int, calls: int, tally: Tally) -> None:
    per_episode = max(calls // episodes, 1)
    arguments = await open_episodes(client, name, episodes, per_episode)
    start = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for call in arguments:
            tg.start_soon(run_episode, client, call, per_episode, tally)
    tally.elapsed += time.perf_counter() - start
    await close_episodes(client, arguments)


def row(transport: str, name: str, episodes: int, tally: Tally) -> Row:
    ordered = sorted(tally.latencies)
    return Row(
        transport=transport,
        server=name,
        episodes=episodes,
        calls=len(ordered),
        steps_per_s=len(ordered) / tally.elapsed,
        p50_ms=statistics.median(ordered) * 1000,
        p99_ms=ordered[max(int(len(ordered) * 0.99) - 1, 0)] * 1000,
        errors=tally.errors,
    )


async def measure(transport: str, episodes: int, calls: int, rounds: int) -> list[Row]:
    """Both servers connected at once, measured in alternating blocks so drift hits both alike."""
    names = ("bare-mcp", "openenv-mcp")
    tallies = {name: Tally([]) for name in names}
    async with connect(names[0], transport) as bare, connect(names[1], transport) as ours:
        clients = {names[0]: bare, names[1]: ours}
        for name, client in clients.items():
            await client.list_tools()
            await block(client, name, 1, 20, Tally([]))
        for index in range(rounds):
            order = names if index % 2 == 0 else names[::-1]
            for name in order:
                await block(clients[name], name, episodes, max(calls // rounds, episodes), tallies[name])
    return [row(transport, name, episodes, tallies[name]) for name in names]


def table(rows: list[Row]) -> str:
    header = ("transport", "episodes", "server", "steps/s", "p50 ms", "p99 ms", "errors", "overhead")
    lines = ["{:10} {:>8} {:12} {:>9} {:>8} {:>8} {:>6} {:>9}".format(*header)]
    bare = {(r.transport, r.episodes): r for r in rows if r.server == "bare-mcp"}
    for row in rows:
        base = bare.get((row.transport, row.episodes))
        overhead = ""
        if row.server == "openenv-mcp" and base is not None:
            overhead = f"{(base.steps_per_s / row.steps_per_s - 1) * 100:+.1f}%"
        lines.append(
            f"{row.transport:10} {row.episodes:>8} {row.server:12} {row.steps_per_s:>9.0f} "
            f"{row.p50_ms:>8.2f} {row.p99_ms:>8.2f} {row.errors:>6} {overhead:>9}"
        )
    return "\n".join(lines)


async def main(calls: int, transports: list[str], rounds: int) -> list[Row]:
    rows: list[Row] = []
    for transport in transports:
        for episodes in (1, 64):
            print(f"measuring {transport} with {episodes} episode(s) ...", file=sys.stderr, flush=True)
            rows += await measure(transport, episodes, calls, rounds)
    return rows


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=2000, help="tool calls per row")
    parser.add_argument("--transports", nargs="+", default=["in-memory", "stdio", "http"])
    parser.add_argument("--rounds", type=int, default=10, help="alternating blocks per row")
    args = parser.parse_args()
    rows = anyio.run(main, args.calls, args.transports, args.rounds)
    print(table(rows))
    out = Path("results") / "bench_echo.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps([asdict(r) for r in rows], indent=2))
    print(f"\noverhead = bare steps/s / ours - 1, same run; results in {out}")


if __name__ == "__main__":
    cli()
