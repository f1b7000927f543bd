"""Driving the playground page as a person would: by labels, buttons and what the page shows."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect


def open_play(page: Page, url: str) -> None:
    """Load an environment's playground and wait until its tools are built."""
    page.goto(url)
    expect(page.locator("#play")).to_be_visible()


def reset(page: Page, seed: int | None = None, *, button: str = "Reset", **options: str) -> str:
    """Reset with `seed` and options typed or picked in the form; the new episode id."""
    form = page.locator("#reset-form")
    if seed is not None:
        form.get_by_label("seed").fill(str(seed))
    for name, value in options.items():
        field = form.get_by_label(name, exact=False).first
        tag = field.evaluate("node => node.tagName")
        if tag == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    before = page.locator("#episode-id").input_value()
    form.get_by_role("button", name=button).click()
    expect(page.locator("#episode-id")).not_to_have_value(before or re.compile(r"^$"))
    expect(page.locator("#status")).to_contain_text("0 steps")
    return page.locator("#episode-id").input_value()


def tool_form(page: Page, tool: str) -> Locator:
    return page.locator(f"form[data-tool={tool}]")


def steps(page: Page) -> Locator:
    return page.locator("#history > li")


def call(page: Page, tool: str, **fields: str) -> Locator:
    """Fill the tool's form by label, call it, and return the new history entry."""
    form = tool_form(page, tool)
    for name, value in fields.items():
        form.get_by_label(name, exact=False).first.fill(value)
    return submit(page, form.get_by_role("button", name=f"Call {tool}"))


def call_json(page: Page, tool: str, arguments: str) -> Locator:
    """Call a tool with its arguments typed as JSON."""
    form = tool_form(page, tool)
    details = form.locator("details.as-json")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    form.get_by_label(f"{tool} arguments (JSON)").fill(arguments)
    return submit(page, form.get_by_role("button", name=f"Call {tool}"))


def submit(page: Page, button: Locator) -> Locator:
    count = steps(page).count()
    button.click()
    try:
        expect(steps(page)).to_have_count(count + 1, timeout=60_000)
    except AssertionError as exc:
        raise AssertionError(f"no new step after {button}: the page says {said(page)}") from exc
    expect(page.locator("body")).not_to_have_attribute("data-busy", "")
    return steps(page).first  # newest first


def said(page: Page) -> str:
    """What the page shows of its state: the error box, the status line, whether a call is running."""
    alert = page.locator("#error")
    shown = alert.inner_text() if alert.is_visible() else "(no error shown)"
    busy = page.locator("body").get_attribute("data-busy") is not None
    return f"{shown!r}; status {page.locator('#status').inner_text()!r}; busy: {busy}"
