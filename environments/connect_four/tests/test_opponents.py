"""The built-in opponents: legal, greedy when they should be, and minimax strong enough."""

from __future__ import annotations

import random

import pytest

from openenv_mcp_connect_four.board import Board, Piece, other
from openenv_mcp_connect_four.opponents import (
    GreedyOpponent,
    MinimaxOpponent,
    Opponent,
    RandomOpponent,
    make_opponent,
)


def play(*columns: int) -> Board:
    board = Board()
    for column in columns:
        board.drop(column, "X" if board.turn % 2 == 0 else "O")
    return board


def game(x: Opponent, o: Opponent, seed: int) -> Piece | None:
    """One whole game; the winner, or None for a draw."""
    rng, board, piece = random.Random(seed), Board(), "X"
    players: dict[Piece, Opponent] = {"X": x, "O": o}
    while not board.over:
        board.drop(players[piece].choose(board, piece, rng), piece)
        piece = other(piece)
    return board.winner


def test_random_plays_only_legal_columns() -> None:
    board = play(*[0] * 6, *[6] * 6)
    rng = random.Random(5)
    chosen = {RandomOpponent().choose(board, "X", rng) for _ in range(200)}
    assert chosen == {1, 2, 3, 4, 5}


def test_greedy_takes_a_win_before_blocking() -> None:
    board = play(0, 6, 1, 6, 2, 6)
    assert GreedyOpponent().choose(board, "X", random.Random(0)) == 3


def test_greedy_blocks_an_immediate_loss() -> None:
    board = play(0, 6, 1, 6, 2)
    for seed in range(10):
        assert GreedyOpponent().choose(board, "O", random.Random(seed)) == 3


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_minimax_takes_a_win(depth: int) -> None:
    board = play(0, 6, 1, 6, 2, 6)
    assert MinimaxOpponent(depth).choose(board, "X", random.Random(0)) == 3


@pytest.mark.parametrize("depth", [2, 4])
def test_minimax_blocks_a_loss(depth: int) -> None:
    board = play(0, 6, 1, 6, 2)
    assert MinimaxOpponent(depth).choose(board, "O", random.Random(0)) == 3


def test_minimax_sees_a_double_threat_coming() -> None:
    """X on 2 and 3 along the bottom: X at 1 or 4 makes three with both ends open, a win in two."""
    board = play(2, 2, 3, 3)
    assert MinimaxOpponent(4).choose(board, "X", random.Random(0)) in {1, 4}


def test_minimax_breaks_ties_with_the_rng_alone() -> None:
    opponent = MinimaxOpponent(1)
    board = play(3)
    picks = [opponent.choose(board, "O", random.Random(seed)) for seed in range(30)]
    assert picks == [opponent.choose(board, "O", random.Random(seed)) for seed in range(30)]
    assert set(picks) <= set(opponent.best_moves(board, "O"))


def test_minimax_never_loses_to_random() -> None:
    for seed in range(20):
        minimax_first = seed % 2 == 0
        mm, rnd = MinimaxOpponent(4), RandomOpponent()
        winner = game(mm, rnd, seed) if minimax_first else game(rnd, mm, seed)
        assert winner == ("X" if minimax_first else "O"), f"seed {seed}: {winner}"


def test_minimax_mostly_beats_greedy() -> None:
    wins = 0
    for seed in range(20):
        minimax_first = seed % 2 == 0
        mm, greedy = MinimaxOpponent(4), GreedyOpponent()
        winner = game(mm, greedy, seed) if minimax_first else game(greedy, mm, seed)
        wins += winner == ("X" if minimax_first else "O")
    assert wins >= 15


def test_make_opponent_by_name() -> None:
    assert isinstance(make_opponent("random"), RandomOpponent)
    assert isinstance(make_opponent("greedy"), GreedyOpponent)
    minimax = make_opponent("minimax", depth=3)
    assert isinstance(minimax, MinimaxOpponent) and minimax.depth == 3
    with pytest.raises(ValueError, match="at least 1"):
        MinimaxOpponent(0)
