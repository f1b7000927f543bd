"""The terminal served over MCP in memory, in both protocol eras: a task solved end to end."""

from __future__ import annotations

import anyio
import mcp
import pytest
from mcp.client.client import ConnectMode

from openenv_mcp.sandbox import sandbox_processes
from openenv_mcp.server import EnvServer
from openenv_mcp.testing import step_meta, text
from openenv_mcp_terminal import TerminalEnvironment

pytestmark = pytest.mark.sandbox


@pytest.mark.parametrize("era", ["legacy", "2026-07-28"])
async def test_solve_a_task_over_mcp(era: ConnectMode) -> None:
    server = EnvServer(TerminalEnvironment)
    with anyio.fail_after(60):
        async with mcp.Client(server.server, mode=era, read_timeout_seconds=30) as client:
            tools = {tool.name for tool in (await client.list_tools()).tools}
            assert {"run_command", "read_file", "write_file", "list_dir", "check", "reset"} <= tools
            reset = await client.call_tool("reset", {"seed": 8, "options": {"task": "count_matches"}})
            assert reset.structured_content is not None, text(reset)
            episode = reset.structured_content["episode_id"]
            assert "Task count_matches" in text(reset)
            env = server.registry.get(episode).env
            assert isinstance(env, TerminalEnvironment) and env.sandbox is not None
            marker = getattr(env.sandbox, "marker", "")

            early = await client.call_tool("check", {"episode_id": episode})
            assert not early.is_error and "Not solved yet: answer.txt is missing" in text(early)
            assert step_meta(early)["reward"] == 0.0 and not step_meta(early)["terminated"]

            counted = await client.call_tool(
                "run_command", {"command": "grep -r TODO project | wc -l > answer.txt", "episode_id": episode}
            )
            assert not counted.is_error and text(counted) == "[exit code 0]"
            assert counted.structured_content is not None and counted.structured_content["exit_code"] == 0

            outside = await client.call_tool("read_file", {"path": "/etc/passwd", "episode_id": episode})
            assert outside.is_error and "outside the workspace" in text(outside)

            solved = await client.call_tool("check", {"episode_id": episode})
            assert text(solved) == "Solved: correct"
            assert step_meta(solved)["reward"] == 1.0 and step_meta(solved)["terminated"]
            await client.call_tool("close", {"episode_id": episode})
    assert server.registry.live == 0
    assert marker and sandbox_processes(marker) == []
