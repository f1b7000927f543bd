"""Resources (rules, README, an episode's transcript and board) and their subscriptions, in both eras."""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

import anyio
import httpx2
import mcp
import pytest
from mcp import MCPError
from mcp.client.client import ConnectMode
from mcp.client.session import IncomingMessage
from mcp.client.streamable_http import streamable_http_client
from mcp.types import INVALID_PARAMS, ResourceUpdatedNotification, TextResourceContents

from openenv_mcp.auth import Authenticator, StaticTokens, parse_token_file
from openenv_mcp.environment import Environment, tool
from openenv_mcp.episodes import Caller
from openenv_mcp.server import EnvServer, Mode
from openenv_mcp.testing import running_http, structured, text
from openenv_mcp.transports import build_app
from openenv_mcp_connect_four import ConnectFourEnvironment
from openenv_mcp_echo import EchoEnvironment
from openenv_mcp_wordle import WordleEnvironment
from tests.conftest import ERAS, connect

# The handshake era's resources/subscribe, which these tests drive, is deprecated in the SDK.
pytestmark = pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")

_CONTROL_TOOLS = re.compile(r"`(reset|step|step_batch|state|close)`|\breset\(")


class Tiles(Environment):
    """Place tiles on a row; the hidden pattern is never shown."""

    name = "tiles"
    description = "Place tiles."

    async def on_reset(self, options: object) -> str:
        self.row = ["."] * 5
        self.pattern = "".join(self.rng.choice("XO") for _ in range(5))
        return "Place X or O tiles on a row of 5."

    @tool
    def place(self, position: int, tile: str) -> str:
        """Place a tile.

        Args:
            position: 0 to 4.
            tile: X or O.
        """
        self.row[position] = tile
        self.add_reward(1.0 if self.pattern[position] == tile else 0.0)
        return f"placed {tile} at {position}"

    def board_view(self) -> str:
        return "".join(self.row)


async def _read(client: mcp.Client, uri: str) -> str:
    [content] = (await client.read_resource(uri)).contents
    assert isinstance(content, TextResourceContents) and content.uri == uri
    return content.text


async def _open(client: mcp.Client, *, control: bool, seed: int = 1) -> str:
    opened = await client.call_tool("reset" if control else "open_episode", {"seed": seed})
    return str(structured(opened)["episode_id"])


@pytest.mark.parametrize("era", ERAS)
async def test_the_lists_are_fixed_per_view(era: ConnectMode) -> None:
    with anyio.fail_after(30):
        async with connect(EnvServer(EchoEnvironment), era) as client:
            training = [r.uri for r in (await client.list_resources()).resources]
            templates = [t.uri_template for t in (await client.list_resource_templates()).resource_templates]
        async with connect(EnvServer(EchoEnvironment, mode=Mode.PRODUCTION), era) as client:
            production = [r.uri for r in (await client.list_resources()).resources]
        async with connect(EnvServer(Tiles), era) as client:
            tiles = [t.uri_template for t in (await client.list_resource_templates()).resource_templates]
    assert training == ["openenv://echo/rules", "openenv://echo/readme"]
    assert production == ["openenv://echo/rules"]  # the README is written for trainers
    assert templates == ["openenv://echo/episodes/{episode_id}/transcript"]
    assert tiles == [
        "openenv://tiles/episodes/{episode_id}/transcript",
        "openenv://tiles/episodes/{episode_id}/board",
    ]


@pytest.mark.parametrize("era", ERAS)
async def test_rules_name_only_the_tools_the_caller_sees(era: ConnectMode) -> None:
    with anyio.fail_after(30):
        async with connect(EnvServer(WordleEnvironment), era) as client:
            training = await _read(client, "openenv://wordle/rules")
            readme = await _read(client, "openenv://wordle/readme")
        async with connect(EnvServer(WordleEnvironment, mode=Mode.PRODUCTION), era) as client:
            production = await _read(client, "openenv://wordle/rules")
            with pytest.raises(MCPError) as raised:
                await _read(client, "openenv://wordle/readme")
    assert "`reset(seed?, options?)`" in training and "- `guess`:" in training and "Reward" in training
    assert readme.startswith("# wordle")
    assert "`open_episode(seed?, options?)`" in production and "- `guess`:" in production
    assert not _CONTROL_TOOLS.search(production), production
    assert raised.value.error.code == INVALID_PARAMS


@pytest.mark.parametrize("era", ERAS)
async def test_a_transcript_shows_what_the_agent_read_and_rewards_only_with_control(era: ConnectMode) -> None:
    for mode in Mode:
        server = EnvServer(EchoEnvironment, mode=mode)
        control = mode is Mode.TRAINING
        with anyio.fail_after(30):
            async with connect(server, era) as client:
                episode_id = await _open(client, control=control)
                await client.call_tool("echo", {"message": "hi there", "episode_id": episode_id})
                await client.call_tool("echo", {"message": "again", "episode_id": episode_id})
                text = await _read(client, f"openenv://echo/episodes/{episode_id}/transcript")
        assert f"# echo episode {episode_id}" in text
        assert "Step 2 of 10; running." in text
        assert "## Briefing\n\n" in text and "comes back to you." in text
        assert '## Step 1: echo(message="hi there")' in text and "\n\nagain\n" in text
        assert ("reward" in text.lower()) is control, text


