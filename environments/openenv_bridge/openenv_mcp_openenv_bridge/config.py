"""What a bridge is configured with: the remote OpenEnv server (URL, image or command) and its timeouts.

>>> BridgeConfig(url="http://127.0.0.1:8000").remote
'http://127.0.0.1:8000'
>>> BridgeConfig(command=["python", "-m", "server", "--port", "{port}"]).remote  # shell-quoted
"python -m server --port '{port}'"
>>> config_from_env({"OPENENV_BRIDGE_COMMAND": "uvicorn app:app --port {port}"}).command
['uvicorn', 'app:app', '--port', '{port}']
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from openenv_mcp.containers.limits import ContainerLimits

__all__ = [
    "COMMAND_VARIABLE",
    "IMAGE_VARIABLE",
    "TIMEOUT_VARIABLE",
    "URL_VARIABLE",
    "BridgeConfig",
    "RemoteKind",
    "config_from_env",
    "how_to_configure",
]

URL_VARIABLE = "OPENENV_BRIDGE_URL"
"""The base URL of a running OpenEnv server (`http://HOST:PORT`)."""
IMAGE_VARIABLE = "OPENENV_BRIDGE_IMAGE"
"""A Docker image of an OpenEnv server (it serves on port 8000), started off the network."""
COMMAND_VARIABLE = "OPENENV_BRIDGE_COMMAND"
"""A command line that serves OpenEnv on `{port}` (the bridge picks a free port), started locally."""
TIMEOUT_VARIABLE = "OPENENV_BRIDGE_TIMEOUT"
"""Seconds a reply of the remote may take (a step, a reset); the default is 30."""

RemoteKind = Literal["auto", "mcp", "typed"]


def how_to_configure() -> str:
    """What a person who served the bridge without a remote should do."""
    return (
        f"the OpenEnv bridge has no remote: set {URL_VARIABLE} to a running OpenEnv server "
        f"(http://HOST:PORT), {IMAGE_VARIABLE} to an OpenEnv server's Docker image, or "
        f"{COMMAND_VARIABLE} to a command that serves one on {{port}}, then serve it again"
    )


class BridgeConfig(BaseModel):
    """One remote OpenEnv environment behind the bridge, and how long each wait may last."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str | None = Field(default=None, description="A running OpenEnv server's base URL.")
    image: str | None = Field(default=None, description="A Docker image serving OpenEnv on `port`.")
    command: list[str] | None = Field(
        default=None, min_length=1, description="argv of a local OpenEnv server; `{port}` is substituted."
    )
    env: dict[str, str] = Field(
        default_factory=dict, repr=False, description="Extra environment variables of a command remote."
    )
    port: int = Field(default=8000, gt=0, lt=65536, description="The port an image's server listens on.")
    limits: ContainerLimits = Field(default_factory=ContainerLimits, description="An image remote's limits.")
    kind: RemoteKind = Field(
        default="auto",
        description="mcp: tools from list_tools; typed: one tool per action type; auto: ask /schema.",
    )
    name: str | None = Field(
        default=None, description="What to call the remote (default: its /metadata name)."
    )
    description: str | None = Field(default=None, description="What the environment is, for the agent.")
    connect_timeout: float = Field(
        default=10.0, gt=0, description="Seconds to open a session or an HTTP request."
    )
    reply_timeout: float = Field(
        default=30.0, gt=0, description="Seconds one reply (reset, step, state) may take."
    )
    start_timeout: float = Field(
        default=120.0, gt=0, description="Seconds a started remote may take to serve."
    )
    close_timeout: float = Field(
        default=5.0, gt=0, description="Seconds to close a session or stop a remote."
    )
    linger: float = Field(
        default=60.0,
        ge=0,
        description="Seconds a started remote outlives its last episode (a restart is slow).",
    )
    forward_state: bool = Field(
        default=True,
        description="Fetch the remote's state with every step (in the same exchange) for `state`.",
    )
    max_frame_bytes: int = Field(
        default=16 * 1024 * 1024, gt=0, description="The largest reply frame accepted."
    )

    @model_validator(mode="after")
    def _one_remote(self) -> Self:
        named = [field for field in ("url", "image", "command") if getattr(self, field) is not None]
        if len(named) != 1:
            raise ValueError(f"give exactly one of url, image or command; got {named or 'none'}")
        if self.url is not None and not self.url.startswith(("http://", "https://")):
            raise ValueError(f"url must be http:// or https://; got {self.url!r}")
        return self

    @property
    def remote(self) -> str:
        """The remote as a person named it: its URL, image or command line."""
        if self.command is not None:
            return shlex.join(self.command)
        return self.url or self.image or ""

    @property
    def starts_remote(self) -> bool:
        """Whether the bridge starts the remote itself (an image or a command)."""
        return self.url is None


def config_from_env(environ: Mapping[str, str]) -> BridgeConfig | None:
    """The configuration the variables name; None when none is set."""
    fields: dict[str, object] = {}
    if url := environ.get(URL_VARIABLE):
        fields["url"] = url.rstrip("/")
    if image := environ.get(IMAGE_VARIABLE):
        fields["image"] = image
    if command := environ.get(COMMAND_VARIABLE):
        fields["command"] = shlex.split(command)
    if not fields:
        return None
    if timeout := environ.get(TIMEOUT_VARIABLE):
        fields["reply_timeout"] = float(timeout)
    return BridgeConfig.model_validate(fields)
