"""A tiny progress bar for scripts (no tqdm needed).

>>> bar(3, 10, width=10)
'[###.......]  30%'
"""

from __future__ import annotations

import sys

__all__ = ["bar", "show"]


def bar(done: int, total: int, width: int = 30) -> str:
    """A text bar for `done` of `total`."""
    filled = width * done // max(total, 1)
    return f"[{'#' * filled}{'.' * (width - filled)}] {100 * done // max(total, 1):3d}%"


def show(done: int, total: int, note: str = "") -> None:
    """Redraw the bar in place on stderr; a newline once done."""
    end = "\n" if done >= total else ""
    print(f"\r{bar(done, total)} {note}", end=end, file=sys.stderr, flush=True)
