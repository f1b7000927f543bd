"""One environment's OpenEnv surface beside its MCP endpoint, on the same app and path.

Mounted at ``/envs/<name>`` (the OpenEnv base URL), and at the root on a one-environment
server. ``/mcp`` is both our MCP endpoint (Streamable HTTP) and OpenEnv's JSON-RPC endpoint;
`speaks_mcp` tells them apart by what MCP requires of its clients and OpenEnv's never send:

- every request other than a POST (an SSE stream's GET, a session's DELETE) is MCP's;
- a POST with ``Mcp-Session-Id`` or ``MCP-Protocol-Version`` is MCP's (the handshake era after
  ``initialize``, and every 2026-07-28 request);
- a POST whose ``Accept`` names ``text/event-stream`` is MCP's (Streamable HTTP requires every
  client to list it; ``initialize`` carries it);
- any other POST is OpenEnv's: its `MCPToolClient` (httpx) and ``openenv validate`` (requests)
  send ``Accept: */*`` and no MCP header. A WebSocket on ``/mcp`` is OpenEnv's.

Host and Origin are checked on every route and WebSocket as on the MCP endpoint; with
authentication, everything but ``/health`` needs a token with an environment scope, and a
token with only the tools scope gets production semantics (no reward, no control).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from mcp.server.transport_security import TransportSecuritySettings
from starlette._utils import get_route_path
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, Router, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from openenv_mcp.auth import ENVIRONMENT_SCOPES, Authenticator, BearerGuard
from openenv_mcp.server import EnvServer

from .channel import json_rpc_channel, session_channel
from .control import ControlRoutes
from .guard import WebSocketGuard
from .info import InfoRoutes, Operation
from .jsonrpc import JsonRpc
from .sessions import Attachments, Who
from .tasks import TaskApi

__all__ = ["OpenEnvSurface", "speaks_mcp"]

_OPEN = frozenset({"/health"})
"""Routes a load balancer probes without a token."""


def speaks_mcp(scope: Scope) -> bool:
    """Whether a request to ``/mcp`` is for the MCP endpoint (else OpenEnv's JSON-RPC): see the module."""
    if scope.get("method") != "POST":
        return True
    headers = Headers(scope=scope)
    if "mcp-session-id" in headers or "mcp-protocol-version" in headers:
        return True
    accepted = [part.split(";")[0].strip().lower() for part in headers.get("accept", "").split(",")]
    return "text/event-stream" in accepted


class OpenEnvSurface:
    """OpenEnv's routes for one environment server, and the MCP endpoint beside them."""

    def __init__(
        self,
        server: EnvServer,
        mcp_app: ASGIApp,
        security: TransportSecuritySettings,
        authenticator: Authenticator | None = None,
        *,
        resource_path: str | None = None,
    ) -> None:
        self.server, self.mcp_app = server, mcp_app
        self.attachments = Attachments()
        self.rpc = JsonRpc(server, self.attachments)
        self.router = Router(routes=self._routes())
        self._guarded: ASGIApp = self.router
        if authenticator is not None:
            # One protected resource with the MCP endpoint: a refusal points to the same metadata.
            self._guarded = BearerGuard(
                self.router, authenticator, ENVIRONMENT_SCOPES, resource_path=resource_path
            )
        self._guard = WebSocketGuard(security, authenticator, ENVIRONMENT_SCOPES)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = get_route_path(scope)
        if scope["type"] == "http" and path == "/mcp" and speaks_mcp(scope):
            await self.mcp_app(scope, receive, send)
        elif scope["type"] == "websocket":
            if await self._guard.admit(scope, receive, send):
                await self.router(scope, receive, send)
        elif scope["type"] != "http" or not await self._guard.admit_request(scope, receive, send):
            return
        elif path in _OPEN:
            await self.router(scope, receive, send)
        else:
            await self._guarded(scope, receive, send)

    def _routes(self) -> list[BaseRoute]:
        http: list[tuple[str, str, Callable[[Request], Awaitable[Response]], str, str]] = []
        control = ControlRoutes(self.server)
        if self.server.training:  # OpenEnv's production mode has no control routes either
            http += [
                ("/reset", "POST", control.reset, "Start an episode (stateless)", "Environment Control"),
                (
                    "/step",
                    "POST",
                    control.step,
                    "Take one step (stateless, or in session_id)",
                    "Environment Control",
                ),
                ("/state", "GET", control.state, "An open session's state", "State Management"),
            ]
        tasks = TaskApi(self.server)
        http += [
            ("/mcp", "POST", self.json_rpc, "OpenEnv's JSON-RPC (tools, sessions)", "MCP"),
            ("/list_environments", "GET", tasks.list_environments, "The environments served", "Task API"),
            ("/{env_name}/splits", "GET", tasks.splits, "The task splits", "Task API"),
            ("/{env_name}/tasks", "POST", tasks.list_tasks, "A split's tasks", "Task API"),
            ("/{env_name}/num_tasks", "POST", tasks.num_tasks, "How many tasks a split has", "Task API"),
            ("/{env_name}/task", "POST", tasks.task, "One task by index", "Task API"),
            ("/{env_name}/task_range", "POST", tasks.task_range, "A range of tasks", "Task API"),
        ]
        operations = [Operation(path=p, method=m.lower(), summary=s, tag=t) for p, m, _, s, t in http]
        info = InfoRoutes(self.server, operations)
        described = [
            ("/health", info.health, "Health check", "Health"),
            (
                "/metadata",
                info.metadata,
                "The environment's name, description and README",
                "Environment Info",
            ),
            ("/schema", info.schema, "Action, observation and state schemas", "Schema"),
            ("/openapi.json", info.openapi, "This document", "Schema"),
        ]
        operations += [Operation(path=p, method="get", summary=s, tag=t) for p, _, s, t in described]
        routes: list[BaseRoute] = [Route(p, e, methods=[m]) for p, m, e, _, _ in http]
        routes += [Route(p, e, methods=["GET"]) for p, e, _, _ in described]
        routes += [WebSocketRoute("/ws", self.ws), WebSocketRoute("/mcp", self.ws_json_rpc)]
        return routes

    async def json_rpc(self, request: Request) -> Response:
        body = await request.body()
        return JSONResponse(await self.rpc.answer_text(body, Who.of(self.server, request)))

    async def ws(self, websocket: WebSocket) -> None:
        await session_channel(websocket, self.server, self.attachments)

    async def ws_json_rpc(self, websocket: WebSocket) -> None:
        await json_rpc_channel(websocket, self.server, self.attachments)
