"""The python environment on the process backend (containers): a full episode, graded."""

from __future__ import annotations

import anyio
import pytest

from openenv_mcp import ToolCallAction
from openenv_mcp.sandbox.process import process_factory
from openenv_mcp.sandbox.provider import SandboxProvider
from openenv_mcp_python import PythonEnvironment

from .conftest import reference

pytestmark = pytest.mark.sandbox


async def test_an_episode_is_played_and_graded_without_namespaces() -> None:
    specs, limits = PythonEnvironment.code_tool_specs(), PythonEnvironment.sandbox_limits
    env = PythonEnvironment(SandboxProvider(specs, limits, factory=process_factory, pool_size=0))
    try:
        with anyio.fail_after(60):
            await env.reset(seed=0, options={"task": "to_roman"})
            wrote = await env.step(
                ToolCallAction(
                    tool_name="write_file",
                    parameters={"path": "solution.py", "content": reference("to_roman")},
                )
            )
            assert wrote.error is None
            tried = await env.step(
                ToolCallAction(
                    tool_name="run_python", parameters={"code": "import solution\nsolution.to_roman(4)"}
                )
            )
            assert tried.observation.value == "'IV'", tried.observation
            graded = await env.step(ToolCallAction(tool_name="submit", parameters={}))
        assert graded.reward == 1.0 and graded.terminated, graded.observation
    finally:
        with anyio.fail_after(30):
            await env.close()
