"""The sandbox benchmark, run tiny: both trees measured, results written, the worktree gone.

No timing is asserted: the benchmark is a script whose table is read, not a timed test.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.sandbox_measure import SCENARIOS, TREES

ROOT = Path(__file__).parent.parent.parent

pytestmark = [pytest.mark.sandbox, pytest.mark.subprocess, pytest.mark.timeout(90)]


def worktrees() -> str:
    return subprocess.run(
        ["git", "worktree", "list", "--porcelain"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout


def running_with(text: str) -> list[int]:
    """Processes whose command line mentions `text`."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_a_tiny_run_measures_every_scenario_in_both_trees(tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "benchmarks.bench_sandbox", "--rounds", "2", "--blocks", "2"]
    done = subprocess.run(
        [*command, "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=80, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]

    results = json.loads((out / "results.json").read_text())
    measured = {(row["scenario"], row["tree"]): row["n"] for row in results["rows"]}
    for scenario in SCENARIOS:
        for tree in TREES:
            assert measured.get((scenario, tree), 0) >= 4, (scenario, tree)
    assert len(results["targets"]) == 3 and all(isinstance(t["met"], bool) for t in results["targets"])
    assert results["machine"]["cores"] >= 1

    before = results["trees"]["before"]
    assert before["commit"].startswith("d705567")
    for module, where in before["imported"].items():
        assert Path(where).is_relative_to(before["path"]), (module, where)
    assert not Path(before["path"]).exists()
    assert before["path"] not in worktrees()

    summary = (out / "summary.md").read_text()
    assert all(label in summary for label in SCENARIOS.values())
    assert "| target | measured | verdict |" in summary
    assert summary in done.stdout


def test_a_terminated_run_removes_the_worktree_and_stops_its_child(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "benchmarks.bench_sandbox", "--rounds", "20", "--blocks", "2"]
    with subprocess.Popen(
        [*command, "--out", str(tmp_path)], cwd=ROOT, stderr=subprocess.PIPE, text=True
    ) as run:
        assert run.stderr is not None
        tree = ""
        for line in run.stderr:
            if started := re.match(r"block 1/2: before \((.+)\)$", line.strip()):
                tree = started.group(1)
            if tree and "] cold_start" in line:
                break
        assert tree, "the run never started its baseline block"
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=60) == 130
    assert not Path(tree).exists()
    assert tree not in worktrees()
    assert running_with(str(Path(tree).parent)) == []
    assert list(tmp_path.iterdir()) == []
