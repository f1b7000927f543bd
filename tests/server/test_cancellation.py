"""A cancelled call (a client's cancel, a read timeout) stops its sandboxed work, and the episode goes on."""

from __future__ import annotations

import os
from pathlib import Path

import anyio
import pytest
from mcp import MCPError
from mcp.client.client import ConnectMode

from openenv_mcp.environment.codeact import CANCELLED_NOTE, CodeActEnvironment
from openenv_mcp.sandbox import sandbox_processes
from openenv_mcp.sandbox.host import WorkerSandbox
from openenv_mcp.server import EnvServer
from openenv_mcp.testing import structured, text
from openenv_mcp_python import PythonEnvironment
from openenv_mcp_terminal import TerminalEnvironment
from tests.conftest import ERAS, connect

pytestmark = pytest.mark.sandbox

_BUSY_CODE = "import subprocess, time\nchild = subprocess.Popen(['sleep', '60'])\ntime.sleep(60)"


_OURS = f"openenv-sandbox-{os.getpid()}-"
"""The marker prefix of this process's sandboxes (other test runs may have theirs)."""


def _gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists()


@pytest.mark.parametrize("era", ERAS)
async def test_a_cancelled_code_action_stops_its_worker_and_the_next_call_says_so(era: ConnectMode) -> None:
    server = EnvServer(PythonEnvironment, warm_pool=0)
    with anyio.fail_after(60):
        async with connect(server, era) as client:
            episode_id = structured(await client.call_tool("reset", {"seed": 0}))["episode_id"]
            await client.call_tool("run_python", {"code": "x = 41", "episode_id": episode_id})
            episode = server.registry.get(episode_id)
            assert isinstance(episode.env, CodeActEnvironment)
            sandbox = episode.env.sandbox
            assert isinstance(sandbox, WorkerSandbox) and sandbox.pid is not None
            worker = sandbox.pid
            busy = {"code": _BUSY_CODE, "episode_id": episode_id}
            with pytest.raises(MCPError, match=r"(?i)timed out"):
                await client.call_tool("run_python", busy, read_timeout_seconds=1)
            async with episode.lock:  # the cancelled step holds it until its worker is stopped
                assert not sandbox.alive
                assert sandbox_processes(sandbox.marker) == [], "the cancelled code (or its child) runs on"
                assert _gone(worker)
            began = anyio.current_time()
            after = await client.call_tool("run_python", {"code": "x", "episode_id": episode_id})
            assert anyio.current_time() - began < 10, "the next call waited for the cancelled code"
            assert text(after).startswith(CANCELLED_NOTE)
            assert "NameError" in text(after)  # a fresh interpreter: the note says why
            again = await client.call_tool("run_python", {"code": "1 + 1", "episode_id": episode_id})
            assert text(again) == "2"
            state = structured(await client.call_tool("state", {"episode_id": episode_id}))
            assert state["step_count"] == 3  # the cancelled step left no record
            await client.call_tool("close", {"episode_id": episode_id})
    assert sandbox_processes(sandbox.marker) == []


async def test_a_cancelled_shell_command_is_killed_with_its_processes() -> None:
    server = EnvServer(TerminalEnvironment, warm_pool=0)
    with anyio.fail_after(90):
        async with connect(server, "legacy") as client:
            episode_id = structured(await client.call_tool("reset", {"seed": 0}))["episode_id"]
            episode = server.registry.get(episode_id)
            assert isinstance(episode.env, CodeActEnvironment)
            sandbox = episode.env.sandbox
            assert isinstance(sandbox, WorkerSandbox)
            command = {"command": "sleep 60 & sleep 60", "timeout": 50, "episode_id": episode_id}
            with pytest.raises(MCPError, match=r"(?i)timed out"):
                await client.call_tool("run_command", command, read_timeout_seconds=1)
            async with episode.lock:
                assert sandbox_processes(sandbox.marker) == []
            echoed = await client.call_tool("run_command", {"command": "echo back", "episode_id": episode_id})
            assert text(echoed) == "back\n[exit code 0]"
            await client.call_tool("close", {"episode_id": episode_id})


async def test_a_cancelled_grader_leaves_no_sandbox_behind() -> None:
    server = EnvServer(PythonEnvironment, warm_pool=0)
    with anyio.fail_after(60):
        async with connect(server, "2026-07-28") as client:
            episode_id = structured(await client.call_tool("reset", {"seed": 0}))["episode_id"]
            episode = server.registry.get(episode_id)
            assert isinstance(episode.env, CodeActEnvironment)
            own = set(sandbox_processes(_marker(episode.env)))
            slow = {
                "path": "solution.py",
                "content": "import time\ntime.sleep(60)\n",
                "episode_id": episode_id,
            }
            await client.call_tool("write_file", slow)
            with pytest.raises(MCPError, match=r"(?i)timed out"):
                await client.call_tool("submit", {"episode_id": episode_id}, read_timeout_seconds=1)
            async with episode.lock:
                assert set(sandbox_processes(_OURS)) == own, (
                    "the grader's sandbox outlived its cancelled check"
                )
            listed = await client.call_tool("list_files", {"episode_id": episode_id})
            assert "solution.py" in text(listed)
            await client.call_tool("close", {"episode_id": episode_id})
    assert sandbox_processes(_OURS) == []


def _marker(env: CodeActEnvironment) -> str:
    assert isinstance(env.sandbox, WorkerSandbox)
    return env.sandbox.marker
