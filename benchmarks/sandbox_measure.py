"""The sandbox benchmark's measurements, run in a child process on one code tree's packages.

``benchmarks.bench_sandbox`` starts this file as ``python -P <this file> --measure TREE
--phase PHASE ...`` with PYTHONPATH putting that tree first: one measurement code, each
tree's own code measured. It writes the samples and where it imported each package from.
Only APIs present in both trees are used. `Pinger`, `episode_resets` and `percentile` also
serve ``benchmarks.bench_containers``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import mcp

import openenv_mcp
import openenv_mcp_python
import openenv_mcp_terminal
from openenv_mcp import CodeAction, StepResult, ToolCallAction, tool
from openenv_mcp.environment import CodeActEnvironment, Environment
from openenv_mcp.sandbox import SandboxLimits, ToolSpec, WarmPool, bubblewrap_factory
from openenv_mcp.sandbox.provider import SandboxProvider
from openenv_mcp.server import EnvServer
from openenv_mcp_python import PythonEnvironment
from openenv_mcp_terminal import TerminalEnvironment

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "d705567"
TOOLS = [ToolSpec("ping", "Answer pong.", ["n"], "(n: int) -> int")]
LIMITS = SandboxLimits()
ROUNDS = 30
CODE_STEPS_PER_ROUND = 100
"""Code steps a round: a step takes some 50 us."""
TURN_STEPS = 20
"""Code steps a turn (about 1-2 ms) when both trees take turns."""
POOL = 2
TREES = ("before", "after")

SCENARIOS = {
    "cold_start": "cold start: bwrap start + first execute('x = 1')",
    "warm_acquire": f"warm acquire from a full WarmPool of {POOL}",
    "code_step": "CodeAction 'x = 1' step (CodeAct env)",
    "tool_call": "tool call from code (per call, 1000 calls - empty loop)",
    "mcp_reset": f"warm reset over MCP (in-memory, pool of {POOL})",
    "submit_wrong": "python submit(), wrong solution",
    "submit_right": "python submit(), correct solution",
    "check_unsolved": "terminal check(), unsolved",
    "check_solved": "terminal check(), solved (2 commands)",
}
"""Every scenario measured in both trees, by key, with its row label."""

FIZZBUZZ = {
    "wrong": "def fizzbuzz(n):\n    return [str(i) for i in range(1, n + 1)]\n",
    "right": (
        "def fizzbuzz(n):\n"
        "    return ['Fizz' * (i % 3 == 0) + 'Buzz' * (i % 5 == 0) or str(i) for i in range(1, n + 1)]\n"
    ),
}


class BenchmarkError(Exception):
    """A tree could not be checked out or measured."""


def say(message: str) -> None:
    """A progress line on stderr."""
    print(message, file=sys.stderr, flush=True)


def percentile(samples: list[float], q: float) -> float:
    """The q-quantile (0..1, nearest rank) of `samples`."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def since(began: float) -> float:
    """Milliseconds since `began` (a `time.perf_counter()`)."""
    return (time.perf_counter() - began) * 1000


async def filled(count: Callable[[], int], size: int = POOL) -> None:
    """Wait (at most a minute) until a warm pool is full again, as between episodes."""
    with anyio.fail_after(60):
        while count() < size:  # noqa: ASYNC110 (the pool refills in its own task)
            await anyio.sleep(0.005)


class Pinger(CodeActEnvironment):
    """A CodeAct environment with one trivial tool."""

    name = "pinger"

    @tool
    def ping(self, n: int) -> int:
        """Answer with n."""
        return n


# --- the scenarios, run in the child of each tree -------------------------------------------------


async def cold_start(rounds: int) -> list[float]:
    """(1) A sandbox started and its first execute."""
    samples: list[float] = []
    for _ in range(rounds):
        began = time.perf_counter()
        sandbox = bubblewrap_factory(TOOLS, LIMITS)
        await sandbox.start()
        await sandbox.execute("x = 1")
        samples.append(since(began))
        await sandbox.close()
    return samples


async def warm_acquire(rounds: int) -> list[float]:
    """(2) An acquire from a full pool."""
    samples: list[float] = []
    async with WarmPool(bubblewrap_factory, TOOLS, LIMITS, size=POOL) as pool:
        for _ in range(rounds):
            await filled(lambda: pool.idle)
            began = time.perf_counter()
            sandbox = await pool.acquire()
            samples.append(since(began))
            await sandbox.close()
    return samples


