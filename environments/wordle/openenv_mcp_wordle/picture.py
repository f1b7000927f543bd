"""The guesses as the familiar coloured grid, an SVG picture for people (the playground's view)."""

from __future__ import annotations

from openenv_mcp.environment.views import Svg, View
from openenv_mcp_wordle.feedback import Mark
from openenv_mcp_wordle.observations import Row
from openenv_mcp_wordle.words import WORD_LENGTH

__all__ = ["picture"]

_CELL, _GAP = 44, 6
_FILL = {Mark.GREEN: "#538d4e", Mark.YELLOW: "#b59f3b", Mark.GRAY: "#787c7e"}
_EMPTY = "#d3d6da"


def picture(board: list[Row], max_guesses: int, status: str) -> View:
    """One row per guess (green, yellow, gray squares with the letters), empty rows for the guesses left."""
    step = _CELL + _GAP
    width, height = WORD_LENGTH * step + _GAP, max_guesses * step + _GAP + 26
    svg = Svg(width, height, title=f"Wordle grid: {len(board)} of {max_guesses} guesses. {status}")
    for index in range(max_guesses):
        row = board[index] if index < len(board) else None
        for column in range(WORD_LENGTH):
            x, y = _GAP + column * step, _GAP + index * step
            fill = _FILL[row.marks[column]] if row is not None else _EMPTY
            svg.rect(x, y, _CELL, _CELL, fill=fill, rx=3)
            if row is not None:
                letter = row.word[column].upper()
                svg.text(x + _CELL / 2, y + _CELL * 0.68, letter, fill="#ffffff", size=24, weight="bold")
    svg.text(width / 2, height - 8, status, fill="#222222", size=14)
    return svg.view()
