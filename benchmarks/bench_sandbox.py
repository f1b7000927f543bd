"""Benchmark the bubblewrap sandbox in two code trees in one run: before and after a change.

Run with ``uv run python -m benchmarks.bench_sandbox [--baseline REF] [--rounds N] [--blocks K]
[--out DIR]``. "after" is the working tree; "before" is REF (default d705567, the commit before
the sandbox hardening), checked out with ``git worktree add --detach`` into a temporary folder
that is removed at the end, also on an error or an interrupt.

Each tree is measured by this same file run in child processes (``python -P <this file>
--measure``) whose PYTHONPATH puts that tree's packages first: one measurement code, each
tree's own code measured. A child reports where it imported each package from, and one that
imported the wrong tree is an error. Each of the K blocks has two phases: the microsecond
scenarios (a code step, a tool call) in both trees at once, taking turns every few
milliseconds so that both see the same moments of a shared machine; then the rest, one tree
after the other, in an order that alternates by block (before, after; after, before; ...).
The samples of all blocks are pooled. Prints the table and the issue's targets; writes
``results.json`` (rows, samples, machine) and ``summary.md`` under ``--out`` (default
``results/sandbox-<UTC time>/``).

Only APIs present in both trees are used here. `Pinger`, `episode_resets` and `percentile`
also serve ``benchmarks.bench_containers``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from dataclasses import asdict, dataclass
from pathlib import Path
from types import FrameType
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


# --- the parent: both trees, alternating blocks, the table ---------------------------------------


@dataclass
class Row:
    """One scenario in one tree, its samples pooled over every block."""

    scenario: str
    tree: str
    n: int
    p50_ms: float
    p99_ms: float


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=120)
    if done.returncode != 0:
        raise BenchmarkError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


@contextlib.contextmanager
def baseline_tree(ref: str, folder: Path) -> Generator[Path]:
    """`ref` checked out, detached, in a worktree under `folder`; removed on the way out."""
    tree = folder / "before"
    try:
        git("worktree", "add", "--detach", str(tree), ref)
        yield tree
    finally:
        with contextlib.suppress(BenchmarkError):
            git("worktree", "remove", "--force", str(tree))
        shutil.rmtree(tree, ignore_errors=True)
        with contextlib.suppress(BenchmarkError):
            git("worktree", "prune")


def python_path(tree: Path) -> str:
    """The tree's packages: the core, the adapters, every environment."""
    environments = sorted(path for path in (tree / "environments").iterdir() if path.is_dir())
    return os.pathsep.join(str(path) for path in [tree, tree / "adapters", *environments])


Child = subprocess.Popen[bytes]


def stop(child: Child) -> None:
    """Ask a child to unwind (it closes its sandboxes), then kill it if it does not."""
    child.terminate()
    try:
        child.wait(timeout=30)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def spawn(label: str, tree: Path, rounds: int, out: Path, phase: str, turns: tuple[int, int] | None) -> Child:
    """This file in a child process on `tree`'s packages, measuring `phase` into `out`.

    The child has a session of its own, so a Ctrl-C reaches only this process, which stops it.
    """
    command = [sys.executable, "-P", str(Path(__file__).resolve()), "--measure", label, "--phase", phase]
    command += ["--rounds", str(rounds), "--child-out", str(out)]
    if turns is not None:
        command += ["--turns", f"{turns[0]},{turns[1]}"]
    env = {**os.environ, "PYTHONPATH": python_path(tree)}
    return subprocess.Popen(command, cwd=tree, env=env, start_new_session=True, pass_fds=turns or ())


def wait_all(children: dict[str, Child]) -> None:
    """Wait for every child; on an interrupt stop them all; a failed one is an error."""
    try:
        codes = {label: child.wait() for label, child in children.items()}
    except BaseException:
        for child in children.values():
            stop(child)
        raise
    for label, code in codes.items():
        if code != 0:
            raise BenchmarkError(f"the {label} tree's measurement exited with {code}")


