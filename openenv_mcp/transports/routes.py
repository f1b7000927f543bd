"""The app's own routes beside the MCP endpoints: health, readiness, metrics and the catalogue.

Each checks Host and Origin first, the SDK's way, as the MCP endpoints do: a DNS-rebinding
page must not read the catalogue either.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from openenv_mcp.server import EnvServer
from openenv_mcp.server.metrics import CONTENT_TYPE, Metrics

__all__ = ["Readiness", "ServiceRoutes", "catalogue_entry"]


@dataclass
class Readiness:
    """Whether the server takes new work: false from the first SIGTERM on (``GET /readyz``)."""

    ready: bool = True
    reason: str = ""


def catalogue_entry(env_server: EnvServer) -> dict[str, Any]:
    """One environment as ``GET /envs`` lists it."""
    return {
        "name": env_server.name,
        "description": env_server.env_class.description,
        "mode": env_server.mode.value,
        "url": f"/envs/{env_server.name}/mcp",
        "tools": [tool.name for tool in env_server.tools],
        "live_episodes": env_server.registry.live,
        "capacity": env_server.registry.limits.capacity,
    }


class ServiceRoutes:
    """``/healthz``, ``/readyz``, ``/metrics`` and ``/envs`` of one app's servers."""

    def __init__(
        self, servers: Sequence[EnvServer], security: TransportSecuritySettings, readiness: Readiness
    ) -> None:
        self.servers, self.readiness = list(servers), readiness
        self.metrics = Metrics(self.servers)
        self._guard = TransportSecurityMiddleware(security)

    def routes(self) -> list[Route]:
        pages = {
            "/healthz": self.healthz,
            "/readyz": self.readyz,
            "/metrics": self.exposition,
            "/envs": self.catalogue,
        }
        return [Route(path, self._guarded(page)) for path, page in pages.items()]

    def _guarded(self, page: Callable[[], Response]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            refused = await self._guard.validate_request(request)
            return refused if refused is not None else page()

        return endpoint

    def healthz(self) -> Response:
        """Liveness, and each code environment's sandbox layers."""
        sandboxes = {s.name: s.sandbox_layers.to_json() for s in self.servers if s.sandbox_layers is not None}
        body = {"status": "ok", "environments": [s.name for s in self.servers], "sandbox": sandboxes}
        return JSONResponse(body)

    def readyz(self) -> Response:
        """Readiness: 503 once shutdown began."""
        ready = self.readiness.ready
        body = {"ready": ready, "reason": self.readiness.reason}
        return JSONResponse(body, status_code=200 if ready else 503)

    def exposition(self) -> Response:
        """Prometheus text."""
        return Response(self.metrics.exposition(), media_type=CONTENT_TYPE)

    def catalogue(self) -> Response:
        """Every served environment, its tools and its episodes."""
        return JSONResponse({"environments": [catalogue_entry(s) for s in self.servers]})
