"""OpenEnv's own WebSocket protocol, served by us and by OpenEnv 0.10.0: the same client, the same echo.

    uv run python -m benchmarks.bench_openenv_ws [--levels 1 64 1024] [--steps 40] [--blocks 2]

Both servers are child processes on this machine: OpenEnv's echo peer in its own virtual
environment (`benchmarks/peers/openenv.py`), and `openenv-mcp serve echo`, whose `/ws` at
`/envs/echo` speaks OpenEnv's frames (`openenv_mcp/openenv_wire`). One driver
(`OpenEnvWebSocket`: a session per socket, `call_tool` step frames, one reply per request)
reaches both. At each level every session steps `--steps` times concurrently; the servers
run in alternating blocks so that drift hits them alike, and figures are ratios within one
run. Results go to results/bench_openenv_ws.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import anyio

from benchmarks.peers.openenv import OpenEnvServer, OpenEnvWebSocket, openenv_server, raise_fd_limit
from benchmarks.scenarios import LevelRow, Tally, concurrent_level
from openenv_mcp.testing.serving import served_process

ROOT = Path(__file__).resolve().parents[1]
OURS, PEER = "openenv-mcp /ws", "openenv /ws"


@asynccontextmanager
async def ours(capacity: int) -> AsyncGenerator[OpenEnvServer]:
    """`openenv-mcp serve echo` over HTTP, as an OpenEnv base URL (`.../envs/echo`)."""
    command = [sys.executable, "-m", "openenv_mcp", "serve", "echo", "--port", "0"]
    command += ["--capacity", str(capacity), "--idle-ttl", "3600"]
    async with served_process(command, "/envs/echo", cwd=ROOT) as served:
        yield OpenEnvServer(served.url, served.pid)


class _Labelled(OpenEnvWebSocket):
    def __init__(self, server: OpenEnvServer, label: str, reset_data: dict[str, Any] | None = None) -> None:
        super().__init__(server, reset_data=reset_data)
        self._label = label

    @property
    def label(self) -> str:
        return self._label


async def measure(levels: list[int], steps: int, blocks: int) -> list[LevelRow]:
    """Every level on both servers, in alternating blocks; one row per server and level."""
    raise_fd_limit()
    rows: list[LevelRow] = []
    capacity = max(levels) + 16
    async with ours(capacity) as mine, openenv_server(max_sessions=capacity) as theirs:
        # Our echo truncates after 10 steps unless its episode asks for more; OpenEnv's never does.
        drivers = [_Labelled(mine, OURS, {"max_steps": 1_000_000}), _Labelled(theirs, PEER)]
        for level in levels:
            tallies = {driver.label: Tally() for driver in drivers}
            found: dict[str, LevelRow] = {}
            for _ in range(blocks):
                for driver in drivers:
                    print(f"  {driver.label}: {level} sessions", file=sys.stderr, flush=True)
                    found[driver.label] = await concurrent_level(
                        driver, level, steps, tally=tallies[driver.label]
                    )
                    await driver.aclose()
            rows += found.values()
    return rows


def table(rows: list[LevelRow]) -> str:
    lines = [
        "| server | sessions | steps | steps/s | p50 ms | p99 ms | errors | vs openenv |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    peer = {row.episodes: row.steps_per_s for row in rows if row.driver == PEER}
    for row in rows:
        ratio = row.steps_per_s / peer[row.episodes] if peer.get(row.episodes) else 0.0
        lines.append(
            f"| {row.driver} | {row.episodes} | {row.steps} | {row.steps_per_s:,.0f} | {row.p50_ms:.2f} "
            f"| {row.p99_ms:.2f} | {row.errors} | {ratio:.2f}x |"
        )
    errors = [f"{row.driver} at {row.episodes}: {row.first_error}" for row in rows if row.errors]
    return "\n".join(lines + (["", *errors] if errors else []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 64, 1024], help="sessions at once")
    parser.add_argument("--steps", type=int, default=40, help="steps of each session per block")
    parser.add_argument("--blocks", type=int, default=2, help="alternating blocks per level")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench_openenv_ws.json")
    args = parser.parse_args(argv)
    rows = anyio.run(measure, args.levels, args.steps, args.blocks)
    print(table(rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps([asdict(row) for row in rows], indent=2) + "\n")
    print(f"\nratios are steps/s over OpenEnv's in the same run; results in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
