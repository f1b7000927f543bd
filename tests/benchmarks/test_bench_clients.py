"""The client benchmark in a tiny configuration: every way steps every episode, the table compares them."""

from __future__ import annotations

import anyio
import pytest

from benchmarks.bench_clients import measure, table

pytestmark = [pytest.mark.subprocess, pytest.mark.timeout(300)]


async def test_every_client_steps_every_episode() -> None:
    with anyio.fail_after(240):
        rows = await measure([1, 3], 2, True)
    ways = {"lean", "vector batched", "vector each", "openenv client"}
    ways |= {"env clients, shared", "env clients, own"}
    assert {(row.way, row.episodes) for row in rows} == {(way, n) for way in ways for n in (1, 3)}
    for row in rows:
        assert row.errors == 0, row.first_error
        assert row.steps == row.episodes * 2 and row.steps_per_s > 0
    assert "| vector batched | 3 | 6 |" in table(rows)
