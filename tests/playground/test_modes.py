"""Production shows the inner tools and no reward; with tokens configured, the page asks for one."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from openenv_mcp.auth import Authenticator, StaticTokens, parse_token_file
from openenv_mcp.server import EnvServer, Mode
from openenv_mcp_connect_four import ConnectFourEnvironment
from openenv_mcp_echo import EchoEnvironment

from .driver import call, open_play, reset, steps
from .support import Served, serving

TOKEN = "playground-token-aaaaaaaaaaaa"


@pytest.fixture(scope="module")
def production() -> Iterator[Served]:
    with serving([EnvServer(ConnectFourEnvironment, mode=Mode.PRODUCTION)]) as app:
        yield app


@pytest.fixture(scope="module")
def guarded() -> Iterator[Served]:
    authenticator = Authenticator(static=StaticTokens(parse_token_file(f"{TOKEN} openenv:control team")))
    with serving([EnvServer(EchoEnvironment), EnvServer(ConnectFourEnvironment)], authenticator) as app:
        yield app


def test_production_hides_control_and_reward(page: Page, production: Served, tmp_path: Path) -> None:
    open_play(page, production.play_url("connect_four"))
    expect(page.locator("#mode")).to_have_text("production mode")
    reset(page, 2, button="Open episode")
    forms = page.locator("form.tool")
    assert sorted(forms.evaluate_all("forms => forms.map((f) => f.dataset.tool)")) == ["drop", "view_board"]
    for hidden in ("#state-panel", "#chart-box", "#code-panel"):
        expect(page.locator(hidden)).to_be_hidden()
    played = call(page, "drop", column="3")
    expect(played.locator(".observation")).to_contain_text("Your last move: column 3")
    expect(played.locator(".reward")).to_have_count(0)
    for shown in ("#status", "#history"):  # (an option's own description may say "reward")
        expect(page.locator(shown)).not_to_contain_text(re.compile("reward", re.IGNORECASE))
    for control in ("Reset", "Call reset", "Call step", "Call state", "Call open_episode"):
        expect(page.get_by_role("button", name=control, exact=True)).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download trajectory (JSON Lines)").click()
    assert '"reward"' not in Path(download.value.path()).read_text()

    page.get_by_role("button", name="Copy as Python").click()  # plain MCP: no EnvClient without reset
    script = tmp_path / "episode.py"
    script.write_text(page.get_by_label("The episode as a Python script").input_value())
    command = [sys.executable, str(script)]
    ran = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert ran.returncode == 0, ran.stderr
    assert "Your last move: column 3" in ran.stdout


def test_auth_asks_for_a_token_and_refuses_without_one(page: Page, guarded: Served) -> None:
    page.goto(guarded.play_url("echo"))
    token = page.get_by_label("Bearer token")
    expect(token).to_be_visible()
    expect(page.locator("#play")).to_be_hidden()  # nothing of the environment without a token
    token.fill("not-the-token")
    page.get_by_role("button", name="Use token").click()
    expect(page.get_by_label("Bearer token")).to_be_visible()  # refused: asked again
    expect(page.locator("#auth")).to_contain_text("needs a token")
    page.get_by_label("Bearer token").fill(TOKEN)
    page.get_by_role("button", name="Use token").click()
    expect(page.locator("#play")).to_be_visible()
    reset(page, 1)
    echoed = call(page, "echo", message="with a token")
    expect(echoed.locator(".observation")).to_have_text("with a token")
    expect(steps(page)).to_have_count(1)

    page.get_by_role("link", name="Environments").click()  # the catalogue, with the tab's token
    expect(page.get_by_role("link", name="connect_four")).to_be_visible()
    page.get_by_role("link", name="connect_four").click()
    open_play(page, guarded.play_url("connect_four"))


def test_the_catalogue_without_a_token_asks_for_one(page: Page, guarded: Served) -> None:
    page.goto(guarded.base + "/")
    expect(page.get_by_label("Bearer token")).to_be_visible()
    expect(page.locator("#catalogue li")).to_have_count(0)
