"""One remote episode: its handle, and reset/step/state/close over a connection."""

from __future__ import annotations

import time
from typing import Any

from openenv_mcp.client.connection import Connection
from openenv_mcp.client.results import (
    ClientError,
    RemoteStepResult,
    error_kind,
    from_inner_result,
    from_step_result,
    raise_for,
    result_text,
)
from openenv_mcp.errors import EpisodeClosedError, UnknownEpisodeError
from openenv_mcp.spec import CodeAction, State, ToolCallAction
from openenv_mcp.spec.wire import observation_text
from openenv_mcp.trajectories.recorder import Recorder, Recording
from openenv_mcp_adapters import ParseError, parse_action

__all__ = ["ActionLike", "RemoteEpisode"]

_GONE = frozenset({UnknownEpisodeError.kind, EpisodeClosedError.kind})
"""Kinds after which a handle is worth nothing: a reset opens a new episode instead."""

ActionLike = ToolCallAction | CodeAction | ParseError | dict[str, Any] | str
"""What `step` accepts: an action, a JSON action (any shape the adapters read), or model text."""


class RemoteEpisode:
    """An episode on a server; the handle stays inside, the trainer never passes it."""

    def __init__(
        self, connection: Connection, *, parse_error_reward: float = 0.0, recording: Recording | None = None
    ) -> None:
        self.connection = connection
        self.episode_id: str | None = None
        self.parse_error_reward = parse_error_reward
        self.recording = recording
        self.recorder: Recorder | None = None
        """The trajectory being recorded (from the last reset), when `recording` is set."""

    async def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> RemoteStepResult:
        """Start the episode (or restart it in place, keeping its handle)."""
        arguments: dict[str, Any] = {"seed": seed}
        if options is not None:
            arguments["options"] = options
        if self.episode_id is not None:
            arguments["episode_id"] = self.episode_id
        result = await self.connection.call("reset", arguments)
        if result.is_error and self.episode_id is not None and error_kind(result) in _GONE:
            self.episode_id = None  # closed or expired on the server: open a new one
            return await self.reset(seed, options)
        data = result.structured_content
        if result.is_error or data is None:
            raise_for(result)  # the episode (if any) stays this client's: its handle is kept
        self.episode_id = str(data["episode_id"])
        text, prefix = result_text(result), f"episode_id: {self.episode_id}\n\n"
        first = RemoteStepResult(
            observation=text[len(prefix) :]
            if text.startswith(prefix)
            else observation_text(data.get("observation")),
            structured=data.get("observation"),
            info=dict(data.get("info") or {}),
        )
        if self.recording is not None:
            if self.recorder is not None:
                self.recorder.close()
            if seed is None:  # the server drew one: a replay needs it
                seed = (await self.state()).seed
            name = self.connection.server_name
            self.recorder = self.recording.begin(name, self.episode_id, seed, options, first, "client")
        return first

    async def step(self, action: ActionLike) -> RemoteStepResult:
        """Take one action; unreadable model output is an error observation, not an exception."""
        parsed = self.parse(action)
        if isinstance(parsed, ParseError):
            return self.parse_error(parsed)
        began = time.monotonic()
        result = await self._send(parsed)
        self.record(parsed, result, time.monotonic() - began)
        return result

    def record(self, action: ToolCallAction | CodeAction, result: RemoteStepResult, seconds: float) -> None:
        """Add a step to the trajectory being recorded (`step_batch`'s steps come here too)."""
        if self.recorder is not None:
            self.recorder.step(action, result, seconds)

    async def _send(self, parsed: ToolCallAction | CodeAction) -> RemoteStepResult:
        episode_id = self.handle()
        coalescer = self.connection.coalescer
        if coalescer is not None:
            return await coalescer.step(episode_id, parsed, lambda: self._call(episode_id, parsed))
        return await self._call(episode_id, parsed)

    async def _call(self, episode_id: str, parsed: ToolCallAction | CodeAction) -> RemoteStepResult:
        """The step as this episode's own call: its inner tool, or `step` for any other action."""
        if isinstance(parsed, ToolCallAction) and parsed.tool_name in self.connection.wrapped:
            arguments = {**parsed.parameters, "episode_id": episode_id}
            result = await self.connection.call(parsed.tool_name, arguments)
            return from_inner_result(result, self.connection.wrapped[parsed.tool_name], parsed.tool_call_id)
        wire = parsed.model_dump(exclude_none=True)
        result = await self.connection.call("step", {"episode_id": episode_id, "action": wire})
        call_id = parsed.tool_call_id if isinstance(parsed, ToolCallAction) else None
        return from_step_result(result, call_id)

    async def state(self) -> State:
        result = await self.connection.call("state", {"episode_id": self.handle()})
        if result.is_error or result.structured_content is None:
            raise_for(result)
        return State.model_validate(result.structured_content)

    async def close(self) -> None:
        """Close the episode on the server; closing twice is harmless."""
        episode_id, self.episode_id = self.episode_id, None
        if episode_id is not None:
            await self.connection.call("close", {"episode_id": episode_id})

    def parse(self, action: ActionLike) -> ToolCallAction | CodeAction | ParseError:
        """The action `step` would take, read against this environment's tools."""
        return parse_action(action, self.connection.tools)

    def handle(self) -> str:
        """The episode's id on the server (after `reset`)."""
        if self.episode_id is None:
            raise ClientError("no episode yet: call reset first")
        return self.episode_id

    def parse_error(self, error: ParseError) -> RemoteStepResult:
        """The error observation answering unreadable model output (no call is made; it is recorded)."""
        result = RemoteStepResult(
            observation=error.observation(),
            structured=None,
            reward=self.parse_error_reward,
            info={"error": error.message, "parse_error": True},
            tool_call_id=error.tool_call_id,
        )
        if self.recorder is not None:
            self.recorder.step({"type": "parse_error", "message": error.message}, result, 0.0)
        return result
