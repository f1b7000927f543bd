"""The Ray benchmark in a tiny configuration, on its own real two-node cluster.

It runs as its own process: the benchmark starts (and stops) a cluster of its own, which a
process already joined to another (the Ray tests' session cluster) cannot do.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.bench_ray import Row, table

pytestmark = [pytest.mark.subprocess, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parents[2]


def test_a_tiny_run_measures_every_way_and_spreads_over_both_nodes(tmp_path: Path) -> None:
    out = tmp_path / "bench_ray.json"
    command = [
        sys.executable,
        "-m",
        "benchmarks.bench_ray",
        "--steps",
        "5",
        "--episodes",
        "4",
        "--rounds",
        "2",
    ]
    done = subprocess.run(
        [*command, "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    rows = [Row(**row) for row in json.loads(out.read_text())]
    assert [(row.way, row.nodes) for row in rows] == [
        ("in-process", 0),
        ("ray actor", 1),
        ("ray step_batch", 1),
        ("ray step_batch, one actor", 1),
        ("ray step_batch", 2),
    ]
    assert [row.nodes_used for row in rows if row.way.startswith("ray step_batch")] == [1, 1, 2]
    assert all(row.steps > 0 and row.steps_per_s > 0 for row in rows)
    assert "a step through an actor costs" in table(rows) and "a step through an actor costs" in done.stdout
