"""Replay: run a recorded trajectory again on its seed and options, and find the first divergence.

The episode is reset with the recorded seed and options and each recorded action is taken
in turn; the first observation text, reward or ending that differs is reported (None: the
run replays exactly), so an environment's determinism is checkable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from openenv_mcp.environment import Environment
from openenv_mcp.spec import ACTION_ADAPTER, StepResult
from openenv_mcp.spec.wire import observation_text
from openenv_mcp.trajectories.model import StepEntry, Trajectory

__all__ = ["Divergence", "replay"]


@dataclass(frozen=True)
class Divergence:
    """Where a replay first differed: the step (0: the reset), what, and the two values."""

    step: int
    field: str
    recorded: Any
    replayed: Any

    def __str__(self) -> str:
        where = "the reset" if self.step == 0 else f"step {self.step}"
        return f"{where}: {self.field} differs: recorded {self.recorded!r}, replayed {self.replayed!r}"


async def replay(trajectory: Trajectory, env: Environment) -> Divergence | None:
    """Replay `trajectory` on `env` (a fresh instance of its environment), closing it afterwards."""
    try:
        start = trajectory.start
        first = await env.reset(seed=start.seed, options=start.options)
        text = observation_text(first.observation)
        if text != start.observation:
            return Divergence(0, "observation", start.observation, text)
        for entry in trajectory.steps:
            result = await env.step(ACTION_ADAPTER.validate_python(entry.action))
            found = _compare(entry, result)
            if found is not None:
                return found
        return None
    finally:
        await env.close()


def _compare(entry: StepEntry, result: StepResult) -> Divergence | None:
    checks: list[tuple[str, Any, Any, bool]] = [
        ("observation", entry.observation, observation_text(result.observation), False),
        ("reward", entry.reward, result.reward, True),
        ("terminated", entry.terminated, result.terminated, False),
        ("truncated", entry.truncated, result.truncated, False),
    ]
    for name, recorded, replayed, close in checks:
        same = math.isclose(recorded, replayed, abs_tol=1e-9) if close else recorded == replayed
        if not same:
            return Divergence(entry.step, name, recorded, replayed)
    return None
