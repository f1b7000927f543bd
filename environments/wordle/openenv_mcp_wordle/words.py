"""The word lists shipped with the package: secret answers and accepted guesses.

Both are read once from package data (`data/answers.txt`, `data/allowed.txt`); nothing
is downloaded or read from the system at run time.

>>> "crane" in allowed() and "crane" in answers()
True
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

__all__ = ["WORD_LENGTH", "allowed", "answers"]

WORD_LENGTH = 5


def _load(name: str) -> tuple[str, ...]:
    text = files("openenv_mcp_wordle").joinpath("data", name).read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@cache
def answers() -> tuple[str, ...]:
    """The possible secrets: common 5-letter words, sorted, lowercase."""
    return _load("answers.txt")


@cache
def allowed() -> frozenset[str]:
    """Every accepted guess (the answers included)."""
    return frozenset(_load("allowed.txt")) | frozenset(answers())
