"""The terminal environment on the process backend (containers): every task solved and checked."""

from __future__ import annotations

import anyio
import pytest

from openenv_mcp import ToolCallAction
from openenv_mcp.sandbox.process import process_factory
from openenv_mcp.sandbox.provider import SandboxProvider
from openenv_mcp_terminal import TerminalEnvironment
from openenv_mcp_terminal.commands import CommandResult
from openenv_mcp_terminal.observations import CheckResult
from openenv_mcp_terminal.tasks import TASKS

pytestmark = pytest.mark.sandbox


@pytest.mark.parametrize("task", list(TASKS))
async def test_the_reference_solution_solves_the_task_without_namespaces(task: str) -> None:
    specs, limits = TerminalEnvironment.code_tool_specs(), TerminalEnvironment.sandbox_limits
    env = TerminalEnvironment(SandboxProvider(specs, limits, factory=process_factory, pool_size=0))
    try:
        with anyio.fail_after(60):
            await env.reset(seed=0, options={"task": task})
            assert env.instance is not None
            for command in env.instance.solution:
                done = await env.step(
                    ToolCallAction(tool_name="run_command", parameters={"command": command})
                )
                assert isinstance(done.observation, CommandResult) and done.observation.exit_code == 0, done
            checked = await env.step(ToolCallAction(tool_name="check", parameters={}))
        assert isinstance(checked.observation, CheckResult) and checked.observation.passed, (
            checked.observation
        )
        assert checked.reward == 1.0 and checked.terminated
    finally:
        with anyio.fail_after(30):
            await env.close()
