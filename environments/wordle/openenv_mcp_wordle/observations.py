"""What the agent reads: a guess's result and the keyboard, each with a text rendering."""

from __future__ import annotations

from pydantic import BaseModel

from openenv_mcp_wordle.feedback import Mark, render, spaced

__all__ = ["GuessResult", "Keyboard", "Row"]


class Row(BaseModel):
    """One scored guess."""

    word: str
    marks: list[Mark]

    def to_text(self) -> str:
        return f"{spaced(self.word)}\n{render(self.marks)}"


class GuessResult(BaseModel):
    """The result of a valid guess, with the whole board so far."""

    guess: str
    marks: list[Mark]
    board: list[Row]
    guesses_left: int
    solved: bool
    game_over: bool
    secret: str | None = None
    """Revealed only once the game is over."""

    def to_text(self) -> str:
        rows = "\n".join(row.to_text() for row in self.board)
        return f"{rows}\n\n{self.status()}"

    def status(self) -> str:
        turns = len(self.board)
        if self.solved:
            return f"Solved in {turns} {_plural(turns, 'guess')}!"
        if self.game_over:
            return f"Out of guesses. The word was {(self.secret or '').upper()}."
        return f"{self.guesses_left} {_plural(self.guesses_left, 'guess')} left."


class Keyboard(BaseModel):
    """Every letter's status from the guesses so far."""

    green: list[str]
    """Placed in at least one position."""
    yellow: list[str]
    """In the word, place not yet found."""
    absent: list[str]
    """Not in the word."""
    unknown: list[str]
    """Not yet guessed."""

    def to_text(self) -> str:
        groups = {"green": self.green, "yellow": self.yellow, "absent": self.absent, "unknown": self.unknown}
        return "\n".join(
            f"{name + ':':8} {' '.join(letters).upper() or '-'}" for name, letters in groups.items()
        )


def _plural(n: int, noun: str) -> str:
    return noun if n == 1 else f"{noun}es"
