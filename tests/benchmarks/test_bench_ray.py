"""The Ray benchmark in a tiny configuration, on its own real two-node cluster."""

from __future__ import annotations

import anyio
import pytest

from benchmarks.bench_ray import measure, table

pytestmark = [pytest.mark.subprocess, pytest.mark.timeout(300)]


async def test_a_tiny_run_measures_every_way_and_spreads_over_both_nodes() -> None:
    with anyio.fail_after(240):
        rows = await measure(steps=5, episodes=4, rounds=2)
    assert [(row.way, row.nodes) for row in rows] == [
        ("in-process", 0),
        ("ray actor", 1),
        ("ray step_batch", 1),
        ("ray step_batch, one actor", 1),
        ("ray step_batch", 2),
    ]
    assert [row.nodes_used for row in rows if row.way.startswith("ray step_batch")] == [1, 1, 2]
    assert all(row.steps > 0 and row.steps_per_s > 0 for row in rows)
    assert "a step through an actor costs" in table(rows)
