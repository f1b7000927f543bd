"""A bare `mcp` low-level server with one trivial echo tool: the floor the suite measures us against.

python benchmarks/bare_server.py stdio
python benchmarks/bare_server.py http PORT
"""

from __future__ import annotations

import sys
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import uvicorn
from mcp.server import Server, ServerRequestContext
from mcp.server.stdio import stdio_server
from mcp.types import (
    CallToolRequestParams,
    CallToolResult,
    ListToolsResult,
    PaginatedRequestParams,
    TextContent,
    Tool,
)
from starlette.applications import Starlette
from starlette.routing import Mount

from openenv_mcp.transports.http import KEEP_ALIVE_SECONDS

ECHO = Tool(
    name="echo",
    description="Echo a message back.",
    input_schema={
        "type": "object",
        "properties": {"message": {"type": "string"}, "episode_id": {"type": ["string", "null"]}},
        "required": ["message"],
    },
    output_schema={"type": "object", "properties": {"result": {"type": "string"}}, "required": ["result"]},
)


async def list_tools(
    ctx: ServerRequestContext[Any, Any], params: PaginatedRequestParams | None
) -> ListToolsResult:
    return ListToolsResult(tools=[ECHO])


async def call_tool(ctx: ServerRequestContext[Any, Any], params: CallToolRequestParams) -> CallToolResult:
    message = str((params.arguments or {}).get("message", ""))
    return CallToolResult(
        content=[TextContent(type="text", text=message)], structured_content={"result": message}
    )


def bare_server() -> Server[Any]:
    return Server(
        "bare-echo",
        version="0.1.0",
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        get_tool_input_schema={ECHO.name: ECHO.input_schema}.get,
    )


async def serve_stdio() -> None:
    server = bare_server()
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


def http_app() -> Starlette:
    server = bare_server()

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncGenerator[None]:
        async with server.session_manager.run():
            yield

    return Starlette(routes=[Mount("/envs/bare", app=server.streamable_http_app())], lifespan=lifespan)


if __name__ == "__main__":
    if sys.argv[1] == "stdio":
        anyio.run(serve_stdio)
    else:
        # The same keep-alive as `openenv-mcp serve`, so that both servers keep connections alike.
        uvicorn.run(
            http_app(),
            host="127.0.0.1",
            port=int(sys.argv[2]),
            log_level="info",
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )
