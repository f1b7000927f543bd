"""MCP logging of episode events: quiet by default, at the level the client chose, in both eras."""

from __future__ import annotations

import warnings
from typing import Any

import anyio
import mcp
import pytest
from mcp.client.client import ConnectMode
from mcp.types import LoggingLevel, LoggingMessageNotificationParams

from openenv_mcp.episodes import RegistryLimits
from openenv_mcp.server import EnvServer, Mode
from openenv_mcp.testing import structured
from openenv_mcp_echo import EchoEnvironment
from tests.conftest import ERAS


class Messages(list[LoggingMessageNotificationParams]):
    """The log messages a client received; `until(n)` waits for the n-th."""

    def __init__(self) -> None:
        super().__init__()
        self._arrived = anyio.Event()

    async def record(self, params: LoggingMessageNotificationParams) -> None:
        self.append(params)
        self._arrived.set()

    async def until(self, count: int) -> None:
        while len(self) < count:
            self._arrived = anyio.Event()
            await self._arrived.wait()


def _client(server: EnvServer, era: ConnectMode, into: Messages, level: LoggingLevel | None) -> mcp.Client:
    # `log_level` is the 2026-07-28 opt-in (every request's _meta); the handshake era uses setLevel.
    return mcp.Client(
        server.server, mode=era, logging_callback=into.record, log_level=level, read_timeout_seconds=10
    )


async def _set_level(client: mcp.Client, era: ConnectMode, level: LoggingLevel) -> None:
    if era == "legacy":
        with warnings.catch_warnings():  # the SDK marks logging deprecated as of 2026-07-28
            warnings.simplefilter("ignore")
            await client.set_logging_level(level)  # pyright: ignore[reportDeprecated]


def _events(messages: Messages) -> list[tuple[str, Any]]:
    return [(m.level, m.data["event"]) for m in messages]


@pytest.mark.parametrize("era", ERAS)
async def test_no_messages_until_a_level_is_chosen(era: ConnectMode) -> None:
    server = EnvServer(EchoEnvironment)
    messages = Messages()
    with anyio.fail_after(30):
        async with _client(server, era, messages, None) as client:
            episode_id = structured(await client.call_tool("reset", {"seed": 1}))["episode_id"]
            await client.call_tool("close", {"episode_id": episode_id})
    assert messages == []


@pytest.mark.parametrize("era", ERAS)
async def test_episode_opened_and_closed_are_logged_at_the_chosen_level(era: ConnectMode) -> None:
    server = EnvServer(EchoEnvironment)
    messages = Messages()
    with anyio.fail_after(30):
        async with _client(server, era, messages, "info") as client:
            await _set_level(client, era, "info")
            episode_id = structured(await client.call_tool("reset", {"seed": 1}))["episode_id"]
            await client.call_tool("echo", {"message": "hi", "episode_id": episode_id})
            await client.call_tool("close", {"episode_id": episode_id})
    assert _events(messages) == [("info", "episode_opened"), ("info", "episode_closed")]
    opened, closed = (m.data for m in messages)
    assert opened == {"event": "episode_opened", "environment": "echo", "episode_id": episode_id, "steps": 0}
    assert closed["steps"] == 1 and closed["reason"] == "closed"
    assert all(m.logger == "openenv-mcp.echo" for m in messages)


@pytest.mark.parametrize("era", ERAS)
async def test_a_higher_level_filters_the_episode_events_out(era: ConnectMode) -> None:
    server = EnvServer(EchoEnvironment)
    messages = Messages()
    with anyio.fail_after(30):
        async with _client(server, era, messages, "warning") as client:
            await _set_level(client, era, "warning")
            episode_id = structured(await client.call_tool("reset", {"seed": 1}))["episode_id"]
            await client.call_tool("close", {"episode_id": episode_id})
    assert messages == []


async def test_a_session_hears_its_episode_expire_between_calls() -> None:
    server = EnvServer(EchoEnvironment, limits=RegistryLimits(idle_ttl=0.2))
    messages = Messages()
    with anyio.fail_after(30):
        async with _client(server, "legacy", messages, None) as client:
            await _set_level(client, "legacy", "notice")
            episode_id = structured(await client.call_tool("reset", {"seed": 1}))["episode_id"]
            await messages.until(1)  # the reaper closes it: no call of ours is running
    assert _events(messages) == [("notice", "episode_expired")]
    assert messages[0].data["episode_id"] == episode_id
    assert messages[0].data["reason"].endswith("(idle TTL)")


async def test_another_session_does_not_hear_of_an_episode() -> None:
    server = EnvServer(EchoEnvironment, limits=RegistryLimits(idle_ttl=0.3))
    mine, theirs = Messages(), Messages()
    with anyio.fail_after(30):
        async with _client(server, "legacy", mine, None) as a, _client(server, "legacy", theirs, None) as b:
            await _set_level(a, "legacy", "debug")
            await _set_level(b, "legacy", "debug")
            await a.call_tool("reset", {"seed": 1})
            await mine.until(2)
    assert _events(mine) == [("info", "episode_opened"), ("notice", "episode_expired")]
    assert theirs == []


@pytest.mark.parametrize("era", ERAS)
async def test_production_messages_carry_no_reward(era: ConnectMode) -> None:
    server = EnvServer(EchoEnvironment, mode=Mode.PRODUCTION)
    messages = Messages()
    with anyio.fail_after(30):
        async with _client(server, era, messages, "debug") as client:
            await _set_level(client, era, "debug")
            opened = await client.call_tool("open_episode", {"seed": 1})
            episode_id = structured(opened)["episode_id"]
            await client.call_tool("echo", {"message": "a long message", "episode_id": episode_id})
            await client.call_tool("close_episode", {"episode_id": episode_id})
    assert _events(messages) == [("info", "episode_opened"), ("info", "episode_closed")]
    assert all(set(m.data) <= {"event", "environment", "episode_id", "steps", "reason"} for m in messages)
