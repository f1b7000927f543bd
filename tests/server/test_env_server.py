"""The MCP server over the SDK's in-memory transport, in both protocol eras."""

from __future__ import annotations

from typing import Any

import anyio
import mcp
import pytest
from mcp.client.client import ConnectMode

from openenv_mcp.episodes import RegistryLimits
from openenv_mcp.server import META_ROLE, META_STEP, EnvServer, Mode
from openenv_mcp.testing import structured, text
from openenv_mcp_echo import EchoEnvironment
from tests.conftest import connect


async def reset(client: mcp.Client, **arguments: Any) -> str:
    result = await client.call_tool("reset", arguments)
    assert not result.is_error, text(result)
    return structured(result)["episode_id"]


async def test_tools_are_listed_with_schemas_annotations_and_roles(
    echo_server: EnvServer, era: ConnectMode
) -> None:
    async with connect(echo_server, era) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert list(tools) == ["reset", "step", "step_batch", "state", "close", "echo"]
        assert tools["state"].annotations is not None and tools["state"].annotations.read_only_hint
        assert tools["close"].annotations is not None and tools["close"].annotations.destructive_hint
        assert tools["echo"].annotations is not None and tools["echo"].annotations.read_only_hint
        assert {name: (t.meta or {})[META_ROLE] for name, t in tools.items()} == {
            "reset": "control",
            "step": "control",
            "step_batch": "control",
            "state": "control",
            "close": "control",
            "echo": "inner",
        }
        for tool in tools.values():
            assert tool.output_schema is not None
        echo = tools["echo"].input_schema
        assert echo["required"] == ["message"] and "episode_id" in echo["properties"]
        options = tools["reset"].input_schema["properties"]["options"]
        assert options["type"] == "object" and "max_steps" in options["properties"]


async def test_reset_then_step_reports_reward_and_endings(echo_server: EnvServer, era: ConnectMode) -> None:
    async with connect(echo_server, era) as client:
        episode_id = await reset(client, seed=1, options={"max_steps": 2, "reward_scale": 1.0})
        action = {"type": "tool_call", "tool_name": "echo", "parameters": {"message": "abc"}}
        first = structured(await client.call_tool("step", {"episode_id": episode_id, "action": action}))
        assert (first["observation"], first["reward"], first["truncated"], first["step_count"]) == (
            "abc",
            3.0,
            False,
            1,
        )
        second = structured(await client.call_tool("step", {"episode_id": episode_id, "action": action}))
        assert second["truncated"] and second["info"]["end_reason"] == "step budget of 2 reached"


async def test_an_inner_tool_call_is_a_step_of_its_episode(echo_server: EnvServer, era: ConnectMode) -> None:
    async with connect(echo_server, era) as client:
        episode_id = await reset(client, seed=1)
        result = await client.call_tool("echo", {"message": "hello", "episode_id": episode_id})
        assert not result.is_error
        assert text(result) == "hello"
        assert structured(result) == {"result": "hello"}
        step = (result.meta or {})[META_STEP]
        assert step == {
            "episode_id": episode_id,
            "step_count": 1,
            "reward": pytest.approx(0.5),
            "terminated": False,
            "truncated": False,
            "info": {},
        }
        state = structured(await client.call_tool("state", {"episode_id": episode_id}))
        assert state["step_count"] == 1 and state["total_reward"] == pytest.approx(0.5)


async def test_null_options_and_seed_mean_defaults(echo_server: EnvServer, era: ConnectMode) -> None:
    async with connect(echo_server, era) as client:
        result = await client.call_tool("reset", {"seed": None, "options": None, "episode_id": None})
        assert not result.is_error, text(result)


async def test_the_same_seed_replays_over_mcp(echo_server: EnvServer, era: ConnectMode) -> None:
    async with connect(echo_server, era) as client:
        first = await client.call_tool("reset", {"seed": 11})
        second = await client.call_tool("reset", {"seed": 11})
        assert structured(first)["observation"] == structured(second)["observation"]
        assert structured(first)["episode_id"] != structured(second)["episode_id"]


async def test_reset_in_place_keeps_the_episode_id(echo_server: EnvServer, era: ConnectMode) -> None:
    async with connect(echo_server, era) as client:
        episode_id = await reset(client)
        await client.call_tool("echo", {"message": "x", "episode_id": episode_id})
        again = structured(await client.call_tool("reset", {"episode_id": episode_id, "seed": 4}))
        assert again["episode_id"] == episode_id
        assert echo_server.registry.get(episode_id).env.step_count == 0


async def test_legacy_sessions_have_a_default_episode(echo_server: EnvServer) -> None:
    """The default episode is opened on first use and closed with the session."""
    async with mcp.Client(echo_server.server, mode="legacy") as client:
        first = await client.call_tool("echo", {"message": "one"})
        second = await client.call_tool("echo", {"message": "two"})
        assert not first.is_error and not second.is_error
        first_step, second_step = (first.meta or {})[META_STEP], (second.meta or {})[META_STEP]
        assert first_step["episode_id"] == second_step["episode_id"]
        assert second_step["step_count"] == 2
        assert echo_server.registry.live == 1
    assert echo_server.registry.live == 0


