"""A typed-action OpenEnv environment (the guessing game) through the bridge: one tool per action type."""

from __future__ import annotations

import json
from typing import Any

import anyio
import mcp
import pytest
from mcp.client.client import ConnectMode

from environments.openenv_bridge.tests.helpers import Remote, settled_sessions
from openenv_mcp.server import EnvServer
from openenv_mcp.testing import connect, episode_id, step_meta, structured, text
from openenv_mcp.testing.results import error_kind
from openenv_mcp_openenv_bridge import BridgeConfig, OpenEnvBridgeEnvironment

pytestmark = [pytest.mark.subprocess]


def server_for(remote: Remote) -> EnvServer:
    factory = OpenEnvBridgeEnvironment.factory(BridgeConfig(url=remote.url))
    return EnvServer(OpenEnvBridgeEnvironment, factory=factory)


async def play(client: mcp.Client, episode: str, high: int) -> tuple[list[dict[str, Any]], list[Any]]:
    """Binary search for the secret; every observation and every result's step meta."""
    low, top, seen, metas = 1, high, list[dict[str, Any]](), list[Any]()
    while True:
        guess = (low + top) // 2
        result = await client.call_tool("guess", {"guess": guess, "episode_id": episode})
        observation: dict[str, Any] = json.loads(text(result))
        seen.append(observation)
        metas.append(step_meta(result))
        if observation["message"] == "correct" or step_meta(result)["terminated"]:
            return seen, metas
        low, top = (guess + 1, top) if observation["message"] == "higher" else (low, guess - 1)


async def test_the_action_schema_is_the_tools_schema(game_remote: Remote) -> None:
    server = server_for(game_remote)
    with anyio.fail_after(60):
        async with connect(server, era="legacy") as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
    guess = tools["guess"]
    assert guess.description == "Guess the secret number."
    assert guess.input_schema["required"] == ["guess"]
    assert guess.input_schema["properties"]["guess"]["minimum"] == 1
    assert "metadata" not in guess.input_schema["properties"]


@pytest.mark.parametrize("era", ["legacy", "2026-07-28"])
async def test_the_remote_reward_and_done_are_ours(game_remote: Remote, era: ConnectMode) -> None:
    server = server_for(game_remote)
    with anyio.fail_after(60):
        async with connect(server, era=era) as client:
            reset = await client.call_tool("reset", {"seed": 3, "options": {"high": 50}})
            assert "guess a number from 1 to 50" in text(reset)
            episode = episode_id(reset)
            seen, metas = await play(client, episode, 50)
            assert seen[-1]["message"] == "correct"
            assert [m["reward"] for m in metas] == [0.0] * (len(metas) - 1) + [1.0]
            assert metas[-1]["terminated"] and not metas[-1]["truncated"]
            assert not any(m["terminated"] for m in metas[:-1])
            after = await client.call_tool("guess", {"guess": 1, "episode_id": episode})
            assert error_kind(after) == "episode_ended"
            state = structured(await client.call_tool("state", {"episode_id": episode}))
            assert state["total_reward"] == 1.0 and state["terminated"]
            assert state["extra"]["remote_state"]["step_count"] == len(seen)
            assert state["extra"]["kind"] == "typed"
            await client.call_tool("close", {"episode_id": episode})
    assert await settled_sessions(game_remote.url) == 0


async def test_the_same_seed_gives_the_same_game_and_bad_guesses_never_reach_the_remote(
    game_remote: Remote,
) -> None:
    server = server_for(game_remote)
    with anyio.fail_after(60):
        async with connect(server, era="2026-07-28") as client:
            games: list[list[dict[str, Any]]] = []
            for _ in range(2):
                episode = episode_id(await client.call_tool("reset", {"seed": 99}))
                games.append((await play(client, episode, 100))[0])
                await client.call_tool("close", {"episode_id": episode})
            assert games[0] == games[1]
            episode = episode_id(await client.call_tool("reset", {"seed": 1}))
            zero = await client.call_tool("guess", {"guess": 0, "episode_id": episode})
            assert zero.is_error and error_kind(zero) == "invalid_arguments"
            state = structured(await client.call_tool("state", {"episode_id": episode}))
            assert state["extra"]["remote_state"]["step_count"] == 0
            await client.call_tool("close", {"episode_id": episode})
    assert await settled_sessions(game_remote.url) == 0


async def test_running_out_of_guesses_ends_the_episode_without_reward(game_remote: Remote) -> None:
    server = server_for(game_remote)
    with anyio.fail_after(60):
        async with connect(server, era="legacy") as client:
            episode = episode_id(await client.call_tool("reset", {"seed": 4, "options": {"high": 1000}}))
            metas: list[dict[str, Any]] = []
            for _ in range(7):
                result = await client.call_tool("guess", {"guess": 1000, "episode_id": episode})
                metas.append(step_meta(result))
            assert metas[-1]["terminated"] and sum(m["reward"] for m in metas) == 0.0
            await client.call_tool("close", {"episode_id": episode})
