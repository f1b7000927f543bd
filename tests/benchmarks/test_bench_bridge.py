"""The bridge benchmark, run tiny: both cost ways measured, and no wrong answer through the bridge.

No timing is asserted: the benchmark is a script whose table is read, not a timed test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent.parent

pytestmark = [pytest.mark.subprocess, pytest.mark.timeout(200)]


def test_the_tiny_run_measures_both_ways_and_the_bridge_never_answers_wrong(tmp_path: Path) -> None:
    out = tmp_path / "bench_bridge.json"
    command = [sys.executable, "-m", "benchmarks.bench_bridge", "--steps", "40", "--blocks", "2"]
    command += ["--delay-steps", "30", "--out", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "| direct /ws |" in done.stdout and "| ours, through the bridge |" in done.stdout
    results = json.loads(out.read_text())
    ways = {row["way"]: row for row in results["cost"]}
    assert set(ways) == {"direct /ws", "bridge step", "bridge step, no state", "bridge over MCP (memory)"}
    assert all(row["steps"] == 40 and row["p50_ms"] > 0 for row in ways.values())
    ours, by_order = results["delays"]
    assert ours["answered_wrong"] == 0 and ours["other_errors"] == 0
    assert ours["answered_right"] + ours["timed_out"] == ours["steps"] == 30
    assert ours["timed_out"] > 0  # the schedule has delays past the timeout
    assert by_order["steps"] == 30
