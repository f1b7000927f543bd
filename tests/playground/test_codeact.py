"""The code environments in the browser: a python solution written and submitted, a terminal command run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from openenv_mcp.server import EnvServer
from openenv_mcp_python import PythonEnvironment
from openenv_mcp_terminal import TerminalEnvironment

from .driver import call, open_play, reset, submit
from .support import Served, serving

pytestmark = pytest.mark.sandbox

SOLUTIONS = Path(__file__).parents[2] / "environments" / "python" / "tests" / "solutions"


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    servers = [EnvServer(PythonEnvironment, warm_pool=0), EnvServer(TerminalEnvironment, warm_pool=0)]
    with serving(servers) as app:
        yield app


def test_a_python_solution_written_tried_and_submitted(page: Page, served: Served) -> None:
    open_play(page, served.play_url("python"))
    expect(page.locator("#code-panel")).to_be_visible()  # python takes code actions
    reset(page, 0, task="fizzbuzz")
    expect(page.locator("#view pre")).to_contain_text("=== solution.py ===")
    written = call(page, "write_file", path="solution.py", content=(SOLUTIONS / "fizzbuzz.py").read_text())
    expect(written.locator(".observation")).to_contain_text("wrote")
    expect(page.locator("#view pre")).to_contain_text('"Fizz" * (i % 3 == 0)')

    page.get_by_label("Python code").fill("import solution\nsolution.fizzbuzz(5)")
    tried = submit(page, page.get_by_role("button", name="Run code"))
    expect(tried.locator(".observation")).to_contain_text("'Buzz'")
    expect(tried.locator("pre.code")).to_have_text("import solution\nsolution.fizzbuzz(5)")

    graded = call(page, "submit")
    expect(graded.locator(".flag")).to_have_text("terminated", timeout=60_000)
    expect(graded.locator(".reward")).to_have_text("reward 1")
    expect(page.locator("#status")).to_contain_text("total reward 1")


def test_a_terminal_command_run(page: Page, served: Served) -> None:
    open_play(page, served.play_url("terminal"))
    reset(page, 0)
    ran = call(page, "run_command", command="echo made-in-the-playground > note.txt && cat note.txt")
    expect(ran.locator(".observation")).to_contain_text("made-in-the-playground")
    transcript = page.locator("#view pre")
    expect(transcript).to_contain_text("$ echo made-in-the-playground > note.txt && cat note.txt")
    listed = call(page, "list_dir")
    expect(listed.locator(".observation")).to_contain_text("note.txt")
