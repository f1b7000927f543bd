"""stdio: the real `openenv-mcp serve ENV --transport stdio` as a child process, both eras."""

from __future__ import annotations

import sys

import anyio
import mcp
import pytest
from mcp import StdioServerParameters
from mcp.client.client import ConnectMode

from openenv_mcp.server import META_STEP

pytestmark = pytest.mark.subprocess

ECHO_STDIO = StdioServerParameters(
    command=sys.executable, args=["-m", "openenv_mcp", "serve", "echo", "--transport", "stdio"]
)


async def test_the_process_is_one_connection_with_a_default_episode(era: ConnectMode) -> None:
    with anyio.fail_after(60):
        async with mcp.Client(ECHO_STDIO, mode=era, read_timeout_seconds=20) as client:
            first = await client.call_tool("echo", {"message": "one"})
            second = await client.call_tool("echo", {"message": "two"})
            assert not first.is_error and not second.is_error
            steps = [(r.meta or {})[META_STEP] for r in (first, second)]
            assert steps[0]["episode_id"] == steps[1]["episode_id"]
            assert steps[1]["step_count"] == 2
            state = await client.call_tool("state", {})
            assert state.structured_content is not None and state.structured_content["step_count"] == 2


async def test_reset_and_step_over_stdio(era: ConnectMode) -> None:
    with anyio.fail_after(60):
        async with mcp.Client(ECHO_STDIO, mode=era, read_timeout_seconds=20) as client:
            reset = await client.call_tool("reset", {"seed": 5, "options": {"max_steps": 1}})
            assert reset.structured_content is not None
            episode_id = reset.structured_content["episode_id"]
            action = {"type": "tool_call", "tool_name": "echo", "parameters": {"message": "hi"}}
            step = await client.call_tool("step", {"episode_id": episode_id, "action": action})
            assert step.structured_content is not None
            assert step.structured_content["truncated"] is True
            bad = await client.call_tool("echo", {"message": 1})
            assert bad.is_error
            await client.call_tool("reset", {})
            assert not (await client.call_tool("echo", {"message": "alive"})).is_error