@pytest.mark.parametrize("era", ERAS)
async def test_a_board_shows_the_board_and_never_the_answer(era: ConnectMode) -> None:
    server = EnvServer(Tiles, mode=Mode.PRODUCTION)
    with anyio.fail_after(30):
        async with connect(server, era) as client:
            episode_id = await _open(client, control=False)
            await client.call_tool("place", {"position": 1, "tile": "X", "episode_id": episode_id})
            board = await _read(client, f"openenv://tiles/episodes/{episode_id}/board")
            transcript = await _read(client, f"openenv://tiles/episodes/{episode_id}/transcript")
            env = server.registry.get(episode_id).env
            assert isinstance(env, Tiles)
            pattern = env.pattern
    assert board == ".X..."
    assert pattern not in board + transcript and "reward" not in transcript.lower()


@pytest.mark.parametrize("era", ERAS)
async def test_wordles_secret_stays_out_of_its_transcript_while_the_game_runs(era: ConnectMode) -> None:
    server = EnvServer(WordleEnvironment, mode=Mode.PRODUCTION)
    with anyio.fail_after(30):
        async with connect(server, era) as client:
            episode_id = await _open(client, control=False)
            env = server.registry.get(episode_id).env
            assert isinstance(env, WordleEnvironment)
            secret = env.secret
            guess = "crane" if secret != "crane" else "slate"
            await client.call_tool("guess", {"word": guess, "episode_id": episode_id})
            transcript = await _read(client, f"openenv://wordle/episodes/{episode_id}/transcript")
    assert guess in transcript and secret not in transcript.lower()


@pytest.mark.parametrize("era", ERAS)
async def test_the_board_games_show_their_boards(era: ConnectMode) -> None:
    wordle = EnvServer(WordleEnvironment, mode=Mode.PRODUCTION)
    with anyio.fail_after(30):
        async with connect(wordle, era) as client:
            episode_id = await _open(client, control=False)
            uri = f"openenv://wordle/episodes/{episode_id}/board"
            empty = await _read(client, uri)
            env = wordle.registry.get(episode_id).env
            assert isinstance(env, WordleEnvironment)
            guess = "crane" if env.secret != "crane" else "slate"
            guessed = await client.call_tool("guess", {"word": guess, "episode_id": episode_id})
            board = await _read(client, uri)
        async with connect(EnvServer(ConnectFourEnvironment), era) as client:
            episode_id = await _open(client, control=True)
            dropped = await client.call_tool("drop", {"column": 3, "episode_id": episode_id})
            four = await _read(client, f"openenv://connect_four/episodes/{episode_id}/board")
    assert empty == "No guesses yet; 6 guesses left."
    assert board == text(guessed) and env.secret not in board.lower()
    assert four == text(dropped)


@pytest.mark.parametrize(
    "uri",
    [
        "openenv://echo/nothing",
        "test://nonexistent-resource",
        "openenv://echo/episodes/never-issued/transcript",
        "openenv://echo/episodes/never-issued/board",  # echo has no board
        "openenv://wordle/rules",  # another environment's
    ],
)
async def test_a_uri_that_names_nothing_is_invalid_params_with_the_uri(uri: str) -> None:
    with anyio.fail_after(30):
        async with connect(EnvServer(EchoEnvironment), "2026-07-28") as client:
            with pytest.raises(MCPError) as raised:
                await client.read_resource(uri)
    assert raised.value.error.code == INVALID_PARAMS
    assert raised.value.error.data == {"uri": uri}


async def test_a_closed_episode_reads_as_closed_and_a_strangers_as_unknown() -> None:
    server = EnvServer(EchoEnvironment)
    with anyio.fail_after(30):
        async with connect(server, "legacy") as client:
            episode_id = await _open(client, control=True)
            uri = f"openenv://echo/episodes/{episode_id}/transcript"
            resources = server.features.resources
            with pytest.raises(MCPError, match="unknown episode"):
                resources.read(uri, Caller(owner="someone-else"))
            await client.call_tool("close", {"episode_id": episode_id})
            with pytest.raises(MCPError, match="was closed"):
                await client.read_resource(uri)


class _Updates:
    """The resource URIs a handshake-era client was told changed."""

    def __init__(self) -> None:
        self.uris: list[str] = []
        self._changed = anyio.Event()

    async def handle(self, message: IncomingMessage) -> None:
        if isinstance(message, ResourceUpdatedNotification):
            self.uris.append(message.params.uri)
            self._changed.set()

    async def until(self, count: int) -> None:
        while len(self.uris) < count:
            self._changed = anyio.Event()
            await self._changed.wait()


