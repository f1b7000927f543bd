"""Every environment's built-in tasks as a taskset, each one a valid reset."""

from __future__ import annotations

import pytest

from openenv_mcp import discovery
from openenv_mcp.tasks import builtin


def test_the_shipped_environments_built_in_tasks() -> None:
    assert len(builtin("python")) == 12 and builtin("python")["fizzbuzz"].options == {"task": "fizzbuzz"}
    assert builtin("terminal")["log_search"].data["title"]
    assert builtin("wordle").ids == ["standard", "hard"]
    assert builtin("connect_four")["minimax2-second"].options == {
        "opponent": "minimax",
        "depth": 2,
        "agent_first": False,
    }
    assert len(builtin("echo")) == 0


@pytest.mark.parametrize("name", ["wordle", "connect_four"])
async def test_a_built_in_task_starts_its_episode(name: str) -> None:
    env_class = discovery.load(name)
    for task in builtin(env_class):
        env = env_class()
        first = await env.reset(**task.reset_kwargs(seed=1))
        again = env_class()
        assert (await again.reset(**task.reset_kwargs(seed=1))).observation == first.observation
        await env.close()
        await again.close()
