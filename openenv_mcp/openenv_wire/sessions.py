"""An OpenEnv session: one of our episodes, stepped through the same path as an MCP call.

A session opens its episode on its first reset (a WebSocket that never resets holds no
capacity), steps it with `Episode.step` (the step counted, rewarded, recorded, timed,
traced, rate-limited and audited as an MCP call is) and closes it when the session ends,
unless it only attached to an episode opened elsewhere (``openenv/session/create``).
The session id OpenEnv's clients pass around is the episode's own handle.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import HTTPConnection

from openenv_mcp.episodes import Caller, Episode
from openenv_mcp.errors import ForbiddenError, NoDefaultEpisodeError, OpenEnvError
from openenv_mcp.server import EnvServer
from openenv_mcp.server.access import caller_of
from openenv_mcp.server.audit import audit
from openenv_mcp.server.quotas import client_of
from openenv_mcp.server.tracing import step_span
from openenv_mcp.spec import CodeAction, StepResult, ToolCallAction, ToolDefinition
from openenv_mcp.spec.data import jsonable

from .frames import ResetData
from .observations import Envelope, reset_envelope

__all__ = ["Attachments", "Who", "WireSession", "inner_definitions"]

TRANSPORT = "openenv"
"""How the audit log names this surface."""


@dataclass(frozen=True)
class _AsContext:
    """A connection where the caller and client lookups expect a call's context."""

    request: HTTPConnection


@dataclass(frozen=True)
class Who:
    """Who is on a connection: the caller the registry knows, and the key its quotas count."""

    caller: Caller
    client: str

    @classmethod
    def of(cls, server: EnvServer, connection: HTTPConnection) -> Who:
        context = _AsContext(connection)
        return cls(caller_of(context, training=server.training), client_of(context))


@dataclass
class Attachments:
    """Episodes a WebSocket is attached to, and those whose close waits for it to detach."""

    attached: set[str] = field(default_factory=lambda: set[str]())
    closing: set[str] = field(default_factory=lambda: set[str]())


def inner_definitions(server: EnvServer) -> list[ToolDefinition]:
    """The inner tools as OpenEnv lists them: the session names the episode, so no episode_id."""
    return [_without_episode_id(d) for d in server.inner.values()]


class WireSession:
    """One OpenEnv session of one server, for one caller."""

    def __init__(self, server: EnvServer, who: Who, episode: Episode | None = None) -> None:
        self.server, self.who = server, who
        self.episode = episode
        self.owned = episode is None
        """Whether the session opened its episode itself, and so closes it when it ends."""

    async def reset(self, data: ResetData) -> Envelope:
        """Open the episode, or start it over in place; answer its briefing."""
        with self.recorded("reset"):
            options = data.all_options()
            if self.episode is not None and self.owned and not self.server.registry.is_live(self.episode.id):
                self.episode = None  # closed under it (the idle TTL): a reset opens a fresh one
            if self.episode is None:
                self.episode, first = await open_episode(self.server, self.who, data.seed, options)
            else:
                first = await self.require_episode().reset(data.seed, options)
        return reset_envelope(first, self.episode, self.who.caller, data.episode_id)

    async def ensure_episode(self) -> Episode:
        """The session's episode, opened (unseeded) when it has none yet."""
        if self.episode is None:
            with self.recorded("reset"):
                self.episode, _ = await open_episode(self.server, self.who, None, None)
        return self.episode

    async def step(self, action: ToolCallAction | CodeAction) -> StepResult:
        """One step of the episode, through the one dispatch path."""
        episode = self.require_episode()
        tool = action.tool_name if isinstance(action, ToolCallAction) else "code"
        with self.recorded(tool, step=True):
            self.server.quotas.check_step(self.who.client)
            began = time.perf_counter()
            with step_span(self.server.name, tool, episode.id, self.who.client) as span:
                result = await episode.step(action)
                span.set_attribute("openenv.outcome", result.error_kind or "ok")
            if self.server.metrics is not None:
                seconds = time.perf_counter() - began
                self.server.metrics.step(self.server.name, tool, result.error_kind or "ok", seconds)
        audit(
            self.server.name,
            tool,
            self.who.client,
            result.error_kind or "ok",
            episode.id,
            transport=TRANSPORT,
        )
        return result

    def state(self) -> dict[str, Any]:
        """The episode's state (a control operation: refused without control)."""
        with self.recorded("state"):
            if not self.who.caller.control:
                raise ForbiddenError(
                    "state is a control operation, and this caller has none "
                    f"({self.server.mode.value} mode, or a token without the control scope)"
                )
            return jsonable(self.require_episode().env.state())

    def require_episode(self) -> Episode:
        """The session's live episode; a session error when it has none, or it was closed."""
        if self.episode is None:
            raise NoDefaultEpisodeError("this OpenEnv session has no episode yet: send a reset first")
        # Closed elsewhere (openenv/session/close, the MCP endpoint's close, the idle TTL): say why.
        return self.server.registry.get(self.episode.id, self.who.caller)

    async def close(self) -> None:
        """End the session: close its episode if it opened it."""
        if self.owned and self.episode is not None:
            await self.server.registry.close(self.episode.id, "closed when its OpenEnv session ended")

    @contextmanager
    def recorded(self, operation: str, *, step: bool = False) -> Generator[None]:
        """Count and audit a refusal of `operation` as the MCP endpoint does, and let it go on."""
        try:
            yield
        except OpenEnvError as exc:
            refused(self.server, self.who, operation, exc, self.episode.id if self.episode else None)
            raise
        if not step:
            episode = self.episode.id if self.episode else None
            audit(self.server.name, operation, self.who.client, "ok", episode, transport=TRANSPORT)


async def open_episode(
    server: EnvServer, who: Who, seed: int | None, options: dict[str, Any] | None
) -> tuple[Episode, Any]:
    """A new episode of `who`'s, within its quota and the registry's capacity."""
    server.quotas.check_episode(who.client, server.registry, who.caller)
    episode, first = await server.registry.create(seed, options, who.caller)
    server.quotas.opened(who.client, episode.id)
    return episode, first


def refused(server: EnvServer, who: Who, operation: str, exc: OpenEnvError, episode_id: str | None) -> None:
    """Record a refused operation in the metrics and the audit log."""
    if server.metrics is not None:
        server.metrics.refused(server.name, exc.kind)
    audit(server.name, operation, who.client, exc.kind, episode_id, transport=TRANSPORT)


def _without_episode_id(definition: ToolDefinition) -> ToolDefinition:
    schema = dict(definition.input_schema)
    properties = {k: v for k, v in schema.get("properties", {}).items() if k != "episode_id"}
    schema["properties"] = properties
    return definition.model_copy(update={"input_schema": schema})
