"""A whole Connect Four game in the browser, its picture, the history, and the episode exported."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from openenv_mcp.server import EnvServer
from openenv_mcp.trajectories import read_trajectory
from openenv_mcp_connect_four import ConnectFourEnvironment

from .driver import call, open_play, reset, steps
from .support import Served, serving

DOCS = Path(__file__).parents[2] / "docs"


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with serving([EnvServer(ConnectFourEnvironment)]) as app:
        yield app


def _legal(observation: str) -> list[int]:
    found = re.search(r"drop into one of the columns ([\d, ]+)\.", observation)
    assert found, observation
    return [int(c) for c in found.group(1).split(",")]


def test_a_game_played_to_its_end(page: Page, served: Served, tmp_path: Path) -> None:
    open_play(page, served.play_url("connect_four"))
    episode_id = reset(page, 7, opponent="random")
    view = page.locator("#view img")
    expect(view).to_have_attribute("alt", re.compile("Your turn"))
    observation = page.locator("#briefing").inner_text()
    for _ in range(21):  # the agent's moves in a full board
        legal = _legal(observation)
        newest = call(page, "drop", column=str(0 if 0 in legal else legal[0]))
        observation = newest.locator(".observation").inner_text()
        if "Game over" in observation:
            break
    else:
        pytest.fail("the game never ended")
    outcome = served.environment("connect_four", episode_id).state().extra["status"]
    assert outcome in {"won", "lost", "draw"}
    newest = steps(page).first
    expect(newest.locator(".flag")).to_have_text("terminated")
    expect(newest.locator(".reward")).to_have_text(f"reward {dict(won=1.0, lost=-1.0, draw=0.0)[outcome]:g}")
    expect(page.locator("#status")).to_contain_text("terminated: reset to play again")
    shown = {"won": "You won", "lost": "You lost", "draw": "A draw"}[outcome]
    expect(view).to_have_attribute("alt", re.compile(shown))
    expect(page.locator("#chart-box svg")).to_have_attribute("aria-label", re.compile("Cumulative reward"))
    expect(page.locator("#state")).to_contain_text(f'"status": "{outcome}"')
    if os.environ.get("OPENENV_MCP_PLAYGROUND_SCREENSHOT"):  # the README's picture
        page.screenshot(path=str(DOCS / "playground.png"), full_page=True)

    # The same game again from its Python script: the same seed, options and drops.
    page.get_by_role("button", name="Copy as Python").click()
    script = page.get_by_label("The episode as a Python script").input_value()
    (tmp_path / "episode.py").write_text(script)
    command = [sys.executable, str(tmp_path / "episode.py")]
    ran = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.rstrip().endswith("True False"), ran.stdout  # the last step: terminated, not truncated
    assert observation.splitlines()[-1] in ran.stdout

    with page.expect_download() as download:
        page.get_by_role("button", name="Download trajectory (JSON Lines)").click()
    lines = [json.loads(line) for line in Path(download.value.path()).read_text().splitlines()]
    assert lines[0]["type"] == "start" and lines[0]["episode_id"] == episode_id
    recorded = read_trajectory(Path(download.value.path()))  # the recording format, as a client's
    assert recorded.start.recorded_by == "client" and recorded.ended == "terminated"
    assert lines[0]["seed"] == 7 and lines[0]["options"] == {"opponent": "random"}
    assert [line["step"] for line in lines[1:]] == list(range(1, steps(page).count() + 1))
    assert lines[-1]["terminated"] and lines[-1]["action"]["tool_name"] == "drop"


def test_keyboard_alone_resets_and_drops(page: Page, served: Served) -> None:
    open_play(page, served.play_url("connect_four"))
    page.locator("#reset-form").get_by_label("seed").focus()
    page.keyboard.type("3")
    page.keyboard.press("Enter")  # submits the reset form
    expect(page.locator("#status")).to_contain_text("0 steps")
    page.locator("form[data-tool=drop]").get_by_label("column").focus()
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    expect(steps(page)).to_have_count(1)
    expect(steps(page).first.locator("code")).to_have_text('drop({"column":4})')


def test_every_control_has_a_label_and_the_page_fits_a_phone(page: Page, served: Served) -> None:
    page.set_viewport_size({"width": 360, "height": 800})
    open_play(page, served.play_url("connect_four"))
    reset(page, 1)
    call(page, "drop", column="2")
    page.get_by_role("button", name="Copy as Python").click()
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea, button')]
            .filter((c) => c.offsetParent !== null || c.closest('details'))
            .filter((c) => !(c.labels && c.labels.length))
            .filter((c) => !c.getAttribute('aria-label') && !c.textContent.trim())
            .map((c) => c.outerHTML)"""
    )
    assert unlabelled == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide on a 360 px screen"
