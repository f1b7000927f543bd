"""What a client can connect to: a URL, a stdio command, a server in this process, or an image."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

from mcp import StdioServerParameters
from mcp.server import Server

from openenv_mcp.containers.target import ImageTarget
from openenv_mcp.server import EnvServer

__all__ = ["McpTarget", "Target", "mcp_target"]

Target: TypeAlias = str | Sequence[str] | StdioServerParameters | EnvServer | Server[Any] | ImageTarget
"""A Streamable HTTP URL, a command to start over stdio, an in-process server, or an image."""

McpTarget: TypeAlias = str | StdioServerParameters | Server[Any]
"""What `mcp.Client` takes."""


def mcp_target(target: Target) -> McpTarget:
    """The `mcp.Client` target for `target`.

    >>> mcp_target(["python", "-m", "openenv_mcp", "serve", "echo", "--transport", "stdio"]).args[0]
    '-m'
    """
    if isinstance(target, EnvServer):
        return target.server
    if isinstance(target, ImageTarget):
        return target.stdio_parameters()
    if isinstance(target, str | StdioServerParameters | Server):
        return target
    command = list(target)
    if not command:
        raise ValueError("a stdio command needs at least the program to run")
    return StdioServerParameters(command=command[0], args=command[1:])
