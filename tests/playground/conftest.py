"""One headless Chromium (Debian's, through Playwright) a test module, and a page per test.

A failed test saves a screenshot of its page under its tmp dir and names the file in its
report. Console errors and uncaught page errors fail the test that caused them (a blocked
Content-Security-Policy or a script error shows there first).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from _pytest._code.code import ExceptionRepr
from playwright.sync_api import Browser, ConsoleMessage, Page, ViewportSize, sync_playwright

from .support import chromium

WIDE: ViewportSize = {"width": 1200, "height": 1000}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One browser a module (starting Chromium costs about a second), Debian's own.

    Not one a session: while Playwright's sync API runs, its event loop is the thread's
    running loop, and every async test after it (pytest-asyncio's runner) would fail with
    "Runner.run() cannot be called from a running event loop".
    """
    executable = chromium()  # before Playwright starts: a skip or a failure costs nothing then
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=executable)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, tmp_path: Path) -> Iterator[Page]:
    """A fresh context (no storage shared between tests) and page; console errors are collected."""
    context = browser.new_context(viewport=WIDE, accept_downloads=True)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    problems: list[str] = []
    opened.on("console", lambda message: _console(message, problems))
    opened.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    yield opened
    context.close()
    assert not problems, f"the page logged errors: {problems}"


def _console(message: ConsoleMessage, problems: list[str]) -> None:
    # The browser logs refused requests (a 401 the page expects, a 404 it asked for) as errors too.
    if message.type == "error" and "Failed to load resource" not in message.text:
        problems.append(f"console error: {message.text}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    _screenshot_on_failure(item, report)
    return report


def _screenshot_on_failure(item: pytest.Item, report: pytest.TestReport) -> None:
    funcargs: dict[str, object] = getattr(item, "funcargs", {})
    opened, tmp = funcargs.get("page"), funcargs.get("tmp_path")
    if report.when != "call" or not report.failed:
        return
    if not isinstance(opened, Page) or not isinstance(tmp, Path):
        return
    shot = tmp / "failure.png"
    try:
        opened.screenshot(path=str(shot), full_page=True)
    except Exception as exc:  # a crashed page: the report still says why the test failed
        report.sections.append(("playground screenshot", f"no screenshot: {exc}"))
        return
    report.sections.append(("playground screenshot", str(shot)))
    if isinstance(report.longrepr, ExceptionRepr):
        report.longrepr.addsection("playground screenshot", f"saved at {shot}")
