"""Forms from JSON Schema in the browser: nested objects, arrays, enums, booleans, bounds and defaults."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import pytest
from playwright.sync_api import Page, expect
from pydantic import BaseModel, Field

from openenv_mcp.environment import Environment, tool
from openenv_mcp.server import EnvServer

from .driver import open_play, reset, submit, tool_form
from .support import Served, serving


class Line(BaseModel):
    """One line of an order."""

    sku: str = Field(description="What to send.")
    quantity: Annotated[int, Field(ge=1, le=9)] = 1


class Shop(Environment[None, str]):
    """A tool whose arguments take every shape the forms draw; it answers what it got."""

    name = "shop"

    @tool
    def order(
        self,
        lines: list[Line],
        size: Literal["small", "medium", "large"] = "medium",
        express: bool = False,
        boxes: Annotated[int, Field(ge=1, le=5)] = 1,
        note: str | None = None,
    ) -> dict[str, Any]:
        """Place an order.

        Args:
            lines: What to send, a line each.
            size: The parcel's size.
            express: Whether to send it today.
            boxes: How many boxes.
            note: For the courier.
        """
        sent = [line.model_dump() for line in lines]
        return {"lines": sent, "size": size, "express": express, "boxes": boxes}


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with serving([EnvServer(Shop)]) as app:
        yield app


def test_every_shape_is_drawn_and_sent(page: Page, served: Served) -> None:
    open_play(page, served.play_url("shop"))
    reset(page, 1)
    form = tool_form(page, "order")
    expect(form.get_by_label("boxes")).to_have_attribute("max", "5")
    expect(form).to_contain_text("How many boxes. · ≥ 1, ≤ 5 · default: 1")
    form.get_by_role("button", name="Add lines item").click()
    form.get_by_role("button", name="Add lines item").click()
    form.get_by_label("sku").nth(0).fill("apple")
    form.get_by_label("sku").nth(1).fill("pear")
    form.get_by_label("quantity").nth(1).fill("3")
    form.get_by_label("size").select_option(label="large")
    form.get_by_label("express").check()
    form.get_by_label("boxes").fill("2")
    sent = submit(page, form.get_by_role("button", name="Call order"))
    expect(sent.locator(".error-kind")).to_have_count(0)
    sent.locator("summary", has_text="Structured content").click()
    got = json.loads(sent.locator("details pre").inner_text())
    assert got == {
        "lines": [{"sku": "apple", "quantity": 1}, {"sku": "pear", "quantity": 3}],
        "size": "large",
        "express": True,
        "boxes": 2,
    }
    action = json.loads(sent.locator(".head code").inner_text().removeprefix("order(").removesuffix(")"))
    assert "note" not in action  # an optional field left empty is not sent

    form.get_by_role("button", name="Remove lines item").first.click()
    form.get_by_label("boxes").fill("9")  # over the bound: the server says so, the page does not hide it
    refused = submit(page, form.get_by_role("button", name="Call order"))
    expect(refused.locator(".error-kind")).to_have_text("error: invalid_arguments")
    expect(page.get_by_role("alert")).to_contain_text("boxes")
