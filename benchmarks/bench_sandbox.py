"""Benchmark the bubblewrap sandbox: cold start, warm acquire, execute overhead, tool calls.

Run with ``uv run python -m benchmarks.bench_sandbox``; prints a table. The first rows
measure the sandbox alone; the `episode` rows measure a CodeAct environment's reset (with
the server's warm pool, and cold), a code action's step, and a tool call from code through
the environment's dispatch.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import anyio

from openenv_mcp import CodeAction, tool
from openenv_mcp.environment import CodeActEnvironment
from openenv_mcp.sandbox import SandboxLimits, ToolReply, ToolSpec, WarmPool, bubblewrap_factory
from openenv_mcp.sandbox.provider import SandboxProvider

TOOLS = [ToolSpec("ping", "Answer pong.", ["n"], "(n: int) -> int")]
LIMITS = SandboxLimits()
ROUNDS = 30


async def ping(name: str, arguments: dict[str, Any]) -> ToolReply:
    return ToolReply(ok=True, value=arguments["n"])


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def cold_start() -> list[float]:
    samples: list[float] = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        sandbox = bubblewrap_factory(TOOLS, LIMITS)
        await sandbox.start()
        await sandbox.execute("x = 1")
        samples.append((time.perf_counter() - began) * 1000)
        await sandbox.close()
    return samples


async def warm_acquire() -> list[float]:
    samples: list[float] = []
    async with WarmPool(bubblewrap_factory, TOOLS, LIMITS, size=2) as pool:
        for _ in range(ROUNDS):
            while pool.idle < pool.size:  # noqa: ASYNC110 (measure a full pool, as between episodes)
                await anyio.sleep(0.005)
            began = time.perf_counter()
            sandbox = await pool.acquire()
            samples.append((time.perf_counter() - began) * 1000)
            await sandbox.close()
    return samples


def bare_exec() -> float:
    namespace: dict[str, Any] = {}
    began = time.perf_counter()
    for _ in range(1000):
        exec(compile("x = 1", "<code>", "exec"), namespace)
    return (time.perf_counter() - began) / 1000 * 1000


async def execute_and_tools() -> tuple[list[float], float]:
    sandbox = bubblewrap_factory(TOOLS, LIMITS)
    await sandbox.start()
    samples: list[float] = []
    for _ in range(200):
        began = time.perf_counter()
        await sandbox.execute("x = 1")
        samples.append((time.perf_counter() - began) * 1000)
    result = await sandbox.execute("for i in range(1000):\n    ping(i)", tools=ping)
    assert result.error is None and len(result.tool_calls) == 1000
    empty = await sandbox.execute("for i in range(1000):\n    pass", tools=ping)
    await sandbox.close()
    return samples, (result.duration_ms - empty.duration_ms) / 1000


class Pinger(CodeActEnvironment):
    """A CodeAct environment with one trivial tool."""

    name = "pinger"

    @tool
    def ping(self, n: int) -> int:
        """Answer with n."""
        return n


async def episode_resets(pool_size: int) -> list[float]:
    provider = SandboxProvider(Pinger.code_tool_specs(), Pinger.sandbox_limits, pool_size=pool_size)
    samples: list[float] = []
    async with provider.running():
        for _ in range(ROUNDS):
            while provider.warm < pool_size:  # noqa: ASYNC110 (a full pool, as between episodes)
                await anyio.sleep(0.005)
            env = Pinger(provider)
            began = time.perf_counter()
            await env.reset()
            samples.append((time.perf_counter() - began) * 1000)
            await env.close()
    return samples


async def episode_steps() -> tuple[list[float], float]:
    env = Pinger()
    await env.reset()
    samples: list[float] = []
    for _ in range(200):
        began = time.perf_counter()
        await env.step(CodeAction(code="x = 1"))
        samples.append((time.perf_counter() - began) * 1000)
    calls = await env.step(CodeAction(code="for i in range(1000):\n    ping(i)"))
    empty = await env.step(CodeAction(code="for i in range(1000):\n    pass"))
    assert calls.error is None and env.code_tool_calls == 1000
    await env.close()
    return samples, (calls.observation.duration_ms - empty.observation.duration_ms) / 1000


async def main() -> None:
    warm_resets = await episode_resets(pool_size=2)
    cold_resets = await episode_resets(pool_size=0)
    steps, per_env_tool_call = await episode_steps()
    cold = await cold_start()
    warm = await warm_acquire()
    executes, per_tool_call = await execute_and_tools()
    bare = bare_exec()
    execute_p50 = statistics.median(executes)
    rows = [
        ("cold start (start + first execute)", statistics.median(cold), percentile(cold, 0.99), ""),
        (
            "warm acquire from the pool",
            statistics.median(warm),
            percentile(warm, 0.99),
            "target p50 <= 20 ms",
        ),
        ("execute 'x = 1'", execute_p50, percentile(executes, 0.99), f"bare exec {bare:.4f} ms"),
        ("  overhead over bare exec", execute_p50 - bare, float("nan"), "target <= 5 ms"),
        ("tool call from code (per call, 1000 calls)", per_tool_call, float("nan"), "target <= 1 ms"),
        (
            "episode reset, warm pool of 2",
            statistics.median(warm_resets),
            percentile(warm_resets, 0.99),
            "target p50 <= 20 ms",
        ),
        ("episode reset, cold (no pool)", statistics.median(cold_resets), percentile(cold_resets, 0.99), ""),
        (
            "episode step: CodeAction 'x = 1'",
            statistics.median(steps),
            percentile(steps, 0.99),
            f"bare exec {bare:.4f} ms",
        ),
        ("  overhead over bare exec", statistics.median(steps) - bare, float("nan"), "target <= 5 ms"),
        ("episode tool call from code (dispatch)", per_env_tool_call, float("nan"), "target <= 1 ms"),
    ]
    print(f"{'measurement':<45} {'p50 ms':>9} {'p99 ms':>9}  note")
    for name, p50, p99, note in rows:
        print(f"{name:<45} {p50:>9.3f} {p99:>9.3f}  {note}")


if __name__ == "__main__":
    anyio.run(main)
