"""What a client can connect to: a URL, a stdio command, or a server in this process."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

from mcp import StdioServerParameters
from mcp.server import Server

from openenv_mcp.server import EnvServer

__all__ = ["McpTarget", "Target", "mcp_target"]

Target: TypeAlias = str | Sequence[str] | StdioServerParameters | EnvServer | Server[Any]
"""A Streamable HTTP URL, a command to start over stdio, or an in-process server."""

McpTarget: TypeAlias = str | StdioServerParameters | Server[Any]
"""What `mcp.Client` takes."""


def mcp_target(target: Target) -> McpTarget:
    """The `mcp.Client` target for `target`.

    >>> mcp_target(["python", "-m", "openenv_mcp", "serve", "echo", "--transport", "stdio"]).args[0]
    '-m'
    """
    if isinstance(target, EnvServer):
        return target.server
    if isinstance(target, str | StdioServerParameters | Server):
        return target
    command = list(target)
    if not command:
        raise ValueError("a stdio command needs at least the program to run")
    return StdioServerParameters(command=command[0], args=command[1:])
