"""Scoring a guess: Wordle's duplicate-letter rules."""

from __future__ import annotations

import pytest

from openenv_mcp_wordle.feedback import Mark, render, score, spaced


@pytest.mark.parametrize(
    ("secret", "guess", "expected"),
    [
        ("crane", "crane", "G G G G G"),
        ("crane", "moist", ". . . . ."),
        # Each copy of a letter in the secret matches at most one letter of the guess.
        ("abbey", "babes", "Y Y G G ."),
        ("abbey", "kebab", ". Y G Y Y"),
        ("abide", "speed", ". . Y . Y"),
        ("sheep", "eerie", "Y Y . . ."),
        # A green claims its copy before an earlier duplicate can be yellow.
        ("those", "geese", ". . . G G"),
        ("crane", "eerie", ". . Y . G"),
        ("apple", "paper", "Y Y G Y ."),
    ],
)
def test_score(secret: str, guess: str, expected: str) -> None:
    assert render(score(secret, guess)) == expected


def test_no_letter_is_marked_more_often_than_it_occurs() -> None:
    marks = score("lever", "eeeee")
    assert marks.count(Mark.GREEN) + marks.count(Mark.YELLOW) == 2


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError, match=r"shorter|longer"):
        score("crane", "cranes")


def test_rendering() -> None:
    assert spaced("crane") == "C R A N E"
    assert [mark.symbol for mark in Mark] == ["G", "Y", "."]
