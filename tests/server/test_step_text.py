"""`step` shows the agent's text: a code action reads as run_python's does, not as a JSON dump."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from openenv_mcp.client import EnvClient
from openenv_mcp.server import EnvServer
from openenv_mcp.testing import text
from openenv_mcp_echo import EchoEnvironment
from openenv_mcp_python import PythonEnvironment
from tests.conftest import connect

pytestmark = pytest.mark.sandbox


async def test_a_code_step_reads_like_run_python() -> None:
    server = EnvServer(PythonEnvironment, warm_pool=0)
    with anyio.fail_after(60):
        async with connect(server, "2026-07-28") as client:
            reset = await client.call_tool("reset", {"seed": 1})
            data: dict[str, Any] = reset.structured_content or {}
            episode = data["episode_id"]
            code = "print('hello from code')\n6 * 7"
            stepped = await client.call_tool(
                "step", {"episode_id": episode, "action": {"type": "code", "code": code}}
            )
            direct = await client.call_tool("run_python", {"code": code, "episode_id": episode})
            step_data: dict[str, Any] = stepped.structured_content or {}
            assert step_data["text"] == text(direct)
            assert "hello from code" in step_data["text"] and "42" in step_data["text"]
            assert not step_data["text"].lstrip().startswith("{")
            assert text(stepped).startswith(step_data["text"]) and "[reward " in text(stepped)
            await client.call_tool("close", {"episode_id": episode})


async def test_the_client_gives_the_readable_observation_of_a_step() -> None:
    with anyio.fail_after(60):
        async with EnvClient(EnvServer(PythonEnvironment, warm_pool=0)) as env:
            await env.reset(seed=1)
            result = await env.step({"type": "code", "code": "print(1 + 1)"})
    assert result.observation.strip().startswith("2") or "stdout" in result.observation
    assert not result.observation.lstrip().startswith("{")


async def test_a_tool_step_text_is_the_tools_answer() -> None:
    async with EnvClient(EnvServer(EchoEnvironment)) as env:
        await env.reset(seed=1)
        action = {"type": "tool_call", "tool_name": "echo", "parameters": {"message": "plain"}}
        assert (await env.step(action)).observation == "plain"


def test_step_offers_code_actions_only_where_they_run() -> None:
    def action_kinds(server: EnvServer) -> str:
        step = next(tool for tool in server.tools if tool.name == "step")
        return str(step.input_schema)

    assert "CodeAction" not in action_kinds(EnvServer(EchoEnvironment))
    assert "CodeAction" in action_kinds(EnvServer(PythonEnvironment, warm_pool=0))
    assert EchoEnvironment.accepts_code() is False and PythonEnvironment.accepts_code() is True


async def test_a_code_action_where_none_run_is_a_bad_action_step_naming_the_tools() -> None:
    async with connect(EnvServer(EchoEnvironment), "2026-07-28") as client:
        reset = await client.call_tool("reset", {})
        data: dict[str, Any] = reset.structured_content or {}
        stepped = await client.call_tool(
            "step", {"episode_id": data["episode_id"], "action": {"type": "code", "code": "1"}}
        )
    step: dict[str, Any] = stepped.structured_content or {}
    assert stepped.is_error and step["step_count"] == 1 and step["error_kind"] == "action_failed"
    assert step["error"] == (
        "environment 'echo' does not accept code actions; send a tool_call action with one of: echo"
    )
