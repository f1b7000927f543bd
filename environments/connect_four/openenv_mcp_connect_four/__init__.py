"""Connect Four against a built-in opponent (random, greedy or minimax)."""

from openenv_mcp_connect_four.board import Board
from openenv_mcp_connect_four.environment import ConnectFourEnvironment, ConnectFourOptions
from openenv_mcp_connect_four.observation import BoardView
from openenv_mcp_connect_four.opponents import (
    GreedyOpponent,
    MinimaxOpponent,
    Opponent,
    RandomOpponent,
    make_opponent,
)

__all__ = [
    "Board",
    "BoardView",
    "ConnectFourEnvironment",
    "ConnectFourOptions",
    "GreedyOpponent",
    "MinimaxOpponent",
    "Opponent",
    "RandomOpponent",
    "make_opponent",
]