async def test_a_session_subscribed_to_an_episode_hears_each_change_until_it_unsubscribes() -> None:
    server = EnvServer(EchoEnvironment)
    updates = _Updates()
    with anyio.fail_after(30):
        async with mcp.Client(server.server, mode="legacy", message_handler=updates.handle) as client:
            episode_id = await _open(client, control=True)
            other = await _open(client, control=True, seed=2)
            uri = f"openenv://echo/episodes/{episode_id}/transcript"
            await client.subscribe_resource(uri)  # pyright: ignore[reportDeprecated]
            await client.call_tool("echo", {"message": "a", "episode_id": other})  # not this episode
            await client.call_tool("echo", {"message": "b", "episode_id": episode_id})
            await updates.until(1)
            await client.call_tool("reset", {"episode_id": episode_id})
            await updates.until(2)
            await client.unsubscribe_resource(uri)  # pyright: ignore[reportDeprecated]
            await client.call_tool("echo", {"message": "c", "episode_id": episode_id})
            await client.call_tool("state", {"episode_id": episode_id})  # a round trip after the echo
    assert updates.uris == [uri, uri]


async def test_a_session_hears_its_subscribed_episode_close() -> None:
    server = EnvServer(EchoEnvironment)
    updates = _Updates()
    with anyio.fail_after(30):
        async with mcp.Client(server.server, mode="legacy", message_handler=updates.handle) as client:
            episode_id = await _open(client, control=True)
            uri = f"openenv://echo/episodes/{episode_id}/transcript"
            await client.subscribe_resource(uri)  # pyright: ignore[reportDeprecated]
            await client.call_tool("close", {"episode_id": episode_id})
            await updates.until(1)


async def test_a_listen_stream_hears_its_episodes_changes() -> None:
    server = EnvServer(EchoEnvironment)
    with anyio.fail_after(30):
        async with connect(server, "2026-07-28") as client:
            episode_id = await _open(client, control=True)
            uri = f"openenv://echo/episodes/{episode_id}/transcript"
            async with client.listen(resource_subscriptions=[uri]) as subscription:
                assert subscription.honored.resource_subscriptions == [uri]
                await client.call_tool("echo", {"message": "b", "episode_id": episode_id})
                event = await subscription.__anext__()
                assert getattr(event, "uri", None) == uri
                await client.call_tool("close", {"episode_id": episode_id})
                assert getattr(await subscription.__anext__(), "uri", None) == uri


@pytest.mark.parametrize("era", ERAS)
async def test_nobody_may_watch_an_episode_they_may_not_read(era: ConnectMode) -> None:
    server = EnvServer(EchoEnvironment)
    with anyio.fail_after(30):
        async with connect(server, era) as client:
            uri = "openenv://echo/episodes/never-issued/transcript"
            with pytest.raises(MCPError) as raised:
                if era == "legacy":
                    await client.subscribe_resource(uri)  # pyright: ignore[reportDeprecated]
                else:
                    async with client.listen(resource_subscriptions=[uri]):
                        pass
            assert raised.value.error.code == INVALID_PARAMS
            if era == "legacy":  # a URI that names no episode (yet) is accepted, as the SDK does
                await client.subscribe_resource("test://watched-resource")  # pyright: ignore[reportDeprecated]


TEAM_A = "team-a-token-aaaaaaaaaaaaaaa"
TEAM_B = "team-b-token-bbbbbbbbbbbbbbb"


@asynccontextmanager
async def _served_with_tokens() -> AsyncGenerator[str]:
    tokens = f"{TEAM_A} openenv:control team-a\n{TEAM_B} openenv:control team-b\n"
    authenticator = Authenticator(static=StaticTokens(parse_token_file(tokens)))
    async with running_http(build_app([EnvServer(EchoEnvironment)], authenticator=authenticator)) as base:
        yield f"{base}/envs/echo/mcp"


def _with_token(url: str, token: str, era: ConnectMode) -> mcp.Client:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"})
    return mcp.Client(streamable_http_client(url, http_client=http), mode=era)


@pytest.mark.subprocess
@pytest.mark.parametrize("era", ERAS)
async def test_another_principals_episode_is_unknown_over_http(era: ConnectMode) -> None:
    with anyio.fail_after(60):
        async with (
            _served_with_tokens() as url,
            _with_token(url, TEAM_A, era) as a,
            _with_token(url, TEAM_B, era) as b,
        ):
            episode_id = await _open(a, control=True)
            uri = f"openenv://echo/episodes/{episode_id}/transcript"
            assert episode_id in await _read(a, uri)
            with pytest.raises(MCPError) as stolen:
                await b.read_resource(uri)
            with pytest.raises(MCPError) as never:
                await b.read_resource("openenv://echo/episodes/never-issued/transcript")
    assert stolen.value.error.code == never.value.error.code == INVALID_PARAMS
    assert stolen.value.error.message == never.value.error.message.replace("never-issued", episode_id)
