"""The /ws benchmark in a tiny configuration: both servers answer every step, the table compares them."""

from __future__ import annotations

import anyio
import pytest

from benchmarks.bench_openenv_ws import OURS, PEER, measure, table

pytestmark = [pytest.mark.subprocess, pytest.mark.timeout(300)]


async def test_both_servers_answer_every_step_of_every_session() -> None:
    with anyio.fail_after(240):
        rows = await measure([1, 3], steps=4, blocks=1)
    assert {(row.driver, row.episodes) for row in rows} == {(d, n) for d in (OURS, PEER) for n in (1, 3)}
    for row in rows:
        assert row.errors == 0, row.first_error
        assert row.steps == row.episodes * 4 and row.steps_per_s > 0
    shown = table(rows)
    assert f"| {OURS} | 3 | 12 |" in shown and "1.00x" in shown
