"""Benchmark environment containers against the bubblewrap sandbox: start to first `reset`.

Run with ``uv run python -m benchmarks.bench_containers`` after ``openenv-mcp build echo``
(and a running engine: scripts/setup-docker.sh). Rows, in one run:

- container, cold: `docker run -i` of the echo image over stdio, MCP handshake, first `reset`;
- container, cold over HTTP: the same with a published 127.0.0.1 port and /healthz polling;
- container, pooled: `reset` on a container a pool of 2 had already started;
- bubblewrap: a CodeAct environment's episode reset with the server's warm pool of 2, and cold.

Prints a table and writes ``benchmarks/results/containers.json``.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import anyio

from benchmarks.sandbox_measure import Pinger, episode_resets, percentile
from openenv_mcp.containers import ContainerPool, DockerProvider, Transport

ROUNDS = 8
POOL = 2
RESULTS = Path(__file__).parent / "results" / "containers.json"


async def cold(provider: DockerProvider, transport: Transport) -> list[float]:
    samples: list[float] = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        async with provider.session("echo", transport=transport) as session:
            result = await session.call_tool("reset", {"seed": 1})
            samples.append((time.perf_counter() - began) * 1000)
            assert not result.is_error
    return samples


async def pooled(provider: DockerProvider) -> list[float]:
    samples: list[float] = []
    async with ContainerPool(provider, "echo", size=POOL) as pool:
        for _ in range(ROUNDS):
            with anyio.fail_after(120):
                while pool.idle < POOL:  # noqa: ASYNC110 (measure a full pool, as between episodes)
                    await anyio.sleep(0.05)
            began = time.perf_counter()
            session = await pool.acquire()
            result = await session.call_tool("reset", {"seed": 1})
            samples.append((time.perf_counter() - began) * 1000)
            assert not result.is_error
            await pool.release(session)
    return samples


async def main() -> None:
    async with DockerProvider() as provider:
        rows = {
            "container cold, stdio (docker run -i -> reset)": await cold(provider, "stdio"),
            "container cold, HTTP (run, /healthz -> reset)": await cold(provider, "http"),
            f"container from a pool of {POOL} (acquire -> reset)": await pooled(provider),
        }
    rows[f"bubblewrap episode reset, warm pool of {POOL}"] = await episode_resets(pool_size=POOL)
    rows["bubblewrap episode reset, cold"] = await episode_resets(pool_size=0)
    baseline = statistics.median(rows[f"bubblewrap episode reset, warm pool of {POOL}"])
    header = f"measurement ({Pinger.name} / echo)"
    print(f"{header:<50} {'n':>3} {'p50 ms':>9} {'p99 ms':>9} {'x bwrap warm':>13}")
    results: dict[str, dict[str, float]] = {}
    for name, samples in rows.items():
        p50, p99 = statistics.median(samples), percentile(samples, 0.99)
        results[name] = {
            "n": len(samples),
            "p50_ms": p50,
            "p99_ms": p99,
            "ratio_to_bwrap_warm": p50 / baseline,
        }
        print(f"{name:<50} {len(samples):>3} {p50:>9.1f} {p99:>9.1f} {p50 / baseline:>13.1f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    anyio.run(main)
