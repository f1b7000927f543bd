"""The app's own routes beside the MCP endpoints: health, readiness, metrics and the catalogue.

Every route checks Host and Origin first, the SDK's way, as the MCP endpoints do: a
DNS-rebinding page must not read the catalogue either. With authentication configured,
the catalogue needs a token with an environment scope and the metrics one with
``openenv:control`` or ``openenv:metrics``; health and readiness stay open for load balancers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from openenv_mcp.auth import CONTROL, ENVIRONMENT_SCOPES, METRICS, Authenticator, BearerGuard
from openenv_mcp.server import EnvServer
from openenv_mcp.server.access import caller_of
from openenv_mcp.server.metrics import CONTENT_TYPE, Metrics

__all__ = ["HostCheck", "Readiness", "ServiceRoutes", "catalogue_entry"]


@dataclass
class Readiness:
    """Whether the server takes new work: false from the first SIGTERM on (``GET /readyz``)."""

    ready: bool = True
    reason: str = ""


class HostCheck:
    """Answers a request whose Host or Origin is not allowed (421 or 403) before `app` sees it."""

    def __init__(self, app: ASGIApp, security: TransportSecuritySettings) -> None:
        self.app, self._guard = app, TransportSecurityMiddleware(security)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refused = await self._guard.validate_request(Request(scope, receive))
            if refused is not None:
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)


class _Page:
    """A GET endpoint as a plain ASGI app, so that a guard can wrap it."""

    def __init__(self, render: Callable[[Request], Response]) -> None:
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.render(Request(scope, receive))(scope, receive, send)


def catalogue_entry(env_server: EnvServer, request: Request | None = None) -> dict[str, object]:
    """One environment as ``GET /envs`` lists it (the tools this request's caller sees)."""
    caller = caller_of(_AsContext(request), training=env_server.training)
    return {
        "name": env_server.name,
        "description": env_server.env_class.description,
        "mode": env_server.mode.value,
        "url": f"/envs/{env_server.name}/mcp",
        "tools": [tool.name for tool in env_server.tools_for(caller)],
        "live_episodes": env_server.registry.live,
        "capacity": env_server.registry.limits.capacity,
    }


@dataclass
class _AsContext:
    """A request where the caller lookup expects a call's context."""

    request: Request | None


class ServiceRoutes:
    """``/healthz``, ``/readyz``, ``/metrics`` and ``/envs`` of one app's servers."""

    def __init__(
        self,
        servers: Sequence[EnvServer],
        security: TransportSecuritySettings,
        readiness: Readiness,
        authenticator: Authenticator | None = None,
    ) -> None:
        self.servers, self.readiness = list(servers), readiness
        self.metrics = Metrics(self.servers)
        self.security, self.authenticator = security, authenticator

    def routes(self) -> list[BaseRoute]:
        pages: list[tuple[str, Callable[[Request], Response], frozenset[str] | None]] = [
            ("/healthz", self.healthz, None),
            ("/readyz", self.readyz, None),
            ("/metrics", self.exposition, frozenset({CONTROL, METRICS})),
            ("/envs", self.catalogue, ENVIRONMENT_SCOPES),
        ]
        return [
            Route(path, self._guarded(_Page(page), scopes), methods=["GET"]) for path, page, scopes in pages
        ]

    def _guarded(self, app: ASGIApp, scopes: frozenset[str] | None) -> ASGIApp:
        if scopes is not None and self.authenticator is not None:
            app = BearerGuard(app, self.authenticator, scopes)
        return HostCheck(app, self.security)

    def healthz(self, request: Request) -> Response:
        """Liveness, and each code environment's sandbox layers."""
        sandboxes = {s.name: s.sandbox_layers.to_json() for s in self.servers if s.sandbox_layers is not None}
        body = {"status": "ok", "environments": [s.name for s in self.servers], "sandbox": sandboxes}
        return JSONResponse(body)

    def readyz(self, request: Request) -> Response:
        """Readiness: 503 once shutdown began."""
        ready = self.readiness.ready
        body = {"ready": ready, "reason": self.readiness.reason}
        return JSONResponse(body, status_code=200 if ready else 503)

    def exposition(self, request: Request) -> Response:
        """Prometheus text."""
        return Response(self.metrics.exposition(), media_type=CONTENT_TYPE)

    def catalogue(self, request: Request) -> Response:
        """Every served environment, its tools and its episodes."""
        return JSONResponse({"environments": [catalogue_entry(s, request) for s in self.servers]})
