"""stdio: one environment per process, as Claude Desktop starts it."""

from __future__ import annotations

from mcp.server.stdio import stdio_server

from openenv_mcp.server import EnvServer

__all__ = ["serve_stdio"]


async def serve_stdio(env_server: EnvServer) -> None:
    """Serve `env_server` on this process's stdin and stdout until the client goes away."""
    env_server.episodes.process_scoped = True
    server = env_server.server
    try:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())
    finally:
        await env_server.aclose()
