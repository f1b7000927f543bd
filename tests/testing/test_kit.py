"""The testing kit: one fixture pair reaches a server every way, and check_server catches dead ends."""

from __future__ import annotations

import anyio
import pytest
from mcp.client.client import ConnectMode

from openenv_mcp import Environment, tool
from openenv_mcp.discovery import available
from openenv_mcp.testing import (
    ConformanceError,
    Transport,
    check_environment,
    check_server,
    connect,
    episode_id,
    step_meta,
    structured,
    text,
)
from openenv_mcp_echo import EchoEnvironment
from tests.installed import installed

CODE_ENVIRONMENTS = {"python", "terminal"}


class Broken(Environment):
    """A toy whose only tool always raises: every other check passes it."""

    name = "broken"
    default_max_steps = 5

    @tool()
    def poke(self, target: str) -> str:
        """Poke something.

        Args:
            target: What to poke.
        """
        raise RuntimeError("always")


@pytest.mark.subprocess
async def test_one_test_reaches_the_server_over_every_transport_and_era(
    mcp_transport: Transport, mcp_era: ConnectMode
) -> None:
    with anyio.fail_after(60):
        async with connect(EchoEnvironment, transport=mcp_transport, era=mcp_era) as client:
            reset = await client.call_tool("reset", {"seed": 1})
            echoed = await client.call_tool("echo", {"message": "kit", "episode_id": episode_id(reset)})
    assert text(echoed) == "kit" and step_meta(echoed)["step_count"] == 1
    assert structured(echoed) == {"result": "kit"}


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.sandbox) if n in CODE_ENVIRONMENTS else n for n in available()]
)
async def test_every_installed_environment_passes_check_server(name: str) -> None:
    with installed(name) as env_class, anyio.fail_after(120):
        await check_server(env_class)


async def test_check_server_fails_an_environment_whose_tool_always_raises() -> None:
    with pytest.raises(ConformanceError, match="no example action worked over MCP"):
        await check_server(Broken)


async def test_check_environment_fails_it_too() -> None:
    with pytest.raises(ConformanceError, match="no action of 'broken' works"):
        await check_environment(Broken)


def test_the_result_readers_say_what_is_missing() -> None:
    from mcp.types import CallToolResult, ImageContent

    empty = CallToolResult(content=[ImageContent(type="image", data="", mime_type="image/png")])
    for read in (text, structured, step_meta):
        with pytest.raises(AssertionError):
            read(empty)
