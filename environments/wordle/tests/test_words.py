"""The shipped word lists."""

from __future__ import annotations

from openenv_mcp_wordle.words import WORD_LENGTH, allowed, answers


def test_answers_are_unique_sorted_lowercase_five_letter_words() -> None:
    words = answers()
    assert len(words) >= 300
    assert len(set(words)) == len(words)
    assert list(words) == sorted(words)
    assert all(len(w) == WORD_LENGTH and w.isascii() and w.isalpha() and w.islower() for w in words)


def test_every_answer_is_an_allowed_guess() -> None:
    assert set(answers()) <= allowed()
    assert len(allowed()) > 2 * len(answers())


def test_allowed_guesses_are_five_lowercase_letters() -> None:
    assert all(len(w) == WORD_LENGTH and w.isascii() and w.isalpha() and w.islower() for w in allowed())


def test_the_files_hold_no_duplicates() -> None:
    from importlib.resources import files

    for name in ("answers.txt", "allowed.txt"):
        lines = files("openenv_mcp_wordle").joinpath("data", name).read_text(encoding="utf-8").splitlines()
        assert len(lines) == len(set(lines)), name