def found_in(out: Path, label: str, tree: Path) -> dict[str, Any]:
    """A child's results, once it is checked that it measured `tree`'s own packages."""
    found: dict[str, Any] = json.loads(out.read_text())
    for name, where in found["imported"].items():
        if not Path(where).is_relative_to(tree.resolve()):
            raise BenchmarkError(f"the {label} child imported {name} from {where}, not from {tree}")
    return found


def run_alone(label: str, tree: Path, rounds: int, folder: Path) -> dict[str, Any]:
    """The one-at-a-time scenarios of one tree, in a child of its own."""
    out = folder / f"{label}-alone.json"
    wait_all({label: spawn(label, tree, rounds, out, "alone", None)})
    return found_in(out, label, tree)


def run_paired(trees: dict[str, Path], rounds: int, folder: Path, first: str) -> dict[str, dict[str, Any]]:
    """The paired scenarios in both trees at once, `first` taking the first turn."""
    wait_before, pass_to_before = os.pipe()
    wait_after, pass_to_after = os.pipe()
    ends = {"before": (wait_before, pass_to_after), "after": (wait_after, pass_to_before)}
    os.write(pass_to_before if first == "before" else pass_to_after, b".")
    outs = {label: folder / f"{label}-paired.json" for label in TREES}
    children: dict[str, Child] = {}
    try:
        for label in TREES:
            children[label] = spawn(label, trees[label], rounds, outs[label], "paired", ends[label])
    finally:
        # Only the children hold the pipes now: when one ends, the other's wait sees it.
        for fd in (wait_before, pass_to_before, wait_after, pass_to_after):
            os.close(fd)
    wait_all(children)
    return {label: found_in(outs[label], label, trees[label]) for label in TREES}


def block_order(block: int) -> tuple[str, ...]:
    """before, after; after, before; ... so that drift hits both trees alike."""
    return TREES if block % 2 == 0 else TREES[::-1]


def merged(paired: dict[str, Any], alone: dict[str, Any]) -> dict[str, Any]:
    """One tree's results of a block: both phases' samples, and where it imported from."""
    return {"imported": alone["imported"], "samples": paired["samples"] | alone["samples"]}


def pooled(samples: dict[str, dict[str, list[float]]]) -> list[Row]:
    return [
        Row(key, tree, len(found), statistics.median(found), percentile(found, 0.99))
        for key in SCENARIOS
        for tree in TREES
        if (found := samples[tree].get(key))
    ]


def p50(rows: list[Row], scenario: str, tree: str) -> float:
    return next(row.p50_ms for row in rows if row.scenario == scenario and row.tree == tree)


def verdicts(rows: list[Row]) -> list[dict[str, Any]]:
    """The issue's three targets on this run's rows."""
    overhead = p50(rows, "code_step", "after") / p50(rows, "code_step", "before") - 1
    reset, cold = p50(rows, "mcp_reset", "after"), p50(rows, "cold_start", "after")
    return [
        {"target": "trivial code step: after/before p50 <= +10 %", "measured": f"{overhead * 100:+.1f} %"}
        | {"met": overhead <= 0.10},
        {"target": "warm reset over MCP: p50 < 5 ms (after)", "measured": f"{reset:.2f} ms"}
        | {"met": reset < 5},
        {"target": "cold start: p50 <= 100 ms (after)", "measured": f"{cold:.1f} ms"} | {"met": cold <= 100},
    ]


