"""`EnvClient` against real servers: in memory in both eras, over stdio and over HTTP."""

from __future__ import annotations

import sys

import anyio
import pytest
from mcp.client.client import ConnectMode

from openenv_mcp.client import ClientError, EnvClient
from openenv_mcp.server import EnvServer
from openenv_mcp.spec import CodeAction, ToolCallAction
from openenv_mcp.testing import running_http
from openenv_mcp.transports import build_app
from openenv_mcp_connect_four import ConnectFourEnvironment

STDIO_ECHO = [sys.executable, "-m", "openenv_mcp", "serve", "echo", "--transport", "stdio"]


async def test_reset_step_state_close_in_memory(echo_server: EnvServer, era: ConnectMode) -> None:
    with anyio.fail_after(20):
        async with EnvClient(echo_server, mode=era) as env:
            assert [t.name for t in env.tools()] == ["echo"]
            assert "episode_id" not in env.tools()[0].input_schema["properties"]
            first = await env.reset(seed=3, options={"max_steps": 2})
            assert "Every message you send" in first.observation
            result = await env.step(ToolCallAction(tool_name="echo", parameters={"message": "abcd"}))
            assert (result.observation, result.reward, result.step_count) == ("abcd", pytest.approx(0.4), 1)
            last = await env.step({"name": "echo", "arguments": {"message": "x"}})
            assert last.truncated and last.info["end_reason"] == "step budget of 2 reached"
            state = await env.state()
            assert state.step_count == 2 and state.truncated and state.seed == 3
        assert echo_server.registry.live == 0


async def test_reset_again_reuses_the_episode(echo_server: EnvServer, era: ConnectMode) -> None:
    async with EnvClient(echo_server, mode=era) as env:
        await env.reset(seed=1)
        await env.step({"name": "echo", "arguments": {"message": "x"}})
        again = await env.reset(seed=1)
        assert again.info == {} and (await env.state()).step_count == 0
        assert echo_server.registry.live == 1 and echo_server.registry.created_total == 1


async def test_model_text_is_parsed_and_bad_output_is_an_error_observation(
    echo_server: EnvServer, era: ConnectMode
) -> None:
    async with EnvClient(echo_server, mode=era, parse_error_reward=-1.0) as env:
        await env.reset(seed=0)
        ok = await env.step('<tool_call>{"name": "echo", "arguments": {"message": "hi"}}</tool_call>')
        assert ok.observation == "hi" and ok.error is None
        broken = await env.step('<tool_call>{"name": "echo", "arguments": {"message": </tool_call>')
        assert broken.error is not None and "not valid JSON" in broken.error
        assert broken.reward == -1.0 and broken.info["parse_error"] and not broken.done
        unknown = await env.step('{"name": "shout", "arguments": {}}')
        assert unknown.error is not None and "the tools are: echo" in unknown.error
        nothing = await env.step("I think I'll wait.")
        assert nothing.observation.startswith("Could not read an action")
        assert (await env.state()).step_count == 1


async def test_bad_actions_the_server_sees_are_error_observations(
    echo_server: EnvServer, era: ConnectMode
) -> None:
    async with EnvClient(echo_server, mode=era) as env:
        await env.reset()
        wrong_type = await env.step(
            ToolCallAction(tool_name="echo", parameters={"message": 5}, tool_call_id="c1")
        )
        assert wrong_type.error is not None and "message" in wrong_type.error
        assert wrong_type.tool_call_id == "c1" and wrong_type.step_count == 1
        code = await env.step(CodeAction(code="print(1)"))
        assert code.error is not None and "does not accept code actions" in code.error


async def test_structured_observations_and_the_agent_text(era: ConnectMode) -> None:
    async with EnvClient(EnvServer(ConnectFourEnvironment), mode=era) as env:
        first = await env.reset(seed=2, options={"opponent": "random"})
        assert first.structured["legal_columns"] == list(range(7))
        assert first.observation.startswith(". . . . . . .")
        moved = await env.step({"name": "drop", "arguments": {"column": 3}})
        assert moved.structured["agent_move"] == 3 and "Your last move: column 3" in moved.observation


async def test_step_before_reset_is_a_clear_error(echo_server: EnvServer) -> None:
    async with EnvClient(echo_server) as env:
        with pytest.raises(ClientError, match="call reset first"):
            await env.step({"name": "echo", "arguments": {"message": "x"}})


async def test_a_closed_episode_is_reopened_by_reset(echo_server: EnvServer) -> None:
    async with EnvClient(echo_server, mode="2026-07-28") as env:
        await env.reset(seed=1)
        await echo_server.registry.close_all("closed by the test")
        again = await env.reset(seed=1)
        assert "Every message" in again.observation and echo_server.registry.live == 1


@pytest.mark.subprocess
async def test_over_stdio(era: ConnectMode) -> None:
    with anyio.fail_after(60):
        async with EnvClient(STDIO_ECHO, mode=era, read_timeout=30) as env:
            await env.reset(seed=1)
            result = await env.step({"name": "echo", "arguments": {"message": "stdio"}})
            assert result.observation == "stdio" and result.step_count == 1


@pytest.mark.subprocess
async def test_over_http(echo_server: EnvServer, era: ConnectMode) -> None:
    with anyio.fail_after(30):
        async with (
            running_http(build_app([echo_server])) as base,
            EnvClient(f"{base}/envs/echo/mcp", mode=era, read_timeout=10) as env,
        ):
            assert env.protocol_version == ("2025-11-25" if era == "legacy" else era)
            await env.reset(seed=1)
            result = await env.step({"name": "echo", "arguments": {"message": "http"}})
            assert result.observation == "http"
