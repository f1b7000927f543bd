"""Wordle solved by typing guesses; its picture is the coloured grid, the secret hidden until the end."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from openenv_mcp.server import EnvServer
from openenv_mcp_wordle import WordleEnvironment

from .driver import call, open_play, reset, steps
from .support import Served, serving


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with serving([EnvServer(WordleEnvironment)]) as app:
        yield app


def test_solved_by_typing_guesses(page: Page, served: Served) -> None:
    open_play(page, served.play_url("wordle"))
    episode_id = reset(page, 11)
    wordle = served.environment("wordle", episode_id)
    assert isinstance(wordle, WordleEnvironment)
    secret = wordle.secret  # the page never sees it
    opener = "crane" if secret != "crane" else "slate"
    first = call(page, "guess", word=opener)
    expect(first.locator(".observation")).to_contain_text("5 guesses left")
    image = page.locator("#view img")
    expect(image).to_have_attribute("alt", re.compile("1 of 6 guesses"))
    assert secret not in (image.get_attribute("src") or "").lower()
    solved = call(page, "guess", word=secret.upper())
    expect(solved.locator(".observation")).to_contain_text("Solved in 2 guesses!")
    expect(solved.locator(".flag")).to_have_text("terminated")
    expect(image).to_have_attribute("alt", re.compile("Solved in 2 guesses"))
    expect(steps(page)).to_have_count(2)
    expect(page.locator("#state")).to_contain_text('"solved": true')
