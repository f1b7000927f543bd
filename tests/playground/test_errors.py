"""Bad input shown as an error while the page goes on; hostile observations shown as text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Route, expect

from openenv_mcp.server import EnvServer
from openenv_mcp_connect_four import ConnectFourEnvironment
from openenv_mcp_echo import EchoEnvironment

from .driver import call, call_json, open_play, reset, steps, tool_form
from .support import Served, serving

HOSTILE = (
    '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'
    '<b id="bold">bold</b></pre><svg onload="window.pwned=3"></svg>'
)


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with serving([EnvServer(ConnectFourEnvironment), EnvServer(EchoEnvironment)]) as app:
        yield app


def test_a_wrong_type_and_an_unknown_episode_are_errors_and_play_goes_on(page: Page, served: Served) -> None:
    open_play(page, served.play_url("connect_four"))
    episode_id = reset(page, 5)
    wrong = call_json(page, "drop", '{"column": "x"}')
    expect(wrong.locator(".error-kind")).to_have_text("error: invalid_arguments")
    expect(page.get_by_role("alert")).to_contain_text("invalid_arguments")
    expect(page.get_by_role("alert")).to_contain_text("is not of type 'integer'")

    page.get_by_label("Episode id").fill("no-such-episode")
    page.locator("form[data-tool=drop] details.as-json summary").click()  # back to the form
    unknown = call(page, "drop", column="3")
    expect(unknown.locator(".error-kind")).to_have_text("error: unknown_episode")
    expect(page.get_by_role("alert")).to_contain_text("unknown episode 'no-such-episode'")

    page.get_by_label("Episode id").fill(episode_id)
    fine = call(page, "drop", column="3")
    expect(fine.locator(".error-kind")).to_have_count(0)
    expect(page.get_by_role("alert")).to_be_hidden()
    expect(fine.locator(".observation")).to_contain_text("Your last move: column 3")

    form = page.locator("form[data-tool=drop]")
    form.locator("details.as-json summary").click()
    form.get_by_label("drop arguments (JSON)").fill("{not json")
    form.get_by_role("button", name="Call drop").click()
    expect(page.get_by_role("alert")).to_contain_text("not JSON")
    expect(steps(page)).to_have_count(3)  # nothing was sent


def test_an_unanswered_call_is_an_error_at_its_deadline_and_play_goes_on(page: Page, served: Served) -> None:
    page.clock.install()  # the page's timers, moved on by the test
    open_play(page, served.play_url("connect_four"))
    reset(page, 5)
    held: list[Route] = []
    page.route("**/mcp", lambda route: held.append(route) if _names(route, "drop") else route.continue_())
    form = tool_form(page, "drop")
    form.get_by_label("column", exact=False).first.fill("3")
    form.get_by_role("button", name="Call drop").click()
    for _ in range(200):  # the page has sent it (bounded: 10 s)
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the page never sent the call"
    page.clock.fast_forward("05:01")
    expect(page.get_by_role("alert")).to_contain_text("tools/call drop: the server did not answer in 300 s")
    expect(page.locator("body")).not_to_have_attribute("data-busy", "")
    expect(steps(page)).to_have_count(0)

    page.unroute("**/mcp")
    fine = call(page, "drop", column="4")
    expect(fine.locator(".observation")).to_contain_text("Your last move: column 4")


def test_a_failed_read_is_sent_again_and_a_failed_call_says_so(page: Page, served: Served) -> None:
    open_play(page, served.play_url("connect_four"))
    failed: list[str] = []

    def flaky(route: Route) -> None:
        method = route.request.headers.get("mcp-method", "")
        if method in failed or method not in ("resources/read", "tools/call"):
            route.continue_()
            return
        if method == "tools/call" and not _names(route, "drop"):
            route.continue_()
            return
        failed.append(method)
        route.abort("connectionreset")

    reset(page, 5)
    page.route("**/mcp", flaky)
    broken = tool_form(page, "drop")
    broken.get_by_label("column", exact=False).first.fill("3")
    broken.get_by_role("button", name="Call drop").click()
    expect(page.get_by_role("alert")).to_contain_text("tools/call drop:")
    expect(page.get_by_role("alert")).to_contain_text("is the server still running?")
    expect(steps(page)).to_have_count(0)  # a tool call is never sent twice: it may have run

    fine = call(page, "drop", column="3")  # its read of the view fails once and is sent again
    expect(fine.locator(".observation")).to_contain_text("Your last move: column 3")
    expect(page.locator("#view img")).to_have_count(1)
    assert failed == ["tools/call", "resources/read"]


def _names(route: Route, tool: str) -> bool:
    return route.request.headers.get("mcp-name") == tool


def test_a_hostile_observation_is_shown_as_text(page: Page, served: Served) -> None:
    open_play(page, served.play_url("echo"))
    reset(page, 1)
    echoed = call(page, "echo", message=HOSTILE)
    expect(echoed.locator(".observation")).to_have_text(HOSTILE)
    expect(echoed.locator("code")).to_contain_text("<script>")
    assert page.evaluate("window.pwned") is None
    assert page.locator("#bold").count() == 0
    assert page.locator("#history img, #history script, #history svg").count() == 0
    page.get_by_role("button", name="Copy as Python").click()  # the message is a literal there too
    script = page.get_by_label("The episode as a Python script").input_value()
    assert '"message": "<img src=x onerror=\\"window.pwned=1\\">' in script
