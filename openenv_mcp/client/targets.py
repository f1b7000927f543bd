"""What a client can connect to: a URL, a stdio command, a server in this process, or an image."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from mcp import StdioServerParameters
from mcp.server import Server

if TYPE_CHECKING:  # the client needs neither stack to talk to a URL or a command
    from openenv_mcp.containers.target import ImageTarget
    from openenv_mcp.server import EnvServer

__all__ = ["McpTarget", "Target", "mcp_target"]

Target: TypeAlias = "str | Sequence[str] | StdioServerParameters | EnvServer | Server[Any] | ImageTarget"
"""A Streamable HTTP URL, a command to start over stdio, an in-process server, or an image."""

McpTarget: TypeAlias = str | StdioServerParameters | Server[Any]
"""What `mcp.Client` takes."""


def mcp_target(target: Target) -> McpTarget:
    """The `mcp.Client` target for `target`.

    >>> mcp_target(["python", "-m", "openenv_mcp", "serve", "echo", "--transport", "stdio"]).args[0]
    '-m'
    """
    if isinstance(target, str | StdioServerParameters | Server):
        return target
    served: object = getattr(target, "server", None)  # an EnvServer, found without importing the server
    if isinstance(served, Server):
        return served  # pyright: ignore[reportUnknownVariableType]
    stdio: object = getattr(target, "stdio_parameters", None)  # an ImageTarget
    if callable(stdio):
        parameters = stdio()
        if isinstance(parameters, StdioServerParameters):
            return parameters
    command = [str(part) for part in cast("Sequence[str]", target)]
    if not command:
        raise ValueError("a stdio command needs at least the program to run")
    return StdioServerParameters(command=command[0], args=command[1:])
