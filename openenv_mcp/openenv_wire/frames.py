"""The frames of OpenEnv's WebSocket session channel (``/ws``), and what a reset carries.

A client sends ``{"type": "reset" | "step" | "state" | "mcp" | "close", "data": ...}``; the
server answers every frame but ``close`` with exactly one frame, in order:
``{"type": "observation" | "state" | "mcp" | "error", "data": {...}}``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

__all__ = [
    "CLIENT_FRAME",
    "ClientFrame",
    "CloseFrame",
    "McpFrame",
    "ReplyFrame",
    "ResetData",
    "ResetFrame",
    "StateFrame",
    "StepFrame",
]


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ResetFrame(_Frame):
    type: Literal["reset"]
    data: dict[str, Any] = Field(default_factory=dict)


class StepFrame(_Frame):
    type: Literal["step"]
    data: dict[str, Any] = Field(description="The action.")


class StateFrame(_Frame):
    type: Literal["state"]
    data: dict[str, Any] = Field(default_factory=dict)


class CloseFrame(_Frame):
    type: Literal["close"]
    data: dict[str, Any] = Field(default_factory=dict)


class McpFrame(_Frame):
    type: Literal["mcp"]
    data: dict[str, Any] = Field(description="A JSON-RPC request: tools/list, tools/call.")


ClientFrame = Annotated[
    ResetFrame | StepFrame | StateFrame | CloseFrame | McpFrame, Field(discriminator="type")
]
CLIENT_FRAME: TypeAdapter[ResetFrame | StepFrame | StateFrame | CloseFrame | McpFrame] = TypeAdapter(
    ClientFrame
)

FRAME_TYPES = ("reset", "step", "state", "mcp", "close")


class ReplyFrame(BaseModel):
    """One frame the server sends."""

    type: Literal["observation", "state", "mcp", "error"]
    data: dict[str, Any]


class ResetData(BaseModel):
    """What a reset takes: OpenEnv's ``seed`` and ``episode_id``, our ``options``, and any other keyword.

    Keywords beside these are episode options too (``reset(task="fizzbuzz")`` is
    ``options={"task": "fizzbuzz"}``). OpenEnv's ``episode_id`` names an episode of the
    caller's choosing; ours are minted by the server, so it is only echoed back.
    """

    model_config = ConfigDict(extra="allow")

    seed: int | None = Field(default=None, ge=0, description="Seed of the episode.")
    episode_id: str | None = Field(default=None, max_length=255, description="Echoed back; ids are minted.")
    options: dict[str, Any] | None = Field(default=None, description="The environment's episode options.")

    def all_options(self) -> dict[str, Any] | None:
        """The options, with the extra keywords merged in."""
        extra = dict(self.model_extra or {})
        if not extra:
            return self.options
        return {**(self.options or {}), **extra}
