"""A remote that speaks OpenEnv's wire protocol until a step, then answers it with garbage.

A real server on a loopback socket (websockets, in this process): `/health` and `/schema` as
OpenEnv serves them for an MCP environment with one tool, `echo`; `/ws` answers the reset
and the list_tools step properly, and a `call_tool` step with the reply `GARBAGE[kind]`.
`sessions` counts the WebSockets open now.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

_OBSERVATION: dict[str, Any] = {"observation": {"metadata": {}}, "reward": 0.0, "done": False}
_TOOLS = {"tools": [{"name": "echo", "description": "Echo.", "input_schema": {"type": "object"}}]}
GARBAGE: dict[str, str | bytes] = {
    "not json": "{this is not json",
    "not an object": "[1, 2, 3]",
    "a wrong frame type": json.dumps({"type": "state", "data": {"step_count": 1}}),
    "a binary frame": b"\x00\x01",
    "an observation that is a list": json.dumps({"type": "observation", "data": {"observation": [1]}}),
    "a reward that is text": json.dumps(
        {"type": "observation", "data": {"observation": {}, "reward": "lots", "done": False}}
    ),
}
SCHEMA = {"action": {"title": "CallToolAction", "properties": {"type": {"const": "call_tool"}}}}


@dataclass
class GarbageRemote:
    url: str = ""
    kind: str = "not json"
    sessions: int = 0
    seen: list[str] = field(default_factory=list[str])

    async def handle(self, websocket: ServerConnection) -> None:
        self.sessions += 1
        try:
            async for raw in websocket:
                frame: Any = json.loads(raw)
                self.seen.append(str(frame.get("type")))
                await websocket.send(self.reply(frame))
        except ConnectionClosed:
            pass
        finally:
            self.sessions -= 1

    def reply(self, frame: dict[str, Any]) -> str | bytes:
        kind, data = frame.get("type"), cast(dict[str, Any], frame.get("data") or {})
        if kind == "state":
            return json.dumps({"type": "state", "data": {"step_count": 0}})
        if kind == "step" and data.get("type") == "list_tools":
            return json.dumps({"type": "observation", "data": {**_OBSERVATION, "observation": _TOOLS}})
        if kind == "step":
            return GARBAGE[self.kind]
        return json.dumps({"type": "observation", "data": _OBSERVATION})

    def http(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.path == "/ws":
            return None
        if request.path == "/schema":
            return connection.respond(200, json.dumps(SCHEMA))
        if request.path == "/health":
            return connection.respond(200, json.dumps({"status": "healthy"}))
        return connection.respond(404, "not found")


@asynccontextmanager
async def garbage_remote() -> AsyncGenerator[GarbageRemote]:
    remote = GarbageRemote()
    async with serve(remote.handle, "127.0.0.1", 0, process_request=remote.http) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        remote.url = f"http://127.0.0.1:{port}"
        yield remote