async def test_reset_makes_the_new_episode_the_default(echo_server: EnvServer) -> None:
    async with mcp.Client(echo_server.server, mode="legacy") as client:
        episode_id = await reset(client, seed=2)
        result = await client.call_tool("echo", {"message": "x"})
        assert (result.meta or {})[META_STEP]["episode_id"] == episode_id
        state = structured(await client.call_tool("state", {}))
        assert state["episode_id"] == episode_id


async def test_a_stateless_call_without_an_episode_is_told_to_reset(echo_server: EnvServer) -> None:
    async with mcp.Client(echo_server.server, mode="2026-07-28") as client:
        result = await client.call_tool("echo", {"message": "x"})
        assert result.is_error
        assert "stateless" in text(result) and "call reset first" in text(result)
        assert echo_server.registry.live == 0


async def test_episodes_are_independent(echo_server: EnvServer, era: ConnectMode) -> None:
    async with connect(echo_server, era) as client:
        a, b = await reset(client, seed=1), await reset(client, seed=2)
        for _ in range(3):
            await client.call_tool("echo", {"message": "a", "episode_id": a})
        await client.call_tool("echo", {"message": "b", "episode_id": b})
        assert echo_server.registry.get(a).env.step_count == 3
        assert echo_server.registry.get(b).env.step_count == 1


async def test_many_concurrent_episodes_leave_nothing_behind(
    echo_server: EnvServer, era: ConnectMode
) -> None:
    async with mcp.Client(echo_server.server, mode=era) as client:

        async def play(seed: int) -> None:
            episode_id = await reset(client, seed=seed, options={"max_steps": 100})
            for i in range(5):
                await client.call_tool("echo", {"message": str(i), "episode_id": episode_id})
            state = structured(await client.call_tool("state", {"episode_id": episode_id}))
            assert state["step_count"] == 5
            await client.call_tool("close", {"episode_id": episode_id})

        with anyio.fail_after(30):
            async with anyio.create_task_group() as tg:
                for seed in range(64):
                    tg.start_soon(play, seed)
        assert echo_server.registry.live == 0
        assert echo_server.registry.created_total == 64


async def test_production_mode_hosts_inner_tools_only_and_hides_the_reward(era: ConnectMode) -> None:
    server = EnvServer(EchoEnvironment, mode=Mode.PRODUCTION)
    async with mcp.Client(server.server, mode=era) as client:
        assert [tool.name for tool in (await client.list_tools()).tools] == [
            "open_episode",
            "close_episode",
            "echo",
        ]
        result = await client.call_tool("echo", {"message": "hi"})
        # A session's first call opens its default episode, whose briefing comes first.
        briefing = "Every message you send with `echo` comes back to you.\n\n"
        assert not result.is_error and text(result).endswith(briefing + "hi" if era == "legacy" else "hi")
        assert text(result) == "hi" or era == "legacy"
        step = (result.meta or {})[META_STEP]
        assert "reward" not in step and step["episode_id"]
        again = await client.call_tool("echo", {"message": "again"})
        # A session (legacy era) has a default episode; a stateless call's lives for that call only.
        assert (again.meta or {})[META_STEP]["step_count"] == (2 if era == "legacy" else 1)
        refused = await client.call_tool("reset", {})
        assert refused.is_error and "unknown tool 'reset'" in text(refused)


async def test_connection_end_closes_its_default_episode_but_not_its_handles(echo_server: EnvServer) -> None:
    async with mcp.Client(echo_server.server, mode="legacy") as client:
        await client.call_tool("echo", {"message": "implicit"})
        handle = await reset(client)
        assert echo_server.registry.live == 2
    assert echo_server.registry.ids() == [handle]
    async with mcp.Client(echo_server.server, mode="legacy") as other:
        result = await other.call_tool("echo", {"message": "elsewhere", "episode_id": handle})
        assert not result.is_error


async def test_capacity_is_per_server_and_answered_clearly(era: ConnectMode) -> None:
    server = EnvServer(EchoEnvironment, limits=RegistryLimits(capacity=2))
    async with mcp.Client(server.server, mode=era) as client:
        kept = await reset(client)
        await reset(client)
        full = await client.call_tool("reset", {})
        assert full.is_error and "at capacity: 2 of 2" in text(full) and "close" in text(full)
        still = await client.call_tool("echo", {"message": "fine", "episode_id": kept})
        assert not still.is_error


def test_tool_schemas_are_looked_up_without_listing() -> None:
    """HTTP's Mcp-Param header check reads schemas from a table, the listed ones and no others."""
    training = EnvServer(EchoEnvironment)
    lookup = training.server.get_tool_input_schema
    assert lookup is not None
    for tool in training.tools:
        assert lookup(tool.name) == tool.input_schema
    # A token with only the tools scope sees the handle tools on a training server.
    assert lookup("open_episode") is not None
    assert lookup("no_such_tool") is None
    production = EnvServer(EchoEnvironment, mode=Mode.PRODUCTION).server.get_tool_input_schema
    assert production is not None
    assert production("reset") is None
    assert production("echo") is not None
