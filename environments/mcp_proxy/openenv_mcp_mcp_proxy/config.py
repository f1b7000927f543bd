"""What a proxy is configured with: the child server, its credentials, filters and lifecycle.

>>> config = ProxyConfig(name="fs", command=["mcp-server-filesystem", "{workspace}"], workspace=True)
>>> config.env
{}
>>> secret = ProxyConfig(name="x", command=["srv"], env={"TOKEN": "hunter2"})
>>> "hunter2" in repr(secret), secret.secrets()
(False, ['hunter2'])
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from openenv_mcp.errors import DefinitionError

__all__ = [
    "CONFIG_VARIABLE",
    "EVERYTHING_TOOLS",
    "NODE_DIR_VARIABLE",
    "ProxyConfig",
    "default_config",
    "node_server_entry",
]

CONFIG_VARIABLE = "OPENENV_MCP_PROXY_CONFIG"
"""Path to a JSON `ProxyConfig` for the default `mcp_proxy` entry point."""
NODE_DIR_VARIABLE = "OPENENV_MCP_NODE_DIR"
"""A folder holding `node_modules/` with the reference MCP servers (default: the repo's tests/node)."""

_REPO_NODE_DIR = Path(__file__).resolve().parents[3] / "tests" / "node"

EVERYTHING_TOOLS = (
    "echo",
    "get-annotated-message",
    "get-resource-links",
    "get-resource-reference",
    "get-structured-content",
    "get-sum",
    "get-tiny-image",
)
"""The default child's tools the agent gets: each answers from the child's own memory.

Left out: `gzip-file-as-resource` fetches any URL (the host's loopback and private network
included), `get-env` prints the child's environment, `trigger-long-running-operation` holds the
child for as long as the agent asks, the `toggle-*` tools start background notifications,
`simulate-research-query` runs only as an MCP task (which the proxy does not forward), and any tool
a later version adds stays out until it is named here.
"""


class ProxyConfig(BaseModel):
    """One child MCP server behind the environment boundary."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9_-]+$", description="Namespace: child tools are NAME__TOOL.")
    command: list[str] | None = Field(default=None, min_length=1, description="A stdio server's argv.")
    url: str | None = Field(default=None, description="A Streamable HTTP server's URL.")
    env: dict[str, str] = Field(
        default_factory=dict,
        repr=False,
        exclude=True,
        description="The child's environment variables (credentials): never shown, dumped or logged.",
    )
    headers: dict[str, str] = Field(
        default_factory=dict,
        repr=False,
        exclude=True,
        description="HTTP headers for a URL child (credentials): never shown, dumped or logged.",
    )
    cwd: str | None = None
    allow: list[str] | None = Field(default=None, description="Child tool names (globs) to keep; None: all.")
    deny: list[str] = Field(default_factory=list, description="Child tool names (globs) to drop.")
    per_episode: bool = Field(default=True, description="A child per episode; False: one shared child.")
    call_timeout: float = Field(default=30.0, gt=0, description="Seconds a call may take.")
    start_timeout: float = Field(default=30.0, gt=0, description="Seconds the child may take to start.")
    workspace: bool = Field(
        default=False, description="A temporary folder per episode, substituted for {workspace} in args."
    )
    reward: str | None = Field(
        default=None, description="Dotted path to `hook(tool_name, arguments, result) -> float`."
    )
    description: str | None = Field(default=None, description="What the environment is, for the agent.")

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if (self.command is None) == (self.url is None):
            raise ValueError("give exactly one of `command` (a stdio server) or `url` (an HTTP server)")
        if self.workspace and not self.per_episode:
            raise ValueError("`workspace` needs `per_episode`: a shared child cannot be confined per episode")
        if self.workspace and self.command is None:
            raise ValueError("`workspace` applies to a stdio `command` only")
        return self

    def secrets(self) -> list[str]:
        """The credential values, for redaction."""
        return [*self.env.values(), *self.headers.values()]

    @classmethod
    def from_file(cls, path: str | Path) -> ProxyConfig:
        """Read a JSON configuration file."""
        data: Any = json.loads(Path(path).read_text())
        return cls.model_validate(data)


def node_server_entry(package: str, node_dir: str | Path | None = None) -> Path:
    """The entry file of a reference MCP server installed with npm, e.g. `server-everything`."""
    base = Path(node_dir or os.environ.get(NODE_DIR_VARIABLE) or _REPO_NODE_DIR)
    entry = base / "node_modules" / "@modelcontextprotocol" / package / "dist" / "index.js"
    if not entry.is_file():
        raise DefinitionError(
            f"the MCP server @modelcontextprotocol/{package} is not installed under {base}: "
            f"run `npm ci` in {base} (or set {NODE_DIR_VARIABLE} to a folder whose node_modules has it, "
            f"or {CONFIG_VARIABLE} to a JSON ProxyConfig of another server)"
        )
    return entry


def default_config() -> ProxyConfig:
    """The `mcp_proxy` entry point's child: the file named by $OPENENV_MCP_PROXY_CONFIG, else "everything".

    "everything" offers only `EVERYTHING_TOOLS`, none of which reaches the network or the host.
    """
    path = os.environ.get(CONFIG_VARIABLE)
    if path:
        return ProxyConfig.from_file(path)
    entry = node_server_entry("server-everything")
    node = shutil.which("node")
    if node is None:
        raise DefinitionError(
            f"the default mcp_proxy child needs Node.js: install `node`, or set {CONFIG_VARIABLE}"
        )
    return ProxyConfig(
        name="everything",
        command=[node, str(entry), "stdio"],
        allow=list(EVERYTHING_TOOLS),
        per_episode=True,
        call_timeout=30.0,
        description="The reference MCP 'everything' server's tools, behind the environment boundary.",
    )