def markdown(rows: list[Row], targets: list[dict[str, Any]]) -> str:
    """The table of both trees and the targets' verdicts."""
    lines = [
        "| scenario | n | before p50 ms | before p99 ms | after p50 ms | after p99 ms | after/before p50 |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, label in SCENARIOS.items():
        before, after = (next(r for r in rows if r.scenario == key and r.tree == t) for t in TREES)
        lines.append(
            f"| {label} | {after.n} | {before.p50_ms:.3f} | {before.p99_ms:.3f} | {after.p50_ms:.3f} "
            f"| {after.p99_ms:.3f} | {after.p50_ms / before.p50_ms:.2f}x |"
        )
    lines += ["", "| target | measured | verdict |", "|---|---|---|"]
    lines += [f"| {t['target']} | {t['measured']} | {'met' if t['met'] else 'MISSED'} |" for t in targets]
    return "\n".join(lines) + "\n"


def compare(baseline: str, rounds: int, blocks: int, folder: Path) -> dict[str, Any]:
    """Both trees, in alternating blocks; the pooled rows and the verdicts."""
    from benchmarks.machine import machine_info

    machine = machine_info()
    trees: dict[str, dict[str, Any]] = {
        "before": {"ref": baseline, "commit": git("rev-parse", "--short", baseline)},
        "after": {"commit": git("rev-parse", "--short", "HEAD"), "dirty": bool(git("status", "--porcelain"))},
    }
    samples: dict[str, dict[str, list[float]]] = {tree: {} for tree in TREES}
    with baseline_tree(baseline, folder) as before:
        paths = {"before": before, "after": ROOT}
        for block in range(blocks):
            order = block_order(block)
            say(f"block {block + 1}/{blocks}: both trees at once, taking turns ({order[0]} first)")
            found = run_paired(paths, rounds, folder, first=order[0])
            for tree in order:
                say(f"block {block + 1}/{blocks}: {tree} ({paths[tree]})")
                found[tree] = merged(found[tree], run_alone(tree, paths[tree], rounds, folder))
            for tree in TREES:
                trees[tree] |= {"path": str(paths[tree]), "imported": found[tree]["imported"]}
                for key, values in found[tree]["samples"].items():
                    samples[tree].setdefault(key, []).extend(values)
    rows = pooled(samples)
    machine["load_average_after"] = machine_info()["load_average"]
    return {
        "machine": machine,
        "trees": trees,
        "config": {
            "rounds": rounds,
            "blocks": blocks,
            "code_steps_per_round": CODE_STEPS_PER_ROUND,
            "turn_steps": TURN_STEPS,
        },
        "scenarios": SCENARIOS,
        "rows": [asdict(row) for row in rows],
        "targets": verdicts(rows),
        "samples": samples,
    }


def interrupted(_signum: int, _frame: FrameType | None) -> None:
    """SIGTERM unwinds like Ctrl-C: the worktree is removed, the child stopped."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def run_measure(label: str, rounds: int, phase: str, turns: Turns, out: Path) -> int:
    """The child's part: measure this tree's `phase`, write the samples to `out`."""
    found = anyio.run(measure, label, rounds, phase, turns)
    if found is None:
        say(f"  [{label}] stopped")
        return 130
    out.write_text(json.dumps(found))
    return 0


def run_compare(baseline: str, rounds: int, blocks: int, out: Path) -> int:
    """The parent's part: both trees, the table on stdout, the results under `out`."""
    signal.signal(signal.SIGTERM, interrupted)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as folder:
            results = compare(baseline, rounds, blocks, Path(folder))
    except KeyboardInterrupt:
        say("interrupted: the baseline worktree is removed, nothing written")
        return 130
    except BenchmarkError as exc:
        say(f"error: {exc}")
        return 1
    summary = markdown([Row(**row) for row in results["rows"]], results["targets"])
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    (out / "summary.md").write_text(summary)
    print(summary)
    print(f"results: {out / 'results.json'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_sandbox",
        description="The sandbox in two code trees, before and after.",
    )
    parser.add_argument("--baseline", default=BASELINE, help=f"the 'before' commit (default {BASELINE})")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"samples per scenario a block ({ROUNDS})")
    parser.add_argument("--blocks", type=int, default=3, help="blocks per tree, alternating (3)")
    parser.add_argument("--out", type=Path, default=None, help="results folder (results/sandbox-<UTC time>)")
    parser.add_argument("--measure", choices=TREES, help=argparse.SUPPRESS)
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--turns", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        fds = tuple(int(fd) for fd in args.turns.split(",")) if args.turns else None
        turns = Turns((fds[0], fds[1]) if fds else None)
        return run_measure(args.measure, args.rounds, args.phase, turns, args.child_out)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    return run_compare(
        args.baseline, args.rounds, args.blocks, args.out or Path("results") / f"sandbox-{stamp}"
    )


if __name__ == "__main__":
    sys.exit(main())
