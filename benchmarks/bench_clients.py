"""The trainer's client against the lean one: steps/s at 1, 64 and 1,024 episodes over HTTP.

    uv run python -m benchmarks.bench_clients [--levels 1 64 1024] [--rounds 20]

One `openenv-mcp serve echo` child serves every way (and OpenEnv 0.10.0's echo peer its own
client's, in its virtual environment). A round steps every episode once; figures are
steps/s over the timed rounds (opening and resets untimed), ratios within one run:

- `lean`: hand-written 2026-07-28 JSON-RPC over a keep-alive connection per episode (the
  benchmarks' reference client: what the server can do);
- `vector batched`: `VectorEnvClient.step_all` on one connection: one `step_batch` call a round;
- `vector each`: `VectorEnvClient.step_all(batched=False)` over 8 connections: concurrent
  inner-tool calls, a call per episode;
- `env clients, shared`: one `EnvClient` per episode, each stepping in its own task at its own
  pace (an agent loop's rollouts), all made from one `SharedConnection`: the steps they take
  at once travel as `step_batch` calls;
- `env clients, own`: the same with a connection per client (levels up to 64: a thousand SDK
  connections is not how anyone should run it);
- `openenv client`: OpenEnv's own async `GenericEnvClient` (a WebSocket each) on its server.

Results go to results/bench_clients.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from contextlib import AsyncExitStack
from dataclasses import asdict, dataclass
from pathlib import Path

import anyio

from benchmarks.mcp_drivers import OURS, JsonRpcDriver, serve_http
from benchmarks.peers.openenv import ensure_venv, openenv_server, raise_fd_limit
from benchmarks.scenarios import concurrent_level
from openenv_mcp.client import EnvClient, SharedConnection, VectorEnvClient
from openenv_mcp.spec import ToolCallAction

ROOT = Path(__file__).resolve().parents[1]
CLIENT_SCRIPT = Path(__file__).with_name("peers") / "openenv_client_bench.py"
ECHO = ToolCallAction(tool_name="echo", parameters={"message": "hello"})
VECTOR_CONNECTIONS = 8
"""Connections a `VectorEnvClient` spreads its episodes over (at most one per episode)."""
OWN_CONNECTIONS_UP_TO = 64
"""The largest level at which every `EnvClient` opens a connection of its own."""


@dataclass
class Row:
    way: str
    episodes: int
    steps: int
    steps_per_s: float
    errors: int
    first_error: str = ""


async def lean(url: str, pid: int, episodes: int, rounds: int) -> Row:
    driver = JsonRpcDriver(OURS, url, pid)
    try:
        found = await concurrent_level(driver, episodes, rounds)
    finally:
        await driver.aclose()
    return Row("lean", episodes, found.steps, found.steps_per_s, found.errors, found.first_error)


async def vector(url: str, episodes: int, rounds: int, *, batched: bool) -> Row:
    way = "vector batched" if batched else "vector each"
    # One step_batch call a round carries every episode; concurrent single calls want connections.
    connections = 1 if batched else min(VECTOR_CONNECTIONS, episodes)
    errors, first = 0, ""
    async with VectorEnvClient(url, episodes, connections=connections, batched=batched) as envs:
        await envs.reset_all(seeds=0, options={"max_steps": 1_000_000})
        began = time.perf_counter()
        for _ in range(rounds):
            results = await envs.step_all([ECHO] * episodes)
            failed = [r for r in results if r.info.get("error")]
            errors += len(failed)
            first = first or (str(failed[0].info.get("error")) if failed else "")
        seconds = time.perf_counter() - began
    steps = episodes * rounds
    return Row(way, episodes, steps, steps / seconds if seconds else 0.0, errors, first)


async def env_clients(url: str, episodes: int, rounds: int, *, shared: bool) -> Row:
    way = "env clients, shared" if shared else "env clients, own"
    errors, first = 0, ""

    async def rollout(env: EnvClient) -> None:
        nonlocal errors, first
        for _ in range(rounds):
            result = await env.step(ECHO)
            if result.info.get("error"):
                errors += 1
                first = first or str(result.info["error"])

    async with AsyncExitStack() as stack:
        if shared:
            connection = await stack.enter_async_context(SharedConnection(url))
            clients = [connection.client() for _ in range(episodes)]
        else:
            clients = [EnvClient(url) for _ in range(episodes)]
        for env in clients:
            await stack.enter_async_context(env)
        async with anyio.create_task_group() as tg:
            for seed, env in enumerate(clients):
                tg.start_soon(lambda e=env, s=seed: e.reset(seed=s, options={"max_steps": 1_000_000}))
        began = time.perf_counter()
        async with anyio.create_task_group() as tg:
            for env in clients:
                tg.start_soon(rollout, env)
        seconds = time.perf_counter() - began
    steps = episodes * rounds
    return Row(way, episodes, steps, steps / seconds if seconds else 0.0, errors, first)


async def openenv_client(episodes: int, rounds: int) -> Row:
    python = await anyio.to_thread.run_sync(ensure_venv)
    async with openenv_server(max_sessions=episodes + 16) as server:
        command = [str(python), "-I", str(CLIENT_SCRIPT), server.base_url, str(episodes), str(rounds)]
        done = await anyio.run_process(command, check=False, stderr=subprocess.PIPE)
    if done.returncode != 0:
        return Row("openenv client", episodes, 0, 0.0, episodes * rounds, done.stderr.decode()[-300:])
    said = json.loads(done.stdout.decode().splitlines()[-1])
    rate = said["steps"] / said["seconds"] if said["seconds"] else 0.0
    return Row("openenv client", episodes, said["steps"], rate, said["errors"], said["first_error"])


async def measure(levels: list[int], rounds: int, peer: bool) -> list[Row]:
    raise_fd_limit()
    rows: list[Row] = []
    async with serve_http(OURS, capacity=max(levels) * 3 + 16) as served:
        for episodes in levels:
            print(f"  {episodes} episodes", file=sys.stderr, flush=True)
            rows.append(await lean(served.url, served.pid, episodes, rounds))
            rows.append(await vector(served.url, episodes, rounds, batched=True))
            rows.append(await vector(served.url, episodes, rounds, batched=False))
            rows.append(await env_clients(served.url, episodes, rounds, shared=True))
            if episodes <= OWN_CONNECTIONS_UP_TO:
                rows.append(await env_clients(served.url, episodes, rounds, shared=False))
    if peer:
        for episodes in levels:
            print(f"  openenv client: {episodes} sessions", file=sys.stderr, flush=True)
            rows.append(await openenv_client(episodes, rounds))
    return rows


def table(rows: list[Row]) -> str:
    lean_rate = {row.episodes: row.steps_per_s for row in rows if row.way == "lean"}
    peer_rate = {row.episodes: row.steps_per_s for row in rows if row.way == "openenv client"}
    lines = [
        "| client | episodes | steps | steps/s | vs lean | vs openenv client | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        over_lean = row.steps_per_s / lean_rate[row.episodes] if lean_rate.get(row.episodes) else 0.0
        over_peer = row.steps_per_s / peer_rate[row.episodes] if peer_rate.get(row.episodes) else 0.0
        lines.append(
            f"| {row.way} | {row.episodes} | {row.steps} | {row.steps_per_s:,.0f} | {over_lean:.2f}x "
            f"| {over_peer:.2f}x | {row.errors} |"
        )
    failures = [f"{row.way} at {row.episodes}: {row.first_error}" for row in rows if row.errors]
    return "\n".join(lines + (["", *failures] if failures else []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 64, 1024])
    parser.add_argument("--rounds", type=int, default=20, help="steps of every episode, timed")
    parser.add_argument("--no-peer", action="store_true", help="leave OpenEnv's client out")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench_clients.json")
    args = parser.parse_args(argv)
    rows = anyio.run(measure, args.levels, args.rounds, not args.no_peer)
    print(table(rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps([asdict(row) for row in rows], indent=2) + "\n")
    print(f"\nratios within this run; results in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
