"""Vector stepping: concurrent single calls against one batched call, at 64 episodes.

    uv run python -m benchmarks.bench_vector [--episodes 64] [--rounds 40] [--blocks 6]

Every row steps `--episodes` echo episodes `--rounds` times; a round is one step of every
episode. The ways compared, over in-memory and Streamable HTTP (`openenv-mcp serve` as a
child process):

- `step-concurrent`: concurrent calls of the `step` control tool (one connection);
- `step_batch`: one call per round carrying every `(episode_id, action)` pair;
- `vector-each`: `VectorEnvClient.step_all(batched=False)` (concurrent inner-tool calls);
- `vector-batched`: `VectorEnvClient.step_all` over `step_batch` (its default).

The ways run in alternating blocks so that drift hits them alike; figures are ratios
within one run. Results go to results/bench_vector.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import anyio
import mcp

from openenv_mcp.client import VectorEnvClient
from openenv_mcp.episodes import RegistryLimits
from openenv_mcp.server import EnvServer
from openenv_mcp.testing.serving import served
from openenv_mcp_echo import EchoEnvironment

ROOT = Path(__file__).parent.parent
ACTION = {"type": "tool_call", "tool_name": "echo", "parameters": {"message": "hello"}}
WAYS = ("step-concurrent", "step_batch", "vector-each", "vector-batched")


@dataclass
class Row:
    transport: str
    way: str
    episodes: int
    steps: int
    seconds: float

    @property
    def steps_per_s(self) -> float:
        return self.steps / self.seconds


@asynccontextmanager
async def serving(transport: str) -> AsyncGenerator[Any]:
    """The target of each transport: the server object in memory, a child process over HTTP."""
    if transport == "in-memory":
        yield EnvServer(EchoEnvironment, limits=RegistryLimits(capacity=1024)).server
        return
    async with served("echo", capacity=1024) as url:
        yield url


async def _concurrently(calls: list[Callable[[], Coroutine[Any, Any, Any]]]) -> None:
    async with anyio.create_task_group() as tg:
        for call in calls:
            tg.start_soon(call)


async def _episodes(client: mcp.Client, count: int) -> list[str]:
    ids: list[str] = []
    for _ in range(count):
        reset = await client.call_tool("reset", {"options": {"max_steps": 100_000}})
        assert reset.structured_content is not None, reset.content
        ids.append(reset.structured_content["episode_id"])
    return ids


async def _step_once(client: mcp.Client, episode_id: str) -> None:
    result = await client.call_tool("step", {"episode_id": episode_id, "action": ACTION})
    assert not result.is_error, result.content


async def _batch_once(client: mcp.Client, ids: list[str]) -> None:
    result = await client.call_tool(
        "step_batch", {"steps": [{"episode_id": e, "action": ACTION} for e in ids]}
    )
    assert result.structured_content is not None and len(result.structured_content["results"]) == len(ids)


async def measure(transport: str, episodes: int, rounds: int, blocks: int) -> list[Row]:
    seconds = dict.fromkeys(WAYS, 0.0)
    async with (
        serving(transport) as target,
        mcp.Client(target, read_timeout_seconds=60) as client,
        VectorEnvClient(target, episodes, read_timeout=60, batched=False) as each,
        VectorEnvClient(target, episodes, read_timeout=60) as batched,
    ):
        ids = await _episodes(client, episodes)
        for vector in (each, batched):
            await vector.reset_all(seeds=0, options={"max_steps": 100_000})
        ways: dict[str, Callable[[], Awaitable[Any]]] = {
            "vector-each": lambda: each.step_all([ACTION] * episodes),
            "vector-batched": lambda: batched.step_all([ACTION] * episodes),
            "step-concurrent": lambda: _concurrently([lambda e=e: _step_once(client, e) for e in ids]),
            "step_batch": lambda: _batch_once(client, ids),
        }
        for way in ways.values():  # warm up
            await way()
        for block in range(blocks):
            order = WAYS if block % 2 == 0 else WAYS[::-1]
            for name in order:
                start = time.perf_counter()
                for _ in range(rounds // blocks):
                    await ways[name]()
                seconds[name] += time.perf_counter() - start
    steps = episodes * (rounds // blocks) * blocks
    return [Row(transport, way, episodes, steps, seconds[way]) for way in WAYS]


def table(rows: list[Row]) -> str:
    lines = [
        "{:10} {:16} {:>8} {:>7} {:>9} {:>14}".format(
            "transport", "way", "episodes", "steps", "steps/s", "vs concurrent"
        )
    ]
    base = {r.transport: r for r in rows if r.way == "step-concurrent"}
    for r in rows:
        ratio = r.steps_per_s / base[r.transport].steps_per_s
        lines.append(
            f"{r.transport:10} {r.way:16} {r.episodes:>8} {r.steps:>7} {r.steps_per_s:>9.0f} {ratio:>13.2f}x"
        )
    return "\n".join(lines)


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--episodes", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=48, help="steps of every episode per way")
    parser.add_argument("--blocks", type=int, default=6, help="alternating blocks per way")
    parser.add_argument("--transports", nargs="+", default=["in-memory", "http"])
    args = parser.parse_args()
    rows: list[Row] = []
    for transport in args.transports:
        print(f"measuring {transport} ...", file=sys.stderr, flush=True)
        rows += anyio.run(measure, transport, args.episodes, args.rounds, args.blocks)
    print(table(rows))
    out = ROOT / "results" / "bench_vector.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps([{**asdict(r), "steps_per_s": r.steps_per_s} for r in rows], indent=2))
    print(f"\nratios are steps/s over step-concurrent in the same run; results in {out}")


if __name__ == "__main__":
    cli()