class Turns:
    """Two children, one per tree, taking turns: wait for the token, run a stretch, pass it on.

    A 50 us step swings between two speeds as the machine's load comes and goes, every tenth
    of a second or so; turns a few milliseconds long put both trees in the same moments.
    Without descriptors (one tree alone) a turn waits for nothing.
    """

    def __init__(self, fds: tuple[int, int] | None = None) -> None:
        self.fds = fds

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncGenerator[None]:
        if self.fds is None:
            yield
            return
        wait_fd, pass_fd = self.fds
        if not await anyio.to_thread.run_sync(os.read, wait_fd, 1):
            raise BenchmarkError("the other tree's child ended before its turns did")
        yield
        os.write(pass_fd, b".")


@contextlib.asynccontextmanager
async def episode_in_turns(turns: Turns) -> AsyncGenerator[Pinger]:
    """A started episode; its start and close take a turn each, so no measured turn overlaps them."""
    async with turns.turn():
        env = Pinger()
        await env.reset()
    try:
        yield env
    finally:
        async with turns.turn():
            await env.close()


async def code_steps(rounds: int, turns: Turns) -> dict[str, list[float]]:
    """(3) A trivial code action through the environment's step, in turns of TURN_STEPS."""
    samples: list[float] = []
    async with episode_in_turns(turns) as env:
        for _ in range(rounds * CODE_STEPS_PER_ROUND // TURN_STEPS):
            async with turns.turn():
                for _ in range(TURN_STEPS):
                    began = time.perf_counter()
                    await env.step(CodeAction(code="x = 1"))
                    samples.append(since(began))
    return {"code_step": samples}


async def tool_calls(rounds: int, turns: Turns) -> dict[str, list[float]]:
    """(4) A tool call from code: 1000 calls less an empty loop of 1000, per call; one a turn."""
    samples: list[float] = []
    async with episode_in_turns(turns) as env:
        for _ in range(rounds):
            async with turns.turn():
                began = time.perf_counter()
                calls = await env.step(CodeAction(code="for i in range(1000):\n    ping(i)"))
                with_calls = since(began)
                began = time.perf_counter()
                await env.step(CodeAction(code="for i in range(1000):\n    pass"))
                samples.append((with_calls - since(began)) / 1000)
            assert calls.error is None, calls.error
        assert env.code_tool_calls == 1000 * rounds
    return {"tool_call": samples}


async def mcp_resets(rounds: int) -> list[float]:
    """(5) `reset` over MCP, in memory, with the server's warm pool full."""
    server = EnvServer(Pinger, warm_pool=POOL)
    provider = server.sandbox_provider
    assert provider is not None
    samples: list[float] = []
    async with mcp.Client(server.server, mode="2026-07-28", read_timeout_seconds=60) as client:
        for _ in range(rounds):
            await filled(lambda: provider.warm)
            began = time.perf_counter()
            reset = await client.call_tool("reset", {})
            samples.append(since(began))
            if reset.is_error or reset.structured_content is None:
                raise BenchmarkError(f"reset over MCP failed: {reset.content}")
            await client.call_tool("close", {"episode_id": reset.structured_content["episode_id"]})
    await server.aclose()
    return samples


async def episode_resets(pool_size: int) -> list[float]:
    """A CodeAct environment's reset with a warm pool of `pool_size` (0: cold), ROUNDS times."""
    provider = SandboxProvider(Pinger.code_tool_specs(), Pinger.sandbox_limits, pool_size=pool_size)
    samples: list[float] = []
    async with provider.running():
        for _ in range(ROUNDS):
            await filled(lambda: provider.warm, pool_size)
            env = Pinger(provider)
            began = time.perf_counter()
            await env.reset()
            samples.append(since(began))
            await env.close()
    return samples


async def timed_call(env: Environment, provider: SandboxProvider, name: str) -> tuple[float, StepResult]:
    """A tool call's latency through the environment, started with the warm pool full."""
    await filled(lambda: provider.warm)
    began = time.perf_counter()
    result = await env.step(ToolCallAction(tool_name=name, parameters={}))
    return since(began), result


async def call(env: Environment, name: str, **parameters: Any) -> None:
    """An untimed tool call that must succeed."""
    result = await env.step(ToolCallAction(tool_name=name, parameters=parameters))
    if result.error is not None:
        raise BenchmarkError(f"{name} failed: {result.error}")


async def submits(rounds: int) -> dict[str, list[float]]:
    """(6) python's submit() of a wrong and then a correct fizzbuzz, warm pool of 2."""
    env_class = PythonEnvironment
    provider = SandboxProvider(env_class.code_tool_specs(), env_class.sandbox_limits, pool_size=POOL)
    samples: dict[str, list[float]] = {"submit_wrong": [], "submit_right": []}
    async with provider.running():
        for seed in range(rounds):
            env = env_class(provider)
            await env.reset(seed=seed, options={"task": "fizzbuzz"})
            for verdict in ("wrong", "right"):
                await call(env, "write_file", path="solution.py", content=FIZZBUZZ[verdict])
                latency, result = await timed_call(env, provider, "submit")
                if result.error is not None or result.terminated != (verdict == "right"):
                    raise BenchmarkError(f"submit of the {verdict} solution: {result}")
                samples[f"submit_{verdict}"].append(latency)
            await env.close()
    return samples


async def checks(rounds: int) -> dict[str, list[float]]:
    """(7) terminal's check() of shell_script, before and after its reference solution, pool of 2."""
    env_class = TerminalEnvironment
    provider = SandboxProvider(env_class.code_tool_specs(), env_class.sandbox_limits, pool_size=POOL)
    samples: dict[str, list[float]] = {"check_unsolved": [], "check_solved": []}
    async with provider.running():
        for seed in range(rounds):
            env = env_class(provider)
            await env.reset(seed=seed, options={"task": "shell_script"})
            assert env.instance is not None
            for state in ("unsolved", "solved"):
                if state == "solved":
                    for command in env.instance.solution:
                        await call(env, "run_command", command=command)
                latency, result = await timed_call(env, provider, "check")
                if result.error is not None or result.terminated != (state == "solved"):
                    raise BenchmarkError(f"check of the {state} task: {result}")
                samples[f"check_{state}"].append(latency)
            await env.close()
    return samples


Measure = Callable[[int, Turns], Awaitable[dict[str, list[float]]]]


def alone(key: str, scenario: Callable[[int], Awaitable[list[float]]]) -> Measure:
    """A one-row scenario that runs without turns."""

    async def run(rounds: int, _turns: Turns) -> dict[str, list[float]]:
        return {key: await scenario(rounds)}

    return run


def rows_alone(scenario: Callable[[int], Awaitable[dict[str, list[float]]]]) -> Measure:
    """A scenario of several rows that runs without turns."""

    async def run(rounds: int, _turns: Turns) -> dict[str, list[float]]:
        return await scenario(rounds)

    return run


PHASES: dict[str, list[Measure]] = {
    "paired": [code_steps, tool_calls],
    "alone": [
        alone("cold_start", cold_start),
        alone("warm_acquire", warm_acquire),
        alone("mcp_reset", mcp_resets),
        rows_alone(submits),
        rows_alone(checks),
    ],
}
"""The microsecond scenarios run in both trees at once, taking turns; the rest one tree at a time."""


def imported_from() -> dict[str, str]:
    """Where this process imported the measured packages from."""
    return {
        module.__name__: str(Path(module.__file__ or "?").resolve().parent)
        for module in (openenv_mcp, openenv_mcp_python, openenv_mcp_terminal)
    }


async def measure_all(label: str, rounds: int, phase: str, turns: Turns) -> dict[str, Any]:
    """The phase's scenarios in this process's tree, `rounds` samples each (code steps: more)."""
    say(f"  [{label}] {phase}: openenv_mcp from {openenv_mcp.__file__}")
    samples: dict[str, list[float]] = {}
    for scenario in PHASES[phase]:
        began = time.perf_counter()
        found = await scenario(rounds, turns)
        samples.update(found)
        say(f"  [{label}] {', '.join(found)}: {since(began) / 1000:.1f} s")
    return {"imported": imported_from(), "samples": samples}


async def cancel_on_sigterm(scope: anyio.CancelScope) -> None:
    with anyio.open_signal_receiver(signal.SIGTERM) as signals:
        async for _ in signals:
            scope.cancel()
            return


async def measure(label: str, rounds: int, phase: str, turns: Turns) -> dict[str, Any] | None:
    """`measure_all`, or None when SIGTERM cancelled it (its sandboxes closed on the way out)."""
    async with anyio.create_task_group() as group:
        group.start_soon(cancel_on_sigterm, group.cancel_scope)
        found = await measure_all(label, rounds, phase, turns)
        group.cancel_scope.cancel()
        return found
    return None


def run_measure(label: str, rounds: int, phase: str, turns: Turns, out: Path) -> int:
    """The child's part: measure this tree's `phase`, write the samples to `out`."""
    found = anyio.run(measure, label, rounds, phase, turns)
    if found is None:
        say(f"  [{label}] stopped")
        return 130
    out.write_text(json.dumps(found))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="One tree's sandbox measurements (started by bench_sandbox)."
    )
    parser.add_argument("--measure", choices=TREES, required=True)
    parser.add_argument("--phase", choices=PHASES, required=True)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--turns")
    parser.add_argument("--child-out", type=Path, required=True)
    args = parser.parse_args(argv)
    fds = tuple(int(fd) for fd in args.turns.split(",")) if args.turns else None
    turns = Turns((fds[0], fds[1]) if fds else None)
    return run_measure(args.measure, args.rounds, args.phase, turns, args.child_out)


if __name__ == "__main__":
    sys.exit(main())
