"""Resources: an environment's rules and README, and each episode's transcript and board.

- ``openenv://<env>/rules``: how an episode goes, the tools, the options (Markdown);
- ``openenv://<env>/readme``: the environment's README, to a caller with control only (it
  is written for trainers: it names the control tools and the rewards);
- ``openenv://<env>/episodes/{episode_id}/transcript``: what the agent read so far;
- ``openenv://<env>/episodes/{episode_id}/board``: the board now, where the environment has one;
- ``openenv://<env>/episodes/{episode_id}/view``: a picture of the episode for people (text, or
  SVG built from escaped parts: `Environment.render_view`), where the environment draws one.

The lists are fixed per server and view; episodes are resource templates, their handle in the
URI. Another principal's episode is unknown here as everywhere (`EpisodeRegistry.get`), and
a URI that names nothing is INVALID_PARAMS with the URI in `data` (SEP-2164).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mcp import MCPError
from mcp.types import INVALID_PARAMS, Resource, ResourceTemplate, TextResourceContents

from openenv_mcp.environment import Environment
from openenv_mcp.episodes import Caller, Episode
from openenv_mcp.errors import OpenEnvError
from openenv_mcp.server.documents import find_readme, transcript_text
from openenv_mcp.server.events import WatchedRegistry
from openenv_mcp.spec.wire import observation_text

__all__ = ["EpisodeURI", "ResourceSet", "not_found"]

_EPISODE = re.compile(r"openenv://(?P<env>[^/]+)/episodes/(?P<id>[^/]+)/(?P<view>transcript|board|view)")
_GONE = object()
"""The version of an episode resource whose episode is not live."""


def not_found(uri: str, why: str = "") -> MCPError:
    """The error for a URI that names no resource this caller may read."""
    return MCPError(INVALID_PARAMS, f"Resource not found: {uri}" + (f" ({why})" if why else ""), {"uri": uri})


@dataclass(frozen=True)
class EpisodeURI:
    """An episode resource's URI, parsed."""

    env: str
    episode_id: str
    view: str

    @classmethod
    def parse(cls, uri: str) -> EpisodeURI | None:
        match = _EPISODE.fullmatch(uri)
        return None if match is None else cls(match["env"], match["id"], match["view"])


class ResourceSet:
    """The resources of one environment server, as each view sees them."""

    def __init__(
        self, env_class: type[Environment], registry: WatchedRegistry, rules: dict[bool, str]
    ) -> None:
        self.env_class, self.registry, self.rules = env_class, registry, rules
        name = env_class.name
        self.base = f"openenv://{name}"
        self.readme: Path | None = find_readme(env_class)
        rules_resource = Resource(
            uri=f"{self.base}/rules",
            name="rules",
            title=f"{name}: rules",
            description=f"How a {name} episode goes: the tools, the options, the step budget.",
            mime_type="text/markdown",
        )
        readme = Resource(
            uri=f"{self.base}/readme",
            name="readme",
            title=f"{name}: README",
            description=f"The {name} environment's README (rewards, options, state).",
            mime_type="text/markdown",
        )
        self.listed = {True: [rules_resource, *([readme] if self.readme else [])], False: [rules_resource]}
        self.views = [
            "transcript",
            *(["board"] if env_class.has_board() else []),
            *(["view"] if env_class.has_view() else []),
        ]
        self.templates = [
            ResourceTemplate(
                uri_template=f"{self.base}/episodes/{{episode_id}}/{view}",
                name=f"episode {view}",
                title=f"{name}: an episode's {view}",
                description=_TEMPLATE_TEXT[view],
                mime_type=_TEMPLATE_MIME[view],
            )
            for view in self.views
        ]

    def read(self, uri: str, caller: Caller) -> TextResourceContents:
        """The resource at `uri` as `caller` may read it."""
        if uri == f"{self.base}/rules":
            return TextResourceContents(uri=uri, mime_type="text/markdown", text=self.rules[caller.control])
        if uri == f"{self.base}/readme" and self.readme is not None and caller.control:
            return TextResourceContents(
                uri=uri, mime_type="text/markdown", text=self.readme.read_text("utf-8")
            )
        episode = self.episode(uri, caller)
        parsed = EpisodeURI.parse(uri)
        assert parsed is not None  # `episode` found it
        if parsed.view == "board":
            view = episode.env.board_view()
            text = observation_text(view) if view is not None else "(no board yet)"
            return TextResourceContents(uri=uri, mime_type="text/plain", text=text)
        if parsed.view == "view":
            drawn = episode.env.render_view()
            if drawn is None:
                return TextResourceContents(uri=uri, mime_type="text/plain", text="(nothing to show yet)")
            return TextResourceContents(uri=uri, mime_type=drawn.mime_type, text=drawn.text)
        return TextResourceContents(
            uri=uri, mime_type="text/markdown", text=transcript_text(episode, control=caller.control)
        )

    def episode(self, uri: str, caller: Caller) -> Episode:
        """The episode an episode resource's URI names, if `caller` may read it; else `not_found`."""
        parsed = EpisodeURI.parse(uri)
        if parsed is None or parsed.env != self.env_class.name or parsed.view not in self.views:
            raise not_found(uri)
        try:
            return self.registry.get(parsed.episode_id, caller)
        except OpenEnvError as exc:
            raise not_found(uri, str(exc)) from None

    def version(self, uri: str) -> object:
        """What changes whenever the resource at `uri` does (for subscriptions); static ones never do."""
        parsed = EpisodeURI.parse(uri)
        if parsed is None:
            return None
        episode = self.registry.peek(parsed.episode_id)
        if episode is None or not episode.env.observations:
            return _GONE
        return episode.env.observations[-1]


_TEMPLATE_TEXT = {
    "transcript": "What the agent of an episode has read so far: its briefing, then each step's action "
    "and observation (episode_id as reset or open_episode returned it).",
    "board": "The board of an episode now, as its agent sees it "
    "(episode_id as reset or open_episode returned it).",
    "view": "A picture of an episode now, for people: plain text or SVG "
    "(episode_id as reset or open_episode returned it).",
}
_TEMPLATE_MIME: dict[str, str | None] = {"transcript": "text/markdown", "board": "text/plain", "view": None}
"""A view is text or SVG, as the environment draws it: its contents say which."""
