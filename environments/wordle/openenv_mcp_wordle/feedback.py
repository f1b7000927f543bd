"""Scoring a guess against the secret, with Wordle's duplicate-letter rules.

Greens are placed first; then each remaining guess letter, left to right, is yellow
only while the secret still has an unmatched copy of it, so a letter is never marked
more often than it occurs in the secret.

>>> render(score("abbey", "babes"))
'Y Y G G .'
>>> render(score("apple", "paper"))
'Y Y G Y .'
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum

__all__ = ["Mark", "render", "score", "spaced"]


class Mark(StrEnum):
    """The colour of one letter of a guess."""

    GREEN = "green"
    """The right letter in the right place."""
    YELLOW = "yellow"
    """In the word, elsewhere."""
    GRAY = "gray"
    """Not in the word (or not as many times as guessed)."""

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]


_SYMBOLS = {Mark.GREEN: "G", Mark.YELLOW: "Y", Mark.GRAY: "."}


def score(secret: str, guess: str) -> tuple[Mark, ...]:
    """The marks of `guess` against `secret` (same length, lowercase)."""
    marks = [Mark.GREEN if g == s else Mark.GRAY for g, s in zip(guess, secret, strict=True)]
    unmatched = Counter(s for s, mark in zip(secret, marks, strict=True) if mark is not Mark.GREEN)
    for i, letter in enumerate(guess):
        if marks[i] is not Mark.GREEN and unmatched[letter] > 0:
            marks[i] = Mark.YELLOW
            unmatched[letter] -= 1
    return tuple(marks)


def render(marks: tuple[Mark, ...] | list[Mark]) -> str:
    """Marks as one line of symbols: `G` green, `Y` yellow, `.` gray."""
    return " ".join(mark.symbol for mark in marks)


def spaced(word: str) -> str:
    """A word as spaced capitals, to sit above its marks.

    >>> spaced("crane")
    'C R A N E'
    """
    return " ".join(word.upper())
