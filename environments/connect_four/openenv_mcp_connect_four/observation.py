"""What the agent sees after each move: the board, the last moves, and how the game stands."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from openenv_mcp_connect_four.board import COLUMNS, Piece

__all__ = ["AGENT", "OPPONENT", "BoardView", "Status"]

AGENT: Piece = "X"
OPPONENT: Piece = "O"
Status = Literal["playing", "won", "lost", "draw"]
"""How the game stands, from the agent's side."""

_OUTCOMES: dict[Status, str] = {
    "won": "Game over: you won (four X in a row).",
    "lost": "Game over: you lost (four O in a row).",
    "draw": "Game over: a draw (the board is full).",
}


class BoardView(BaseModel):
    """The board after a move, top row first; the agent is X, the opponent O.

    >>> view = BoardView(board=["......."] * 5 + ["...XO.."], status="playing", to_move="X",
    ...                  agent_move=3, opponent_move=4, legal_columns=list(range(7)), moves=2)
    >>> print(view.to_text())
    . . . . . . .
    . . . . . . .
    . . . . . . .
    . . . . . . .
    . . . . . . .
    . . . X O . .
    0 1 2 3 4 5 6
    You are X; the opponent is O. Your last move: column 3. The opponent's last move: column 4.
    Your turn: drop into one of the columns 0, 1, 2, 3, 4, 5, 6.
    """

    board: list[str] = Field(description="Rows from top to bottom; '.' empty, 'X' yours, 'O' the opponent's.")
    status: Status = Field(description="playing, or how the game ended for you: won, lost or draw.")
    to_move: Piece | None = Field(description="Whose turn it is: X (you) while playing, null once over.")
    agent_move: int | None = Field(description="The column of your last move, if any.")
    opponent_move: int | None = Field(description="The column of the opponent's last move, if any.")
    legal_columns: list[int] = Field(description="The columns you can drop into now.")
    moves: int = Field(description="Pieces on the board.")

    def to_text(self) -> str:
        """The board as the agent reads it: the grid, the column numbers, the last moves, what's next."""
        lines = [" ".join(row) for row in self.board]
        lines.append(" ".join(str(column) for column in range(COLUMNS)))
        lines.append("You are X; the opponent is O." + self._last_moves())
        if self.status == "playing":
            legal = ", ".join(map(str, self.legal_columns))
            lines.append(f"Your turn: drop into one of the columns {legal}.")
        else:
            lines.append(_OUTCOMES[self.status])
        return "\n".join(lines)

    def _last_moves(self) -> str:
        said = ""
        if self.agent_move is not None:
            said += f" Your last move: column {self.agent_move}."
        if self.opponent_move is not None:
            said += f" The opponent's last move: column {self.opponent_move}."
        return said
