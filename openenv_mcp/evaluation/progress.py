"""The evaluation's progress on stderr: a bar redrawn in place on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
from typing import TextIO

__all__ = ["ProgressBar"]


class ProgressBar:
    """``[#####-----] 20/40 episodes (1 failed)``; without a TTY, a line at every tenth and the end."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width, self.tty = width, self.stream.isatty()
        self._shown = -1

    def __call__(self, done: int, total: int, failed: int) -> None:
        filled = self.width * done // max(total, 1)
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"[{bar}] {done}/{total} episodes" + (f" ({failed} failed)" if failed else "")
        if self.tty:
            self.stream.write(f"\r{line}" + ("\n" if done == total else ""))
        elif (tenth := 10 * done // max(total, 1)) != self._shown or done == total:
            self._shown = tenth
            self.stream.write(line + "\n")
        self.stream.flush()
