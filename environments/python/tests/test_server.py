"""The python environment served over MCP in memory, in both protocol eras; no sandbox outlives it."""

from __future__ import annotations

from collections.abc import Callable

import anyio
import mcp
import pytest
from mcp.client.client import ConnectMode

from openenv_mcp.conformance import child_pids
from openenv_mcp.sandbox import sandbox_processes
from openenv_mcp.server import EnvServer
from openenv_mcp.testing import step_meta, text
from openenv_mcp_python import PythonEnvironment

pytestmark = pytest.mark.sandbox


@pytest.mark.parametrize("era", ["legacy", "2026-07-28"])
async def test_solve_a_task_over_mcp(era: ConnectMode, solution: Callable[[str], str]) -> None:
    before = ours()
    server = EnvServer(PythonEnvironment, warm_pool=1)
    with anyio.fail_after(60):
        async with mcp.Client(server.server, mode=era, read_timeout_seconds=30) as client:
            tools = {tool.name for tool in (await client.list_tools()).tools}
            assert {"run_python", "read_file", "write_file", "list_files", "submit", "reset"} <= tools
            reset = await client.call_tool("reset", {"seed": 1, "options": {"task": "rle_encode"}})
            assert reset.structured_content is not None
            episode = {"episode_id": reset.structured_content["episode_id"]}
            assert "def rle_encode(text: str) -> str:" in text(reset)
            assert ours() - before, "the episode's sandbox should be seen while it runs"

            tried = await client.call_tool("run_python", {"code": "print(sorted(list_files()))", **episode})
            assert not tried.is_error and "['solution.py']" in text(tried)
            wrong = "def rle_encode(text):\n    return ''\n"
            await client.call_tool("write_file", {"path": "solution.py", "content": wrong, **episode})
            partial = await client.call_tool("submit", episode)
            assert (
                step_meta(partial)["reward"] == pytest.approx(1 / 7) and not step_meta(partial)["terminated"]
            )
            assert "Hidden tests: 1/7 passed" in text(partial)

            content = solution("rle_encode")
            written = await client.call_tool(
                "write_file", {"path": "solution.py", "content": content, **episode}
            )
            assert not written.is_error, text(written)
            graded = await client.call_tool("submit", episode)
            assert step_meta(graded)["reward"] == pytest.approx(6 / 7) and step_meta(graded)["terminated"]
            assert graded.structured_content is not None and graded.structured_content["passed"] == 7
            state = await client.call_tool("state", episode)
            assert state.structured_content is not None
            assert state.structured_content["total_reward"] == pytest.approx(1.0)
            await client.call_tool("close", episode)
        await server.aclose()
    assert server.registry.live == 0
    assert ours() - before == set()


def ours() -> set[int]:
    """Live sandbox processes started from this process (other test runs may share the machine)."""
    return set(sandbox_processes()) & child_pids()
