"""What guesses reveal: discoveries, hard-mode rules and the keyboard."""

from __future__ import annotations

from openenv_mcp_wordle.feedback import score
from openenv_mcp_wordle.knowledge import Discovery, Knowledge


def learned(secret: str, *guesses: str) -> Knowledge:
    knowledge = Knowledge()
    for guess in guesses:
        knowledge.learn(guess, score(secret, guess))
    return knowledge


def test_a_guess_reports_only_what_is_new() -> None:
    knowledge = Knowledge()
    assert knowledge.learn("crane", score("cream", "crane")) == Discovery(greens=2, letters=4)
    assert knowledge.learn("crate", score("cream", "crate")) == Discovery(greens=0, letters=0)
    assert knowledge.learn("cream", score("cream", "cream")) == Discovery(greens=3, letters=1)


def test_a_duplicate_letter_counts_once_as_a_letter() -> None:
    assert Knowledge().learn("eerie", score("sheep", "eerie")) == Discovery(greens=0, letters=1)


def test_hard_mode_keeps_greens_in_place() -> None:
    knowledge = learned("cream", "crane")
    assert knowledge.violation("bread") == "hard mode: the 1st letter must be C"
    assert knowledge.violation("crate") is None


def test_hard_mode_requires_the_yellows() -> None:
    assert learned("cream", "crane").violation("craft") == "hard mode: the guess must contain E"


def test_hard_mode_counts_duplicate_yellows() -> None:
    knowledge = learned("sheep", "eerie")
    assert knowledge.violation("trend") == "hard mode: the guess must contain E at least 2 times"
    assert knowledge.violation("event") is None


def test_the_keyboard_groups_letters() -> None:
    keys = learned("metal", "crane").keyboard()
    assert keys["green"] == []
    assert keys["yellow"] == ["a", "e"]
    assert keys["absent"] == ["c", "n", "r"]
    assert len(keys["unknown"]) == 21


def test_a_letter_both_green_and_gray_is_green() -> None:
    keys = learned("crane", "eerie").keyboard()
    assert "e" in keys["green"] and "e" not in keys["absent"]
    assert keys["yellow"] == ["r"]
    assert keys["absent"] == ["i"]
