"""Connect Four served over MCP in memory, in both protocol eras."""

from __future__ import annotations

import anyio
import mcp
import pytest
from mcp.client.client import ConnectMode

from openenv_mcp.server import EnvServer
from openenv_mcp.testing import step_meta, text
from openenv_mcp_connect_four import Board, ConnectFourEnvironment


@pytest.mark.parametrize("era", ["legacy", "2026-07-28"])
async def test_play_over_mcp(era: ConnectMode) -> None:
    server = EnvServer(ConnectFourEnvironment)
    with anyio.fail_after(30):
        async with mcp.Client(server.server, mode=era, read_timeout_seconds=10) as client:
            tools = {tool.name for tool in (await client.list_tools()).tools}
            assert {"drop", "view_board", "reset"} <= tools
            reset = await client.call_tool("reset", {"seed": 5, "options": {"opponent": "minimax"}})
            assert reset.structured_content is not None
            episode = reset.structured_content["episode_id"]

            played = await client.call_tool("drop", {"column": 3, "episode_id": episode})
            assert not played.is_error, text(played)
            assert step_meta(played)["reward"] == 0.0 and not step_meta(played)["terminated"]
            assert "0 1 2 3 4 5 6" in text(played) and "Your last move: column 3" in text(played)
            assert played.structured_content is not None
            assert played.structured_content["board"][-1][3] == "X"

            env = server.registry.get(episode).env
            assert isinstance(env, ConnectFourEnvironment)
            env.board = _won_in_one()
            won = await client.call_tool("drop", {"column": 3, "episode_id": episode})
            assert step_meta(won)["reward"] == 1.0 and step_meta(won)["terminated"]
            assert "you won" in text(won)


async def test_a_full_column_is_an_error_result_with_the_penalty() -> None:
    server = EnvServer(ConnectFourEnvironment)
    with anyio.fail_after(30):
        async with mcp.Client(server.server, mode="legacy", read_timeout_seconds=10) as client:
            reset = await client.call_tool("reset", {"seed": 1, "options": {"illegal_move_penalty": 0.25}})
            assert reset.structured_content is not None
            env = server.registry.get(reset.structured_content["episode_id"]).env
            assert isinstance(env, ConnectFourEnvironment)
            env.board = Board()
            for row in range(6):
                env.board.drop(5, "X" if row % 2 == 0 else "O")
            refused = await client.call_tool("drop", {"column": 5})
            assert refused.is_error and "column 5 is full" in text(refused)
            assert step_meta(refused)["reward"] == -0.25 and not step_meta(refused)["terminated"]
            off_board = await client.call_tool("drop", {"column": 7})
            assert off_board.is_error and "maximum of 6" in text(off_board)
            assert step_meta(off_board)["reward"] == -0.25
            fine = await client.call_tool("drop", {"column": 0})
            assert not fine.is_error


def _won_in_one() -> Board:
    """X on columns 0-2 along the bottom, O stacked elsewhere: X wins at column 3."""
    board = Board()
    for x, o in ((0, 6), (1, 6), (2, 5)):
        board.drop(x, "X")
        board.drop(o, "O")
    return board
