"""The oracle: a winning line of drops, found by playing the episode forward on copies of it.

The opponent is deterministic given the episode's random state, so a line of drops that
wins on a copy of the board and of the random state wins in the episode too. Playouts
take a win when one is on the board, block the opponent's, and otherwise pick centre-first
at random from a search generator of their own (the episode's is never touched).
"""

from __future__ import annotations

import copy
import random

from openenv_mcp_connect_four.board import Board, Piece, other
from openenv_mcp_connect_four.opponents import Opponent

__all__ = ["winning_line"]

_WEIGHTS = (1, 2, 3, 4, 3, 2, 1)


def winning_line(
    board: Board, rng: random.Random, opponent: Opponent, agent: Piece, *, playouts: int = 4000
) -> list[int] | None:
    """Columns for `agent` that win from this position, or None when no playout found one."""
    search = random.Random(len(board.moves))
    for _ in range(playouts):
        line = _playout(copy.deepcopy(board), copy.deepcopy(rng), opponent, agent, search)
        if line is not None:
            return line
    return None


def _playout(
    board: Board, rng: random.Random, opponent: Opponent, agent: Piece, search: random.Random
) -> list[int] | None:
    line: list[int] = []
    while not board.over:
        column = _choose(board, agent, search)
        line.append(column)
        board.drop(column, agent)
        if board.over:
            break
        board.drop(opponent.choose(board, other(agent), rng), other(agent))
    return line if board.winner == agent else None


def _choose(board: Board, agent: Piece, search: random.Random) -> int:
    legal = board.legal_moves()
    for who in (agent, other(agent)):
        found = [column for column in legal if board.wins_with(column, who)]
        if found:
            return found[0]
    return search.choices(legal, weights=[_WEIGHTS[column] for column in legal])[0]
