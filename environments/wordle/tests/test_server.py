"""Wordle played through the MCP server in memory, in both protocol eras."""

from __future__ import annotations

import anyio
import mcp
import pytest
from mcp.client.client import ConnectMode

from openenv_mcp.server import EnvServer
from openenv_mcp.testing import step_meta, text
from openenv_mcp_wordle import WordleEnvironment

ERAS: list[ConnectMode] = ["legacy", "2026-07-28"]


@pytest.mark.parametrize("era", ERAS)
async def test_a_game_over_mcp(era: ConnectMode) -> None:
    server = EnvServer(WordleEnvironment)
    with anyio.fail_after(20):
        async with mcp.Client(server.server, mode=era, read_timeout_seconds=10) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            assert {"guess", "letters"} <= set(tools)
            assert tools["guess"].input_schema["required"] == ["word"]
            reset = await client.call_tool("reset", {"seed": 3, "options": {"word": "metal"}})
            assert reset.structured_content is not None, text(reset)
            episode_id = reset.structured_content["episode_id"]

            wrong = await client.call_tool("guess", {"word": "xyzzy", "episode_id": episode_id})
            assert wrong.is_error and "not in the word list" in text(wrong)

            first = await client.call_tool("guess", {"word": "crane", "episode_id": episode_id})
            assert not first.is_error
            assert text(first) == "C R A N E\n. . Y . Y\n\n5 guesses left."
            assert first.structured_content is not None
            assert first.structured_content["marks"] == ["gray", "gray", "yellow", "gray", "yellow"]
            assert step_meta(first)["reward"] == pytest.approx(0.1)

            keys = await client.call_tool("letters", {"episode_id": episode_id})
            assert "yellow:  A E" in text(keys)

            won = await client.call_tool("guess", {"word": "metal", "episode_id": episode_id})
            meta = step_meta(won)
            assert meta["terminated"] and meta["reward"] == pytest.approx(0.65 + 1.0 + 0.4)
            assert text(won).endswith("Solved in 2 guesses!")

            state = await client.call_tool("state", {"episode_id": episode_id})
            assert state.structured_content is not None
            assert state.structured_content["extra"]["secret"] == "metal"
            await client.call_tool("close", {"episode_id": episode_id})
    assert server.registry.live == 0
