"""A Harbor task folder as an episode of `terminal`: seeded workspace, hidden tests, a grader's reward."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from openenv_mcp.errors import TaskError
from openenv_mcp.sandbox import sandbox_processes
from openenv_mcp.spec import ToolCallAction
from openenv_mcp.tasks import load
from openenv_mcp_terminal import TerminalEnvironment
from tests.tasks.harbor_fixture import write_task

pytestmark = pytest.mark.sandbox


def call(tool: str, **parameters: object) -> ToolCallAction:
    return ToolCallAction(tool_name=tool, parameters=parameters)


async def test_a_harbor_task_is_solved_and_checked_in_the_sandbox(tmp_path: Path) -> None:
    task = load(write_task(tmp_path), env="terminal")["answer"]
    env = TerminalEnvironment()
    try:
        with anyio.fail_after(60):
            first = await env.reset(**task.reset_kwargs(seed=0))
            assert first.observation.task == "answer" and "Write the answer" in first.observation.statement
            listing = await env.step(call("run_command", command="find . -type f | sort"))
            assert listing.observation.stdout.split() == ["./data/hint.txt"], "no tests, no Dockerfile"
            failed = await env.step(call("check"))
            assert not failed.observation.passed and failed.reward == 0.0
            assert "reward: 0" in failed.observation.message
            assert env.instance is not None
            await env.step(call("run_command", command=env.instance.solution[0]))  # solve.sh
            passed = await env.step(call("check"))
            assert passed.observation.passed and passed.reward == 1.0 and passed.terminated
            seen = await env.step(call("run_command", command="ls -a"))
            assert seen.info["error_kind"] == "episode_ended"
    finally:
        marker = getattr(env.sandbox, "marker", None)
        with anyio.fail_after(10):
            await env.close()
        if isinstance(marker, str):
            assert sandbox_processes(marker) == []


def test_a_harbor_row_the_terminal_refuses_is_named(tmp_path: Path) -> None:
    rows = [{"id": "x", "task": {"id": "x", "title": "t", "instruction": "i", "tests": {"other.sh": ""}}}]
    with pytest.raises(TaskError, match=r"row 0 \(task 'x'\).*test\.sh"):
        load(rows, env=TerminalEnvironment)
