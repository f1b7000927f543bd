"""The side-by-side suite: every scenario, every server, one run.

Scenarios (see docs/benchmarks.md):

- `latency`: one client, sequential echo steps, p50/p99 per server and transport;
- `sweep`: 1 to 1,024 concurrent episodes over HTTP: steps/s, p99, error rate;
- `memory`: resident memory per idle episode with 10,000 open;
- `batched`: openenv-mcp's `step_batch` against concurrent single steps;
- `sandbox`: reset latency of a sandboxed python episode, warm pool and cold.

Servers run side by side and are measured in alternating order, so that the machine's
drift hits all of them alike; the report gives ratios from the same run.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import asdict, dataclass, field
from typing import Any

import anyio
import mcp

from benchmarks.drivers import Driver, StepFailed
from benchmarks.mcp_drivers import BARE, OURS, JsonRpcDriver, json_rpc_driver, sdk_driver
from benchmarks.peers.openenv import OpenEnvMcp, OpenEnvWebSocket, ensure_venv, openenv_server
from benchmarks.scenarios import LevelRow, MemoryRow, Tally, concurrent_level, idle_memory, sequential_block
from openenv_mcp.server import EnvServer
from openenv_mcp_python import PythonEnvironment

__all__ = ["SCENARIOS", "Config", "LatencyRow", "SandboxRow", "run_suite"]

SCENARIOS = ("latency", "sweep", "memory", "batched", "sandbox")


@dataclass
class Config:
    """How much to measure; `quick()` is a smoke run of every path in well under a minute each."""

    scenarios: Sequence[str] = SCENARIOS
    peer: bool = True
    calls: int = 2000
    rounds: int = 10
    levels: Sequence[int] = (1, 8, 64, 256, 1024)
    sweep_steps: int = 4000
    sweep_blocks: int = 2
    """Alternating blocks per server and level (their steps split the level's)."""
    min_steps_each: int = 4
    memory_episodes: int = 10_000
    peer_memory_episodes: int = 1_000
    """OpenEnv gives every session an OS thread: 10,000 took 407 s to open here."""
    batched_levels: Sequence[int] = (64, 1024)
    sandbox_resets: int = 40

    @classmethod
    def quick(cls, scenarios: Sequence[str] = SCENARIOS, *, peer: bool = True) -> Config:
        return cls(
            scenarios=scenarios,
            peer=peer,
            calls=100,
            rounds=2,
            levels=(1, 8, 64),
            sweep_steps=200,
            sweep_blocks=2,
            min_steps_each=2,
            memory_episodes=500,
            peer_memory_episodes=500,
            batched_levels=(64,),
            sandbox_resets=5,
        )


@dataclass
class LatencyRow:
    """One client stepping one episode sequentially on one server and transport."""

    driver: str
    transport: str
    steps: int
    steps_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    first_error: str


@dataclass
class SandboxRow:
    """Reset latency of a sandboxed python episode over MCP (in-memory)."""

    pool: str
    resets: int
    p50_ms: float
    p99_ms: float


@dataclass
class Results:
    latency: list[LatencyRow] = field(default_factory=list[LatencyRow])
    sweep: list[LevelRow] = field(default_factory=list[LevelRow])
    memory: list[MemoryRow] = field(default_factory=list[MemoryRow])
    batched: list[LevelRow] = field(default_factory=list[LevelRow])
    sandbox: list[SandboxRow] = field(default_factory=list[SandboxRow])
    skipped: dict[str, str] = field(default_factory=dict[str, str])

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _transport(label: str) -> str:
    for transport in ("in-memory", "stdio", "ws", "/mcp"):
        if f" {transport}" in label:
            return transport
    return "http"


async def _http_drivers(stack: AsyncExitStack, config: Config) -> list[Driver]:
    """The lean HTTP drivers: openenv-mcp and bare over Streamable HTTP, OpenEnv over /ws and /mcp."""
    drivers: list[Driver] = [
        await stack.enter_async_context(json_rpc_driver(OURS)),
        await stack.enter_async_context(json_rpc_driver(BARE)),
    ]
    if config.peer:
        server = await stack.enter_async_context(openenv_server())
        websocket, json_rpc = OpenEnvWebSocket(server), OpenEnvMcp(server)
        stack.push_async_callback(websocket.aclose)
        stack.push_async_callback(json_rpc.aclose)
        drivers += [websocket, json_rpc]
    return drivers


async def latency(config: Config) -> list[LatencyRow]:
    """Scenario (a): every server and transport, one episode each, in alternating blocks."""
    async with AsyncExitStack() as stack:
        drivers: list[Driver] = []
        for transport in ("in-memory", "stdio", "http"):
            for server in (OURS, BARE):
                drivers.append(await stack.enter_async_context(sdk_driver(server, transport)))
        drivers += await _http_drivers(stack, config)
        episodes = [await driver.open() for driver in drivers]
        for driver, episode in zip(drivers, episodes, strict=True):
            await sequential_block(driver, episode, 20, Tally())  # warm up, untimed
        tallies = [Tally() for _ in drivers]
        per_block = max(config.calls // config.rounds, 1)
        for index in range(config.rounds):
            say(f"  latency: round {index + 1}/{config.rounds}")
            order = list(range(len(drivers)))
            order = order[index % len(order) :] + order[: index % len(order)]
            for i in order:
                await sequential_block(drivers[i], episodes[i], per_block, tallies[i])
        for driver, episode in zip(drivers, episodes, strict=True):
            await driver.close(episode)
    return [
        LatencyRow(
            driver=d.label,
            transport=_transport(d.label),
            steps=len(t.latencies),
            steps_per_s=t.steps_per_s,
            p50_ms=t.p50_ms,
            p99_ms=t.p99_ms,
            errors=t.errors,
            first_error=t.first_error,
        )
        for d, t in zip(drivers, tallies, strict=True)
    ]


async def sweep(config: Config) -> list[LevelRow]:
    """Scenario (b): each concurrency level on every HTTP server, in `sweep_blocks` blocks
    per server whose order rotates, so that drift hits every server alike."""
    rows: list[LevelRow] = []
    async with AsyncExitStack() as stack:
        drivers = await _http_drivers(stack, config)
        rotation = 0
        for level in config.levels:
            steps_each = max(config.sweep_steps // level // config.sweep_blocks, config.min_steps_each)
            tallies = [Tally() for _ in drivers]
            latest: list[LevelRow | None] = [None] * len(drivers)
            for block in range(config.sweep_blocks):
                order = list(range(len(drivers)))
                order = order[rotation % len(order) :] + order[: rotation % len(order)]
                rotation += 1
                for i in order:
                    say(
                        f"  sweep: {drivers[i].label}, {level} episode(s) x {steps_each} steps, "
                        f"block {block + 1}/{config.sweep_blocks}"
                    )
                    latest[i] = await concurrent_level(drivers[i], level, steps_each, tally=tallies[i])
            rows += [row for row in latest if row is not None]
    return rows


async def memory(config: Config) -> list[MemoryRow]:
    """Scenario (c): a fresh server each, `memory_episodes` idle episodes, RSS per episode."""
    rows: list[MemoryRow] = []
    say(f"  memory: openenv-mcp, {config.memory_episodes} idle episodes")
    async with json_rpc_driver(OURS, connection_per_episode=False) as ours:
        rows.append(await idle_memory(ours, config.memory_episodes))
    if config.peer:
        say(f"  memory: openenv, {config.peer_memory_episodes} idle sessions")
        async with openenv_server() as server:
            peer = OpenEnvMcp(server, connection_per_session=False)
            try:
                rows.append(await idle_memory(peer, config.peer_memory_episodes))
            finally:
                await peer.aclose()
    return rows


async def batched(config: Config) -> list[LevelRow]:
    """Scenario (d): one `step_batch` call per round against concurrent single steps."""
    rows: list[LevelRow] = []
    async with json_rpc_driver(OURS) as ours:
        for level in config.batched_levels:
            rounds = max(config.sweep_steps // level, config.min_steps_each)
            say(f"  batched: {level} episodes x {rounds} rounds, single steps then step_batch")
            rows.append(await concurrent_level(ours, level, rounds))
            single = rows[-1]
            single.driver = f"{ours.label} step"
            rows.append(await concurrent_level(ours, level, rounds, stepper=_batch_stepper(ours)))
            rows[-1].driver = f"{ours.label} step_batch"
    return rows


def _batch_stepper(driver: JsonRpcDriver) -> Callable[[list[object], int, Tally], Awaitable[None]]:
    async def stepper(episodes: list[object], rounds: int, tally: Tally) -> None:
        for _ in range(rounds):
            tally.attempts += len(episodes)
            began = time.perf_counter()
            try:
                await driver.step_batch(episodes)
            except (StepFailed, OSError, TimeoutError) as exc:
                tally.failed(exc)
                continue
            tally.latencies += [time.perf_counter() - began] * len(episodes)

    return stepper


async def sandbox(config: Config) -> list[SandboxRow]:
    """Scenario (e): reset a python episode in a bubblewrap sandbox, warm pool of 2 and cold."""
    rows: list[SandboxRow] = []
    for pool in (2, 0):
        env_server = EnvServer(PythonEnvironment, sandbox="bubblewrap", warm_pool=pool)
        samples: list[float] = []
        async with mcp.Client(env_server.server, read_timeout_seconds=60) as client:
            for _ in range(config.sandbox_resets):
                provider = env_server.sandbox_provider
                with anyio.fail_after(30):
                    while provider is not None and provider.warm < pool:  # noqa: ASYNC110 (refilled pool)
                        await anyio.sleep(0.005)
                began = time.perf_counter()
                result = await client.call_tool("reset", {})
                samples.append(time.perf_counter() - began)
                if result.is_error or result.structured_content is None:
                    raise StepFailed(f"python reset failed: {result.content}")
                await client.call_tool("close", {"episode_id": result.structured_content["episode_id"]})
        tally = Tally(latencies=samples)
        rows.append(
            SandboxRow(f"warm pool of {pool}" if pool else "cold", len(samples), tally.p50_ms, tally.p99_ms)
        )
    return rows


async def run_suite(config: Config) -> Results:
    """Run the chosen scenarios in order; a scenario that cannot run here is skipped with why."""
    results = Results()
    if config.peer:
        ensure_venv()
    measured: dict[str, tuple[str, Callable[[Config], Awaitable[list[Any]]]]] = {
        "latency": ("one client, sequential steps", latency),
        "sweep": ("concurrent episodes over HTTP", sweep),
        "memory": ("idle episodes", memory),
        "batched": ("step_batch", batched),
        "sandbox": ("python episode resets", sandbox),
    }
    for name, (what, scenario) in measured.items():
        if name not in config.scenarios:
            continue
        if name == "sandbox" and shutil.which("bwrap") is None:
            results.skipped[name] = "bubblewrap (bwrap) is not installed: apt-get install bubblewrap"
            continue
        say(f"scenario {name}: {what}")
        setattr(results, name, await scenario(config))
    return results
