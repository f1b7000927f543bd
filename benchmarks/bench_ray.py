"""A step through a Ray actor against one in-process, and steps/s on one Ray node against two.

    uv run python -m benchmarks.bench_ray [--steps 300] [--episodes 8] [--rounds 40]

Starts a real local cluster (a head, then a second node joined to it, one CPU each, on this
machine; `ray stop --force` at the end) and drives echo episodes through `EpisodePool`, the
Python API a trainer on Ray uses (no HTTP, no MCP):

- `in-process`: `EchoEnvironment.step` called directly (what a server does per step);
- `ray actor`: `PoolEpisode.step`, one round trip to the episode's actor;
- steps/s: `--episodes` episodes stepped together by `step_batch`, `--rounds` times, with the
  actors all on the head (one node), then spread over both;
- `ray step_batch, one actor`: the same episodes all on one host actor
  (`episodes_per_actor`), so each round is one call instead of one per episode.

Both nodes share this machine's two cores with the driver: a second node adds a worker
process, not a machine. Results go to results/bench_ray.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import anyio

from benchmarks.scenarios import percentile
from openenv_mcp.ray import EpisodePool, connect
from openenv_mcp.ray._ray import ray_module
from openenv_mcp.ray.resources import RayResources
from openenv_mcp.spec import ToolCallAction
from openenv_mcp_echo import EchoEnvironment
from tests.ray.cluster import LocalCluster

ROOT = Path(__file__).resolve().parents[1]
ECHO = ToolCallAction(tool_name="echo", parameters={"message": "hello"})
OPTIONS = {"max_steps": 1_000_000}


@dataclass
class Row:
    way: str
    nodes: int
    episodes: int
    steps: int
    steps_per_s: float
    p50_ms: float
    p99_ms: float
    nodes_used: int = 0
    """The nodes the episodes' actors ran on (asserted from each actor's node)."""


async def in_process(steps: int) -> Row:
    env = EchoEnvironment()
    await env.reset(seed=0, options=OPTIONS)
    latencies: list[float] = []
    for _ in range(steps):
        began = time.perf_counter()
        await env.step(ECHO)
        latencies.append(time.perf_counter() - began)
    return _row("in-process", 0, 1, latencies)


async def one_actor(pool: EpisodePool, steps: int, nodes: int) -> Row:
    episode, _ = await pool.open(seed=0, options=OPTIONS)
    latencies: list[float] = []
    try:
        for _ in range(steps):
            began = time.perf_counter()
            await episode.step(ECHO)
            latencies.append(time.perf_counter() - began)
    finally:
        await episode.close()
    return _row("ray actor", nodes, 1, latencies)


async def batched(
    pool: EpisodePool, episodes: int, rounds: int, nodes: int, way: str = "ray step_batch"
) -> Row:
    opened = [(await pool.open(seed=i, options=OPTIONS))[0] for i in range(episodes)]
    used = len({(await episode.where()).node_id for episode in opened})
    latencies: list[float] = []
    try:
        began = time.perf_counter()
        for _ in range(rounds):
            start = time.perf_counter()
            results = await pool.step_batch([(episode, ECHO) for episode in opened])
            latencies.append(time.perf_counter() - start)
            assert not [r for r in results if isinstance(r, Exception)], results
        seconds = time.perf_counter() - began
    finally:
        for episode in opened:
            await episode.close()
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    rate = episodes * rounds / seconds
    return Row(way, nodes, episodes, episodes * rounds, rate, p50, p99, nodes_used=used)


def _row(way: str, nodes: int, episodes: int, latencies: list[float]) -> Row:
    rate = len(latencies) / sum(latencies) if latencies else 0.0
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    return Row(way, nodes, episodes, len(latencies), rate, p50, p99)


async def measure(steps: int, episodes: int, rounds: int) -> list[Row]:
    ray = ray_module()
    if ray.is_initialized():
        raise RuntimeError("bench_ray starts a cluster of its own; this process is connected to one already")
    cluster = LocalCluster()
    rows = [await in_process(steps)]
    try:
        cluster.start_head()
        connect(cluster.address, "openenv-mcp-bench")
        cluster.wait_for_nodes(ray, alive=1)
        pool = EpisodePool("echo", resources=RayResources(num_cpus=0.1))
        rows.append(await one_actor(pool, steps, 1))
        rows.append(await batched(pool, episodes, rounds, 1))
        shared = EpisodePool("echo", resources=RayResources(num_cpus=0.01, episodes_per_actor=episodes))
        rows.append(await batched(shared, episodes, rounds, 1, "ray step_batch, one actor"))
        await shared.close_all()
        cluster.add_node()
        cluster.wait_for_nodes(ray, alive=2)
        rows.append(await batched(pool, episodes, rounds, 2))
    finally:
        ray.shutdown()
        cluster.stop()
    return rows


def table(rows: list[Row]) -> str:
    lines = [
        "| way | nodes | actors on | episodes | steps | steps/s | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.way} | {row.nodes} | {row.nodes_used or '-'} | {row.episodes} | {row.steps} "
            f"| {row.steps_per_s:,.0f} "
            f"| {row.p50_ms:.3f} | {row.p99_ms:.3f} |"
        )
    local = next(r for r in rows if r.way == "in-process")
    actor = next(r for r in rows if r.way == "ray actor")
    spread = [r.steps_per_s for r in rows if r.way == "ray step_batch"]
    hosted = [r.steps_per_s for r in rows if r.way == "ray step_batch, one actor"]
    lines += [
        "",
        f"a step through an actor costs {actor.p50_ms - local.p50_ms:.3f} ms p50 over one in-process",
        f"step_batch steps/s, two nodes over one: {statistics.fmean(spread[1:]) / spread[0]:.2f}x",
    ]
    if hosted:
        lines.append(f"step_batch steps/s, one actor over an actor each: {hosted[0] / spread[0]:.2f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--steps", type=int, default=300, help="sequential steps, in-process and to one actor"
    )
    parser.add_argument("--episodes", type=int, default=8, help="episodes stepped together by step_batch")
    parser.add_argument("--rounds", type=int, default=40, help="step_batch rounds on each cluster size")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench_ray.json")
    args = parser.parse_args(argv)
    rows = anyio.run(measure, args.steps, args.episodes, args.rounds)
    print(table(rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps([asdict(row) for row in rows], indent=2) + "\n")
    print(f"\nresults in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
