"""`VectorEnvClient`: many episodes at once, autoreset modes, errors per episode, batched or not."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp.client.client import ConnectMode

from openenv_mcp.client import AutoresetMode, VectorEnvClient
from openenv_mcp.server import EnvServer
from openenv_mcp.testing import running_http
from openenv_mcp.transports import build_app
from openenv_mcp_adapters.openai import from_chat_tool_call

ECHO: dict[str, Any] = {"name": "echo", "arguments": {"message": "ab"}}
OPTIONS = {"max_steps": 2}


@pytest.fixture(params=[True, False], ids=["batched", "per-episode"])
def batched(request: pytest.FixtureRequest) -> bool:
    return request.param


async def test_next_step_autoreset(echo_server: EnvServer, era: ConnectMode, batched: bool) -> None:
    with anyio.fail_after(20):
        async with VectorEnvClient(echo_server, 4, mode=era, batched=batched, connections=2) as envs:
            assert envs.batched is batched
            first = await envs.reset_all(seeds=10, options=OPTIONS)
            assert len(first) == 4
            one = await envs.step_all([ECHO] * 4)
            assert [r.step_count for r in one] == [1] * 4 and not any(r.done for r in one)
            two = await envs.step_all([ECHO] * 4)
            assert all(r.truncated for r in two)
            three = await envs.step_all([ECHO] * 4)
            assert all(r.info.get("autoreset") and r.reward == 0 and not r.done for r in three)
            four = await envs.step_all([ECHO] * 4)
            assert [r.step_count for r in four] == [1] * 4
        assert echo_server.registry.live == 0


async def test_same_step_autoreset(echo_server: EnvServer, batched: bool) -> None:
    async with VectorEnvClient(echo_server, 2, autoreset_mode="same_step", batched=batched) as envs:
        await envs.reset_all(seeds=0, options=OPTIONS)
        await envs.step_all([ECHO] * 2)
        ended = await envs.step_all([ECHO] * 2)
        for result in ended:
            assert result.truncated and result.reward == pytest.approx(0.2)
            assert result.info["final_observation"] == "ab"
            assert "Every message" in result.observation
        fresh = await envs.step_all([ECHO] * 2)
        assert [r.step_count for r in fresh] == [1, 1]


async def test_disabled_autoreset_leaves_ended_episodes_alone(echo_server: EnvServer, batched: bool) -> None:
    async with VectorEnvClient(
        echo_server, 2, autoreset_mode=AutoresetMode.DISABLED, batched=batched
    ) as envs:
        await envs.reset_all(options={"max_steps": 1})
        assert all(r.truncated for r in await envs.step_all([ECHO] * 2))
        after = await envs.step_all([ECHO] * 2)
        assert all(r.error is not None and "the episode has ended" in r.error for r in after)
        await envs.reset_at(1)
        mixed = await envs.step_all([ECHO] * 2)
        assert mixed[0].error is not None and mixed[1].error is None


async def test_seeds_replay_and_options_apply(echo_server: EnvServer) -> None:
    async with VectorEnvClient(echo_server, 3) as envs:
        a = [r.observation for r in await envs.reset_all(seeds=[5, 6, 7])]
        b = [r.observation for r in await envs.reset_all(seeds=5)]
        assert a == b
        with pytest.raises(ValueError, match="one seed per episode"):
            await envs.reset_all(seeds=[1])
        with pytest.raises(ValueError, match="one action per episode"):
            await envs.step_all([ECHO])


async def test_errors_stay_with_their_episode(echo_server: EnvServer, batched: bool) -> None:
    async with VectorEnvClient(echo_server, 3, batched=batched) as envs:
        await envs.reset_all(seeds=0)
        await echo_server.registry.close(echo_server.registry.ids()[0], "closed by the test")
        results = await envs.step_all([ECHO, "no action here", {"name": "shout", "arguments": {}}])
        gone, unreadable, unknown = results
        assert gone.info.get("client_error") and gone.truncated and gone.error is not None
        assert unreadable.info["parse_error"] and not unreadable.done
        assert unknown.error is not None and "the tools are: echo" in unknown.error
        healed = await envs.step_all([ECHO] * 3)
        assert healed[0].info.get("autoreset") and echo_server.registry.live == 3


async def test_tool_call_ids_come_back(echo_server: EnvServer, batched: bool) -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "echo", "arguments": '{"message": "x"}'}}
    async with VectorEnvClient(echo_server, 1, batched=batched) as envs:
        await envs.reset_all()
        [result] = await envs.step_all([from_chat_tool_call(call)])
        assert result.tool_call_id == "call_1"


@pytest.mark.subprocess
async def test_over_http_with_several_connections(echo_server: EnvServer, era: ConnectMode) -> None:
    with anyio.fail_after(60):
        async with running_http(build_app([echo_server])) as base:
            url = f"{base}/envs/echo/mcp"
            async with VectorEnvClient(url, 8, connections=2, mode=era, read_timeout=20) as envs:
                assert envs.batched
                await envs.reset_all(seeds=1, options=OPTIONS)
                results = await envs.step_all([ECHO] * 8)
                assert [r.observation for r in results] == ["ab"] * 8
            assert echo_server.registry.live == 0
