"""The rules: drops, wins along every kind of line, the draw on a full board."""

from __future__ import annotations

import pytest

from openenv_mcp_connect_four.board import COLUMNS, ROWS, WINDOWS, Board, Piece


def play(*columns: int) -> Board:
    """A board after `columns` dropped in turn, X first."""
    board = Board()
    for column in columns:
        board.drop(column, "X" if board.turn % 2 == 0 else "O")
    return board


def drawn_board() -> Board:
    """A full board with no four in a row: column pairs alternate which piece sits at the bottom."""
    board = Board()
    bottoms: list[Piece] = ["X", "X", "O", "O", "X", "X", "O"]
    for column, bottom in enumerate(bottoms):
        top: Piece = "O" if bottom == "X" else "X"
        for row in range(ROWS):
            board.drop(column, bottom if row % 2 == 0 else top)
    return board


def test_pieces_stack_from_the_bottom() -> None:
    board = play(3, 3, 3)
    assert board.heights[3] == 3
    assert [board.at(3, row) for row in range(4)] == ["X", "O", "X", "."]
    assert board.rows()[-1] == "...X..."
    assert board.winner is None and not board.over


@pytest.mark.parametrize(
    ("moves", "winner"),
    [
        pytest.param((0, 0, 1, 1, 2, 2, 3), "X", id="horizontal"),
        pytest.param((6, 0, 6, 0, 6, 0, 5, 0), "O", id="vertical"),
        pytest.param((0, 1, 1, 2, 2, 3, 2, 3, 3, 6, 3), "X", id="rising diagonal"),
        pytest.param((6, 5, 5, 4, 4, 3, 4, 3, 3, 0, 3), "X", id="falling diagonal"),
    ],
)
def test_four_in_a_row_wins(moves: tuple[int, ...], winner: Piece) -> None:
    board = play(*moves[:-1])
    assert board.winner is None
    board.drop(moves[-1], winner)
    assert board.winner == winner
    assert board.over and board.legal_moves() == []


def test_three_in_a_row_is_not_a_win() -> None:
    board = play(0, 0, 1, 1, 2)
    assert board.winner is None
    assert board.wins_with(3, "X") and not board.wins_with(3, "O")


def test_a_full_board_without_four_is_a_draw() -> None:
    board = drawn_board()
    assert board.full and board.over
    assert board.winner is None
    assert board.legal_moves() == []


def test_a_full_column_refuses_a_piece() -> None:
    board = play(*[4] * ROWS)
    assert not board.can_drop(4)
    assert 4 not in board.legal_moves() and len(board.legal_moves()) == COLUMNS - 1
    with pytest.raises(ValueError, match="column 4 is full"):
        board.drop(4, "X")
    with pytest.raises(ValueError, match="off the board"):
        board.drop(COLUMNS, "X")


def test_no_drop_after_a_win() -> None:
    board = play(0, 0, 1, 1, 2, 2, 3)
    with pytest.raises(ValueError, match="over"):
        board.drop(5, "O")


def test_undo_takes_back_the_last_drop_and_the_win() -> None:
    board = play(0, 0, 1, 1, 2, 2)
    before = list(board.cells)
    board.drop(3, "X")
    board.undo()
    assert board.cells == before and board.winner is None and board.moves == [0, 0, 1, 1, 2, 2]


def test_there_are_69_lines_of_four() -> None:
    assert len(WINDOWS) == 69
    assert len(set(WINDOWS)) == 69
