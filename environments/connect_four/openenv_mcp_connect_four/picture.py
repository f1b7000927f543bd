"""The board as an SVG picture for people (the playground's view of an episode)."""

from __future__ import annotations

from openenv_mcp.environment.views import Svg, View
from openenv_mcp_connect_four.board import COLUMNS, ROWS
from openenv_mcp_connect_four.observation import BoardView

__all__ = ["picture"]

_CELL = 44
_TOP = 30
_FILL = {"X": "#d62828", "O": "#f7c62f", ".": "#ffffff"}
_OUTCOMES = {"won": "You won", "lost": "You lost", "draw": "A draw", "playing": "Your turn (X)"}


def picture(view: BoardView) -> View:
    """The grid in red (X, the agent) and yellow (O), the column numbers under it, the status over it."""
    width, height = COLUMNS * _CELL, _TOP + ROWS * _CELL + 24
    svg = Svg(width, height, title=f"Connect Four board, {view.moves} pieces: {_OUTCOMES[view.status]}")
    svg.text(width / 2, 20, _OUTCOMES[view.status], fill="#222222", size=16, weight="bold")
    svg.rect(0, _TOP, width, ROWS * _CELL, fill="#1d4e89", rx=8)
    for row, cells in enumerate(view.board):
        for column, piece in enumerate(cells):
            x, y = column * _CELL + _CELL / 2, _TOP + row * _CELL + _CELL / 2
            svg.circle(x, y, _CELL * 0.4, fill=_FILL.get(piece, "#ffffff"))
    for column in range(COLUMNS):
        svg.text(column * _CELL + _CELL / 2, height - 6, str(column), fill="#222222", size=14)
    return svg.view()
