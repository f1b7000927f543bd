"""Built-in opponents. Each picks a column for a position; every tie is broken by the rng it is given.

>>> import random
>>> board = Board()
>>> for column in (0, 6, 1, 6, 2):
...     _ = board.drop(column, "X" if board.turn % 2 == 0 else "O")
>>> GreedyOpponent().choose(board, "O", random.Random(0))  # blocks X's four along the bottom
3
"""

from __future__ import annotations

import random
from typing import Literal, Protocol

from openenv_mcp_connect_four.board import COLUMNS, EMPTY, WINDOWS, Board, Piece, other

__all__ = [
    "GreedyOpponent",
    "MinimaxOpponent",
    "Opponent",
    "OpponentName",
    "RandomOpponent",
    "evaluate",
    "make_opponent",
]

OpponentName = Literal["random", "greedy", "minimax"]
WIN = 1_000_000
"""The score of a won position; a win found sooner scores a little more."""
_CENTER_FIRST = (3, 2, 4, 1, 5, 0, 6)
_WINDOW_SCORES = (0, 1, 4, 16)
"""A line of four holding 0..3 of one side's pieces and none of the other's."""
_CENTER_WEIGHT = 3


class Opponent(Protocol):
    """Something that plays Connect Four: picks a legal column for `piece` to move."""

    def choose(self, board: Board, piece: Piece, rng: random.Random) -> int: ...


class RandomOpponent:
    """Plays any legal column, uniformly."""

    def choose(self, board: Board, piece: Piece, rng: random.Random) -> int:
        return rng.choice(board.legal_moves())


class GreedyOpponent:
    """Wins if it can, blocks an immediate loss if it must, else plays at random."""

    def choose(self, board: Board, piece: Piece, rng: random.Random) -> int:
        legal = board.legal_moves()
        for who in (piece, other(piece)):
            winning = [column for column in legal if board.wins_with(column, who)]
            if winning:
                return rng.choice(winning)
        return rng.choice(legal)


class MinimaxOpponent:
    """Alpha-beta search `depth` plies deep, scoring the leaves with `evaluate`."""

    def __init__(self, depth: int = 4) -> None:
        if depth < 1:
            raise ValueError(f"minimax depth must be at least 1, not {depth}")
        self.depth = depth

    def choose(self, board: Board, piece: Piece, rng: random.Random) -> int:
        return rng.choice(self.best_moves(board, piece))

    def best_moves(self, board: Board, piece: Piece) -> list[int]:
        """Every legal column with the best score, left to right."""
        best, tied = -2 * WIN, list[int]()
        for column in _ordered(board):
            board.drop(column, piece)
            # Searching with alpha just below the best so far keeps the scores of ties exact.
            score = -_negamax(board, self.depth - 1, -2 * WIN, -(best - 1), other(piece))
            board.undo()
            if score > best:
                best, tied = score, [column]
            elif score == best:
                tied.append(column)
        return sorted(tied)


def _ordered(board: Board) -> list[int]:
    return [column for column in _CENTER_FIRST if board.can_drop(column)]


def _negamax(board: Board, depth: int, alpha: int, beta: int, piece: Piece) -> int:
    """The score of `board` for `piece`, who is to move (fail-soft alpha-beta)."""
    if board.winner is not None:
        return -(WIN + depth)
    if board.full:
        return 0
    if depth == 0:
        return evaluate(board, piece)
    best = -2 * WIN
    for column in _ordered(board):
        board.drop(column, piece)
        score = -_negamax(board, depth - 1, -beta, -alpha, other(piece))
        board.undo()
        best = max(best, score)
        alpha = max(alpha, score)
        if alpha >= beta:
            break
    return best


def evaluate(board: Board, piece: Piece) -> int:
    """A heuristic score of a position for `piece`: open lines of four and the centre column.

    >>> board = Board()
    >>> _ = board.drop(3, "X")
    >>> evaluate(board, "X") > 0 > evaluate(board, "O")
    True
    """
    cells, them = board.cells, other(piece)
    score = 0
    for window in WINDOWS:
        mine = theirs = 0
        for index in window:
            cell = cells[index]
            if cell == piece:
                mine += 1
            elif cell != EMPTY:
                theirs += 1
        if theirs == 0 and mine < 4:
            score += _WINDOW_SCORES[mine]
        elif mine == 0 and theirs < 4:
            score -= _WINDOW_SCORES[theirs]
    center = COLUMNS // 2
    column_cells = [board.at(center, row) for row in range(board.heights[center])]
    score += _CENTER_WEIGHT * (column_cells.count(piece) - column_cells.count(them))
    return score


def make_opponent(name: OpponentName, depth: int = 4) -> Opponent:
    """The opponent called `name`; `depth` is for minimax only."""
    if name == "random":
        return RandomOpponent()
    if name == "greedy":
        return GreedyOpponent()
    return MinimaxOpponent(depth)
