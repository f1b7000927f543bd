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
import logging
import os
import shutil
import sys
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
    "everything_config",
    "node_server_entry",
    "toolbox_config",
]

CONFIG_VARIABLE = "OPENENV_MCP_PROXY_CONFIG"
"""Path to a JSON `ProxyConfig` for the default `mcp_proxy` entry point."""
NODE_DIR_VARIABLE = "OPENENV_MCP_NODE_DIR"
"""A folder holding `node_modules/` with the reference MCP servers, for `node_server_entry`."""

_TOOLBOX = Path(__file__).with_name("toolbox.py")
logger = logging.getLogger(__name__)

EVERYTHING_TOOLS = (
    "echo",
    "get-annotated-message",
    "get-resource-links",
    "get-resource-reference",
    "get-structured-content",
    "get-sum",
    "get-tiny-image",
)
"""The tools of the reference "everything" server that `everything_config` offers: each answers
from the child's own memory.

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
    """The entry file of a reference MCP server installed with npm, e.g. `server-everything`.

    It is looked up under `node_dir`, else under $OPENENV_MCP_NODE_DIR: an installed package
    has no folder of Node modules of its own to fall back on.
    """
    found = node_dir or os.environ.get(NODE_DIR_VARIABLE)
    if not found:
        raise DefinitionError(
            f"the MCP server @modelcontextprotocol/{package} needs a folder of Node modules: set "
            f"{NODE_DIR_VARIABLE} to a folder where `npm install @modelcontextprotocol/{package}` was run"
        )
    base = Path(found)
    entry = base / "node_modules" / "@modelcontextprotocol" / package / "dist" / "index.js"
    if not entry.is_file():
        raise DefinitionError(
            f"the MCP server @modelcontextprotocol/{package} is not installed under {base}: "
            f"run `npm ci` (or `npm install @modelcontextprotocol/{package}`) in {base}, or set "
            f"{NODE_DIR_VARIABLE} to a folder whose node_modules has it"
        )
    return entry


def default_config() -> ProxyConfig:
    """The `mcp_proxy` entry point's child: the file named by $OPENENV_MCP_PROXY_CONFIG, else the toolbox."""
    path = os.environ.get(CONFIG_VARIABLE)
    if path:
        return ProxyConfig.from_file(path)
    logger.info(
        "mcp_proxy serves its own toolbox; to serve another MCP server, name a JSON ProxyConfig in $%s",
        CONFIG_VARIABLE,
    )
    return toolbox_config()


def toolbox_config() -> ProxyConfig:
    """The toolbox shipped in this package (`toolbox.py`), run by this interpreter: no Node needed.

    >>> toolbox_config().command[-1].endswith("toolbox.py")
    True
    """
    return ProxyConfig(
        name="toolbox",
        command=[sys.executable, str(_TOOLBOX)],
        per_episode=True,
        description=(
            "A small MCP server's tools (echo, add, count_words and a notebook), behind the environment "
            f"boundary. To serve another MCP server, name a JSON ProxyConfig in ${CONFIG_VARIABLE}."
        ),
    )


def everything_config(node_dir: str | Path | None = None, **changes: Any) -> ProxyConfig:
    """The reference "everything" server (Node.js), offering only `EVERYTHING_TOOLS` unless `changes` say."""
    node = shutil.which("node")
    if node is None:
        raise DefinitionError("the everything MCP server needs Node.js: install `node`")
    entry = node_server_entry("server-everything", node_dir)
    fields: dict[str, Any] = {
        "name": "everything",
        "command": [node, str(entry), "stdio"],
        "allow": list(EVERYTHING_TOOLS),
        "description": "The reference MCP 'everything' server's tools, behind the environment boundary.",
        **changes,
    }
    return ProxyConfig.model_validate(fields)
