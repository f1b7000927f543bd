"""The render hook and the view resource: escaped pictures, served over MCP to both modes."""

from __future__ import annotations

import re

import mcp
import pytest
from mcp.client.client import ConnectMode
from mcp.types import TextResourceContents

from openenv_mcp.environment import Environment, tool
from openenv_mcp.environment.views import Svg, View
from openenv_mcp.errors import DefinitionError
from openenv_mcp.server import EnvServer, Mode
from openenv_mcp.testing import connect, structured
from openenv_mcp_connect_four import ConnectFourEnvironment
from openenv_mcp_echo import EchoEnvironment
from openenv_mcp_wordle import WordleEnvironment

HOSTILE = '</text><script>alert(1)</script><a href="javascript:x" onclick="y">&amp;'


class Sign(Environment[None, str]):
    """Shows what the agent wrote, on a picture and as text."""

    name = "sign"
    said = "hello"

    @tool
    def write(self, words: str) -> str:
        """Write on the sign.

        Args:
            words: Anything at all.
        """
        self.said = words
        return words

    def render_view(self) -> View:
        svg = Svg(200, 40, title=self.said)
        svg.text(100, 25, self.said, fill="black")
        return svg.view()


class Note(Sign):
    name = "note"

    def render_view(self) -> View:
        return View.plain(self.said, title=self.said)


def test_svg_escapes_every_text_and_checks_every_value() -> None:
    svg = Svg(10, 10, title=HOSTILE)
    svg.text(5, 5, HOSTILE, fill="#abc")
    drawn = svg.view().text
    assert "<script" not in drawn and "<a " not in drawn
    assert re.findall(r"<(\w+)", drawn) == ["svg", "title", "text"]
    assert "&lt;script&gt;" in drawn and "&amp;amp;" in drawn
    with pytest.raises(DefinitionError):
        svg.rect(0, 0, 1, 1, fill='red" onload="x')
    with pytest.raises(DefinitionError):
        svg.circle(float("nan"), 0, 1, fill="red")
    with pytest.raises(DefinitionError):
        svg.text(0, 0, "x", fill="red", anchor='middle" onload="x')


async def _view(client: mcp.Client, env: str, episode_id: str) -> TextResourceContents:
    [contents] = (await client.read_resource(f"openenv://{env}/episodes/{episode_id}/view")).contents
    assert isinstance(contents, TextResourceContents)
    return contents


@pytest.mark.parametrize("era", ["legacy", "2026-07-28"])
async def test_a_hostile_word_stays_text_on_the_picture(era: ConnectMode) -> None:
    async with connect(Sign, era=era) as client:
        episode_id = structured(await client.call_tool("reset", {}))["episode_id"]
        await client.call_tool("write", {"words": HOSTILE, "episode_id": episode_id})
        drawn = await _view(client, "sign", episode_id)
    assert drawn.mime_type == "image/svg+xml"
    assert re.findall(r"<(\w+)", drawn.text) == ["svg", "title", "text"]  # no element of the word's own


async def test_the_view_is_listed_where_an_environment_draws_one() -> None:
    for env, listed in ((Sign, True), (Note, True), (EchoEnvironment, False), (WordleEnvironment, True)):
        async with connect(env) as client:
            templates = [t.uri_template for t in (await client.list_resource_templates()).resource_templates]
        assert (f"openenv://{env.name}/episodes/{{episode_id}}/view" in templates) is listed, env.name


@pytest.mark.parametrize("mode", [Mode.TRAINING, Mode.PRODUCTION])
async def test_boards_are_pictures_in_both_modes(mode: Mode) -> None:
    opening = "reset" if mode is Mode.TRAINING else "open_episode"
    async with connect(EnvServer(ConnectFourEnvironment, mode=mode)) as client:
        episode_id = structured(await client.call_tool(opening, {"seed": 1}))["episode_id"]
        await client.call_tool("drop", {"column": 3, "episode_id": episode_id})
        board = await _view(client, "connect_four", episode_id)
    assert board.mime_type == "image/svg+xml" and board.text.count('fill="#d62828"') == 1  # one X


async def test_wordle_keeps_its_secret_until_the_game_is_over() -> None:
    async with connect(WordleEnvironment) as client:
        episode_id = structured(await client.call_tool("reset", {"options": {"word": "crane"}}))["episode_id"]
        await client.call_tool("guess", {"word": "slate", "episode_id": episode_id})
        during = await _view(client, "wordle", episode_id)
        await client.call_tool("guess", {"word": "crane", "episode_id": episode_id})
        after = await _view(client, "wordle", episode_id)
    assert "CRANE" not in during.text.upper() and ">S<" in during.text
    assert "Solved in 2 guesses!" in after.text


async def test_a_text_view_is_plain_text() -> None:
    async with connect(Note) as client:
        episode_id = structured(await client.call_tool("reset", {}))["episode_id"]
        await client.call_tool("write", {"words": HOSTILE, "episode_id": episode_id})
        note = await _view(client, "note", episode_id)
    assert (note.mime_type, note.text) == ("text/plain", HOSTILE)  # the page shows it as text
