"""`step_batch`: many episodes' steps in one call, each entry its own outcome."""

from __future__ import annotations

from typing import Any

import mcp
from mcp.client.client import ConnectMode

from openenv_mcp.server import EnvServer
from openenv_mcp.server.control import MAX_BATCH
from openenv_mcp_connect_four import ConnectFourEnvironment
from tests.conftest import connect

ECHO = {"type": "tool_call", "tool_name": "echo", "parameters": {"message": "hey"}}


async def _reset(client: mcp.Client, **arguments: Any) -> str:
    result = await client.call_tool("reset", arguments)
    assert result.structured_content is not None
    return result.structured_content["episode_id"]


async def _batch(client: mcp.Client, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = await client.call_tool("step_batch", {"steps": steps})
    assert not result.is_error and result.structured_content is not None, result.content
    return result.structured_content["results"]


async def test_a_batch_steps_every_episode_in_order(echo_server: EnvServer, era: ConnectMode) -> None:
    async with connect(echo_server, era) as client:
        ids = [await _reset(client, seed=i, options={"max_steps": 2}) for i in range(5)]
        first = await _batch(client, [{"episode_id": e, "action": ECHO} for e in ids])
        assert [r["episode_id"] for r in first] == ids
        assert all(r["reward"] == 0.30000000000000004 and r["step_count"] == 1 for r in first)
        assert all(r["text"] == "hey" and r["observation"] == "hey" for r in first)
        second = await _batch(client, [{"episode_id": e, "action": ECHO} for e in ids])
        assert all(r["truncated"] for r in second)
        for episode_id in ids:
            assert echo_server.registry.get(episode_id).env.step_count == 2


async def test_one_bad_entry_does_not_fail_the_others(echo_server: EnvServer, era: ConnectMode) -> None:
    async with connect(echo_server, era) as client:
        good = await _reset(client, seed=1)
        bad_tool: dict[str, Any] = {"type": "tool_call", "tool_name": "shout", "parameters": {}}
        results = await _batch(
            client,
            [
                {"episode_id": good, "action": ECHO},
                {"episode_id": "no-such-episode", "action": ECHO},
                {"episode_id": good, "action": ECHO},
            ],
        )
        assert results[0]["step_count"] == 1
        assert results[1]["failed"] and "unknown episode" in results[1]["error"]
        assert results[2]["failed"] and "one step per episode" in results[2]["error"]
        [unknown_tool] = await _batch(client, [{"episode_id": good, "action": bad_tool}])
        assert "unknown tool 'shout'" in unknown_tool["error"] and unknown_tool["step_count"] == 2


async def test_the_batch_itself_is_checked(echo_server: EnvServer, era: ConnectMode) -> None:
    async with connect(echo_server, era) as client:
        empty = await client.call_tool("step_batch", {"steps": []})
        assert empty.is_error
        too_many = [{"episode_id": "x", "action": ECHO}] * (MAX_BATCH + 1)
        assert (await client.call_tool("step_batch", {"steps": too_many})).is_error


async def test_the_text_is_the_observation_as_the_agent_reads_it(era: ConnectMode) -> None:
    async with mcp.Client(EnvServer(ConnectFourEnvironment).server, mode=era) as client:
        episode_id = await _reset(client, seed=3, options={"opponent": "random"})
        drop = {"type": "tool_call", "tool_name": "drop", "parameters": {"column": 3}}
        [result] = await _batch(client, [{"episode_id": episode_id, "action": drop}])
        assert result["observation"]["agent_move"] == 3
        assert "You are X" in result["text"]
