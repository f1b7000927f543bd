"""The Q-learning example learns, over a real server process: it beats a random policy."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from examples.progress import bar
from examples.q_learning import curve, plot, run

pytestmark = pytest.mark.subprocess

MARGIN = 0.3
"""How much higher the learned mean return must be than a random policy's (returns lie in [-1, 1])."""


async def test_the_learned_policy_beats_random_by_a_margin(tmp_path: Path) -> None:
    with anyio.fail_after(110):
        report = await run(games=500, envs=32, eval_games=96, seed=0)
    assert len(report.returns) == 500
    assert report.learned > report.random + MARGIN, (report.learned, report.random)
    assert report.learned > 0.5
    plot(report.returns, str(tmp_path / "curve.png"))
    assert (tmp_path / "curve.png").stat().st_size > 1000
    assert len(curve(report.returns).split()) == 10


def test_the_progress_bar() -> None:
    assert bar(0, 4, width=4) == "[....]   0%"
    assert bar(4, 4, width=4) == "[####] 100%"
