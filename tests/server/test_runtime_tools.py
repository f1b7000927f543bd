"""A server of an environment whose tools are listed at runtime: listed once, served, changed, announced."""

from __future__ import annotations

from typing import Any, ClassVar

import anyio
import mcp
import pytest
from mcp.client.client import ConnectMode
from mcp.shared.subscriptions import ToolsListChanged
from mcp.types import ToolListChangedNotification

from openenv_mcp.conformance import check_environment
from openenv_mcp.server import EnvServer
from openenv_mcp.server.control import META_ROLE
from openenv_mcp.spec import ToolDefinition
from openenv_mcp.testing import check_server, connect, step_meta, structured, text
from openenv_mcp_echo import EchoEnvironment
from tests.environment.test_runtime_tools import ADD, Calculator

ERAS: list[ConnectMode] = ["legacy", "2026-07-28"]
NEG = ADD.model_copy(update={"name": "negate", "description": "Negate a number."})


class Counted(Calculator):
    """Counts how often its tools are listed (a server lists them once, not per episode)."""

    name = "calculator_counted"
    listings = 0

    async def list_tools(self) -> Any:
        type(self).listings += 1
        return await super().list_tools()


@pytest.mark.parametrize("era", ERAS)
async def test_runtime_tools_are_listed_once_and_served_as_inner_tools(era: ConnectMode) -> None:
    Counted.listings = 0
    server = EnvServer(Counted)
    with anyio.fail_after(30):
        async with connect(server, era=era) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            assert "add" in tools and (tools["add"].meta or {}).get(META_ROLE) == "inner"
            assert "episode_id" in tools["add"].input_schema["properties"]
            reset = structured(await client.call_tool("reset", {"seed": 1}))
            arguments = {"a": 2, "b": 3, "episode_id": reset["episode_id"]}
            added = [await client.call_tool("add", arguments) for _ in range(3)][-1]
            assert structured(added) == {"sum": 5} and step_meta(added)["reward"] == 1.0
            await client.call_tool("reset", {"seed": 2})
    assert Counted.listings == 1


async def test_a_changed_listing_is_served_and_announced_to_a_session_that_listed_the_tools() -> None:
    heard = anyio.Event()

    async def handle(message: Any) -> None:
        if isinstance(message, ToolListChangedNotification):
            heard.set()

    class Growing(Calculator):
        name = "calculator_growing"
        listing: ClassVar[list[ToolDefinition]] = [ADD]

    server = EnvServer(Growing)
    with anyio.fail_after(30):
        async with mcp.Client(server.server, mode="legacy", message_handler=handle) as client:
            assert client.server_capabilities.tools is not None
            assert client.server_capabilities.tools.list_changed is True
            assert [t.name for t in (await client.list_tools()).tools][-1:] == ["add"]
            assert await server.refresh_tools() is False  # the same listing: nobody is told
            Growing.listing = [ADD, NEG]
            assert await server.refresh_tools() is True
            await heard.wait()
            names = [t.name for t in (await client.list_tools()).tools]
            assert names[-2:] == ["add", "negate"]
            reset = structured(await client.call_tool("reset", {}))
            negated = await client.call_tool("negate", {"a": 1, "b": 2, "episode_id": reset["episode_id"]})
            assert not negated.is_error


async def test_a_changed_listing_reaches_a_listen_stream_that_asked_for_it() -> None:
    class Shrinking(Calculator):
        name = "calculator_shrinking"
        listing: ClassVar[list[ToolDefinition]] = [ADD, NEG]

    server = EnvServer(Shrinking)
    with anyio.fail_after(30):
        async with connect(server, era="2026-07-28") as client:
            async with client.listen(tools_list_changed=True) as subscription:
                Shrinking.listing = [NEG]
                assert await server.refresh_tools() is True
                assert isinstance(await subscription.__anext__(), ToolsListChanged)
            names = [t.name for t in (await client.list_tools()).tools]
            assert "negate" in names and "add" not in names
            reset = structured(await client.call_tool("reset", {}))
            gone = await client.call_tool("add", {"a": 1, "b": 2, "episode_id": reset["episode_id"]})
            assert gone.is_error and "unknown tool 'add'" in text(gone)


async def test_a_class_with_fixed_tools_announces_no_changes() -> None:
    server = EnvServer(EchoEnvironment)
    with anyio.fail_after(30):
        async with mcp.Client(server.server, mode="legacy") as client:
            tools = client.server_capabilities.tools
            assert tools is not None and not tools.list_changed
    assert await server.refresh_tools() is False


async def test_a_runtime_listing_passes_both_conformance_checks() -> None:
    with anyio.fail_after(60):
        await check_environment(Calculator)
        await check_server(Calculator)
