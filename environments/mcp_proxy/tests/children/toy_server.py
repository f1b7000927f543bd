"""A tiny MCP server the proxy tests start as a child: it echoes, reads its environment, and misbehaves.

Run as `python toy_server.py`; it speaks MCP over stdio.
"""

from __future__ import annotations

import os

import anyio
from mcp.server import MCPServer

__all__ = ["app"]

app = MCPServer("toy")


@app.tool()
def echo(message: str) -> str:
    """Echo the message back."""
    return message


@app.tool()
def env_value(name: str) -> str:
    """The value of one of this process's environment variables ("" when unset)."""
    return os.environ.get(name, "")


@app.tool()
def crash() -> str:
    """Exit the process at once, without answering."""
    os._exit(3)


@app.tool()
async def sleep(seconds: float) -> str:
    """Sleep, then answer."""
    await anyio.sleep(seconds)
    return f"slept {seconds:g} s"


@app.tool()
def garbage() -> str:
    """Write a line that is not JSON to stdout, then never answer."""
    os.write(1, f"this is not JSON-RPC {os.environ.get('TOY_SECRET', '')}\n".encode())
    os.write(1, b'{"jsonrpc": "2.0", "id": "nobody", "result": 1}\n')
    return "never seen"


@app.tool()
def pid() -> int:
    """This process's id."""
    return os.getpid()


if __name__ == "__main__":
    app.run()
