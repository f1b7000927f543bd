"""Benchmark the bubblewrap sandbox in two code trees in one run: before and after a change.

Run with ``uv run python -m benchmarks.bench_sandbox [--baseline REF] [--rounds N] [--blocks K]
[--out DIR]``. "after" is the working tree; "before" is REF (default d705567, the commit before
the sandbox hardening), checked out with ``git worktree add --detach`` into a temporary folder
that is removed at the end, also on an error or an interrupt.

Each tree is measured by ``benchmarks/sandbox_measure.py`` run in child processes whose
PYTHONPATH puts that tree's packages first: one measurement code, each tree's own code
measured. A child reports where it imported each package from, and one that
imported the wrong tree is an error. Each of the K blocks has two phases: the microsecond
scenarios (a code step, a tool call) in both trees at once, taking turns every few
milliseconds so that both see the same moments of a shared machine; then the rest, one tree
after the other, in an order that alternates by block (before, after; after, before; ...).
The samples of all blocks are pooled. Prints the table and the issue's targets; writes
``results.json`` (rows, samples, machine) and ``summary.md`` under ``--out`` (default
``results/sandbox-<UTC time>/``).

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
from collections.abc import Generator
from dataclasses import asdict, dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from benchmarks import sandbox_measure
from benchmarks.sandbox_measure import (
    BASELINE,
    CODE_STEPS_PER_ROUND,
    ROOT,
    ROUNDS,
    SCENARIOS,
    TREES,
    TURN_STEPS,
    BenchmarkError,
    percentile,
    say,
)

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
    script = str(Path(sandbox_measure.__file__).resolve())
    command = [sys.executable, "-P", script, "--measure", label, "--phase", phase]
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
    args = parser.parse_args(argv)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    return run_compare(
        args.baseline, args.rounds, args.blocks, args.out or Path("results") / f"sandbox-{stamp}"
    )


if __name__ == "__main__":
    sys.exit(main())
