"""Connect Four rules: a 7x6 board, dropping pieces, and wins along any line of four.

>>> board = Board()
>>> for column in (3, 3, 4, 4, 5, 5):
...     _ = board.drop(column, "X" if board.turn % 2 == 0 else "O")
>>> board.drop(6, "X")
0
>>> board.winner
'X'
>>> print(board.to_text())
. . . . . . .
. . . . . . .
. . . . . . .
. . . . . . .
. . . O O O .
. . . X X X X
0 1 2 3 4 5 6
"""

from __future__ import annotations

from typing import Literal

__all__ = ["COLUMNS", "EMPTY", "ROWS", "WINDOWS", "Board", "Piece", "other"]

Piece = Literal["X", "O"]
EMPTY = "."
COLUMNS = 7
ROWS = 6
_DIRECTIONS = ((1, 0), (0, 1), (1, 1), (1, -1))


def other(piece: Piece) -> Piece:
    """The opponent's piece."""
    return "O" if piece == "X" else "X"


def _index(column: int, row: int) -> int:
    return row * COLUMNS + column


def _windows() -> tuple[tuple[int, int, int, int], ...]:
    """Every line of four cells on the board (69 of them), as cell indices."""
    found: list[tuple[int, int, int, int]] = []
    for column in range(COLUMNS):
        for row in range(ROWS):
            for dc, dr in _DIRECTIONS:
                end_column, end_row = column + 3 * dc, row + 3 * dr
                if 0 <= end_column < COLUMNS and 0 <= end_row < ROWS:
                    a, b, c, d = (_index(column + i * dc, row + i * dr) for i in range(4))
                    found.append((a, b, c, d))
    return tuple(found)


WINDOWS = _windows()
"""Every line of four, so that heuristics can score them without recomputing."""


class Board:
    """A Connect Four position. Row 0 is the bottom row; cells hold "X", "O" or "."."""

    def __init__(self) -> None:
        self.cells: list[str] = [EMPTY] * (COLUMNS * ROWS)
        self.heights: list[int] = [0] * COLUMNS
        self.moves: list[int] = []
        self.winner: Piece | None = None

    @property
    def turn(self) -> int:
        """How many pieces have been dropped."""
        return len(self.moves)

    @property
    def full(self) -> bool:
        return len(self.moves) == COLUMNS * ROWS

    @property
    def over(self) -> bool:
        """Someone has four in a row, or the board is full (a draw)."""
        return self.winner is not None or self.full

    def at(self, column: int, row: int) -> str:
        """The cell at `column`, `row` (row 0 at the bottom)."""
        return self.cells[_index(column, row)]

    def can_drop(self, column: int) -> bool:
        return 0 <= column < COLUMNS and self.heights[column] < ROWS

    def legal_moves(self) -> list[int]:
        """The columns a piece can go into, left to right; none once the game is over."""
        if self.over:
            return []
        return [column for column in range(COLUMNS) if self.heights[column] < ROWS]

    def drop(self, column: int, piece: Piece) -> int:
        """Drop `piece` into `column`; return the row it lands on. Raises `ValueError` if it cannot."""
        if self.over:
            raise ValueError("the game is over")
        if not self.can_drop(column):
            raise ValueError(f"column {column} is full or off the board")
        row = self.heights[column]
        self.cells[_index(column, row)] = piece
        self.heights[column] = row + 1
        self.moves.append(column)
        if self._line_through(column, row, piece):
            self.winner = piece
        return row

    def undo(self) -> None:
        """Take back the last drop (the position before it had no winner, or nothing could drop)."""
        column = self.moves.pop()
        self.heights[column] -= 1
        self.cells[_index(column, self.heights[column])] = EMPTY
        self.winner = None

    def wins_with(self, column: int, piece: Piece) -> bool:
        """Whether dropping `piece` into `column` now would make four in a row."""
        if self.over or not self.can_drop(column):
            return False
        return self._line_through(column, self.heights[column], piece)

    def rows(self) -> list[str]:
        """The rows from top to bottom, one character per cell."""
        return ["".join(self.cells[_index(0, row) : _index(COLUMNS, row)]) for row in reversed(range(ROWS))]

    def to_text(self) -> str:
        """The board as text, top row first, with the column numbers under it."""
        lines = [" ".join(row) for row in self.rows()]
        lines.append(" ".join(str(column) for column in range(COLUMNS)))
        return "\n".join(lines)

    def _line_through(self, column: int, row: int, piece: Piece) -> bool:
        """Whether `piece` at (`column`, `row`) would complete four in a row (that cell itself not read)."""
        for dc, dr in _DIRECTIONS:
            count = 1 + self._run(column, row, dc, dr, piece) + self._run(column, row, -dc, -dr, piece)
            if count >= 4:
                return True
        return False

    def _run(self, column: int, row: int, dc: int, dr: int, piece: Piece) -> int:
        count = 0
        column, row = column + dc, row + dr
        while 0 <= column < COLUMNS and 0 <= row < ROWS and self.cells[_index(column, row)] == piece:
            count += 1
            column, row = column + dc, row + dr
        return count
