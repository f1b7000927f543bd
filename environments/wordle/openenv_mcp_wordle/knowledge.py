"""What the guesses so far have revealed: placed letters, present letters, absent letters.

It drives three things: the shaped reward (what a guess newly revealed), hard mode
(revealed hints must be used again) and the keyboard shown by the `letters` tool.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from string import ascii_lowercase

from openenv_mcp_wordle.feedback import Mark

__all__ = ["Discovery", "Knowledge", "ordinal"]


@dataclass(frozen=True)
class Discovery:
    """What one guess revealed for the first time."""

    greens: int
    """Positions whose letter became known."""
    letters: int
    """Distinct letters first known to be in the word (green or yellow)."""


@dataclass
class Knowledge:
    """Everything revealed in one game."""

    placed: dict[int, str] = field(default_factory=dict[int, str])
    """Position -> letter, from greens."""
    present: set[str] = field(default_factory=set[str])
    """Letters known to be in the word."""
    grayed: set[str] = field(default_factory=set[str])
    """Letters marked gray at least once (absent unless also present)."""
    least: dict[str, int] = field(default_factory=dict[str, int])
    """Letter -> the fewest times it must occur, from the best single guess."""

    def learn(self, guess: str, marks: tuple[Mark, ...]) -> Discovery:
        """Take in one scored guess; say what was new."""
        new_greens = 0
        hits: Counter[str] = Counter()
        for i, (letter, mark) in enumerate(zip(guess, marks, strict=True)):
            if mark is Mark.GREEN and i not in self.placed:
                self.placed[i] = letter
                new_greens += 1
            if mark is Mark.GRAY:
                self.grayed.add(letter)
            else:
                hits[letter] += 1
        new_letters = len(set(hits) - self.present)
        self.present |= set(hits)
        for letter, count in hits.items():
            self.least[letter] = max(self.least.get(letter, 0), count)
        return Discovery(greens=new_greens, letters=new_letters)

    def violation(self, guess: str) -> str | None:
        """Why `guess` breaks hard mode (revealed hints unused), or None."""
        for i, letter in sorted(self.placed.items()):
            if guess[i] != letter:
                return f"hard mode: the {ordinal(i + 1)} letter must be {letter.upper()}"
        counts = Counter(guess)
        for letter, needed in sorted(self.least.items()):
            if counts[letter] < needed:
                times = "" if needed == 1 else f" at least {needed} times"
                return f"hard mode: the guess must contain {letter.upper()}{times}"
        return None

    def status(self, letter: str) -> Mark | None:
        """A letter's keyboard colour: green if placed anywhere, None while unknown."""
        if letter in self.placed.values():
            return Mark.GREEN
        if letter in self.present:
            return Mark.YELLOW
        if letter in self.grayed:
            return Mark.GRAY
        return None

    def keyboard(self) -> dict[str, list[str]]:
        """Letters grouped by status: green, yellow, absent, unknown."""
        groups: dict[str, list[str]] = {"green": [], "yellow": [], "absent": [], "unknown": []}
        names = {Mark.GREEN: "green", Mark.YELLOW: "yellow", Mark.GRAY: "absent", None: "unknown"}
        for letter in ascii_lowercase:
            groups[names[self.status(letter)]].append(letter)
        return groups


def ordinal(n: int) -> str:
    """1 -> '1st', 2 -> '2nd', 3 -> '3rd', 4 -> '4th'.

    >>> [ordinal(n) for n in (1, 2, 3, 4, 5)]
    ['1st', '2nd', '3rd', '4th', '5th']
    """
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n, "th")
    return f"{n}{suffix}"
