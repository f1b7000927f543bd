"""Streamable HTTP: one Starlette app mounting every environment at /envs/<name>/mcp."""

from __future__ import annotations

import logging
import signal
import socket
import time
from collections.abc import AsyncGenerator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from types import FrameType

import uvicorn
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp

from openenv_mcp.auth import ENVIRONMENT_SCOPES, Authenticator, BearerGuard, Refusal, resource_metadata_route
from openenv_mcp.openenv_wire import OpenEnvSurface
from openenv_mcp.playground import Pages
from openenv_mcp.server import EnvServer
from openenv_mcp.server.audit import audit
from openenv_mcp.transports.connections import (
    REQUEST_TIMEOUT_SECONDS,
    guarded_protocol,
    raise_open_file_limit,
)
from openenv_mcp.transports.routes import HostCheck, Readiness, ServiceRoutes

__all__ = [
    "KEEP_ALIVE_SECONDS",
    "MAX_CONNECTIONS",
    "MAX_SESSIONS",
    "SESSION_IDLE_SECONDS",
    "SHUTDOWN_GRACE_SECONDS",
    "Readiness",
    "build_app",
    "serve_http",
]

logger = logging.getLogger(__name__)

KEEP_ALIVE_SECONDS = 60
"""How long an idle connection stays open. uvicorn's default (5 s) equals the usual client
pools' expiry, so a request sent on a connection the server is closing fails with a reset;
with 1,024 concurrent episodes that happened to a few steps a run."""


SESSION_IDLE_SECONDS = 600.0
"""How long an abandoned handshake-era session is kept when no idle TTL says otherwise. The SDK's
default (30 min) let one client's 10,000 abandoned sessions lock every handshake-era client out."""
MAX_SESSIONS = 10_000
"""Handshake-era sessions open at once, per environment (the SDK's default)."""

MAX_CONNECTIONS = 1000
"""Connections (and requests) at once before new requests get 503; under the common 1,024 fds."""
SHUTDOWN_GRACE_SECONDS = 30.0
"""How long in-flight calls may run on after SIGTERM before they are cancelled."""


class _DrainingServer(uvicorn.Server):
    """uvicorn, with readiness turned false at once on SIGTERM and `drain` seconds of serving after.

    Behind a load balancer the drain lets it see ``/readyz`` fail before the socket closes; then
    uvicorn stops accepting, lets in-flight calls finish (up to the grace), and the lifespan
    closes every episode, sandbox and child. A second signal shuts down at once.
    """

    def __init__(
        self, config: uvicorn.Config, readiness: Readiness, drain: float, paths: Sequence[str] = ()
    ) -> None:
        super().__init__(config)
        self.readiness, self.drain, self.paths = readiness, drain, list(paths)
        self._drain_until: float | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        bound = [s.getsockname() for server in self.servers for s in server.sockets]
        for address in bound[:1]:  # the port really bound, also when asked for port 0
            host, port = address[0], address[1]
            shown = f"[{host}]" if ":" in host else host
            for path in self.paths:
                logger.info("serving http://%s:%d%s", shown, port, path)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        first = self.readiness.ready
        self.readiness.ready, self.readiness.reason = False, "shutting down"
        if first and self.drain > 0 and sig == signal.SIGTERM:
            self._drain_until = time.monotonic() + self.drain
            return
        super().handle_exit(sig, frame)

    async def on_tick(self, counter: int) -> bool:
        if self._drain_until is not None and time.monotonic() >= self._drain_until:
            self.should_exit = True
        return await super().on_tick(counter)


def build_app(
    env_servers: Sequence[EnvServer],
    *,
    allowed_hosts: Sequence[str] = (),
    readiness: Readiness | None = None,
    authenticator: Authenticator | None = None,
    session_idle_timeout: float | None = None,
    max_sessions: int = MAX_SESSIONS,
) -> Starlette:
    """A Starlette app serving each environment's MCP endpoint and OpenEnv surface, /healthz and /envs.

    ``/`` is the web playground's catalogue and ``/envs/<name>/play`` each environment's page
    (`openenv_mcp.playground`).

    ``/envs/<name>`` is each environment's OpenEnv base URL (`openenv_mcp.openenv_wire`), and the
    root too when the app serves one environment.

    Every route checks Host and Origin the same way, the SDK's way (a DNS-rebinding page must
    not read the catalogue either): loopback names by default, else `allowed_hosts`. With an
    `authenticator`, every MCP endpoint takes only bearer tokens with an environment scope,
    and, where an OAuth issuer is configured, publishes its RFC 9728 metadata. A handshake-era
    session that makes no request for `session_idle_timeout` seconds is dropped (default: the
    first server's idle TTL, else 600 s), and at most `max_sessions` are open at once.
    """
    security = _security(allowed_hosts)
    service = ServiceRoutes(env_servers, security, readiness or Readiness(), authenticator)
    routes: list[BaseRoute] = service.routes()
    # Before the mounts: `/` is the catalogue page also where OpenEnv's routes sit at the root.
    routes += Pages(s.name for s in env_servers).routes(lambda app: HostCheck(app, security))
    if authenticator is not None:
        authenticator.on_refused.append(lambda refusal: _report(service, refusal))
    surfaces: list[OpenEnvSurface] = []
    for env_server in env_servers:
        path = f"/envs/{env_server.name}"
        idle = session_idle_timeout or env_server.registry.limits.idle_ttl or SESSION_IDLE_SECONDS
        mcp_app: ASGIApp = env_server.server.streamable_http_app(
            streamable_http_path="/mcp",
            transport_security=security,
            session_idle_timeout=idle,
            max_sessions=max_sessions,
        )
        if authenticator is not None:
            mcp_app = BearerGuard(mcp_app, authenticator, ENVIRONMENT_SCOPES, resource_path=f"{path}/mcp")
            if authenticator.issuer is not None:
                metadata = resource_metadata_route(authenticator, f"{path}/mcp", env_server.name)
                routes.append(Route(metadata.path, HostCheck(metadata.app, security), methods=["GET"]))
        # OpenEnv's surface (its base URL is `path`) shares the path, and /mcp with the MCP endpoint.
        endpoint = HostCheck(mcp_app, security)
        surface = OpenEnvSurface(env_server, endpoint, security, authenticator, resource_path=f"{path}/mcp")
        surfaces.append(surface)
        routes.append(Mount(path, app=surface))
    if len(surfaces) == 1:
        routes.append(Mount("", app=surfaces[0]))  # OpenEnv's clients default to the root

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncGenerator[None]:
        async with AsyncExitStack() as stack:
            for env_server in env_servers:
                stack.push_async_callback(env_server.aclose)
                await stack.enter_async_context(env_server.server.session_manager.run())
            yield

    return Starlette(routes=routes, lifespan=lifespan)


def _report(service: ServiceRoutes, refusal: Refusal) -> None:
    service.metrics.auth_refused(refusal.kind, refusal.code)
    audit("-", refusal.path, refusal.client, refusal.kind, None, reason=refusal.code, status=refusal.status)


_LOOPBACK = TransportSecuritySettings(
    enable_dns_rebinding_protection=True,
    allowed_hosts=["127.0.0.1", "localhost", "[::1]", "127.0.0.1:*", "localhost:*", "[::1]:*"],
    allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"],
)
"""What the SDK itself allows on a loopback server (and the names without a port, as on port 80):
the default of every route here."""


def _security(allowed_hosts: Sequence[str]) -> TransportSecuritySettings:
    if not allowed_hosts:
        return _LOOPBACK
    origins = [f"{scheme}://{host}" for host in allowed_hosts for scheme in ("http", "https")]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=list(allowed_hosts), allowed_origins=origins
    )


async def serve_http(
    env_servers: Sequence[EnvServer],
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    allowed_hosts: Sequence[str] = (),
    log_level: str = "info",
    keep_alive: int = KEEP_ALIVE_SECONDS,
    shutdown_grace: float = SHUTDOWN_GRACE_SECONDS,
    drain: float = 0.0,
    max_connections: int | None = MAX_CONNECTIONS,
    request_timeout: float = REQUEST_TIMEOUT_SECONDS,
    authenticator: Authenticator | None = None,
    forwarded_allow_ips: str | None = None,
    session_idle_timeout: float | None = None,
    max_sessions: int = MAX_SESSIONS,
) -> None:
    """Serve the app with uvicorn until SIGTERM or SIGINT, then shut down gracefully (`_DrainingServer`)."""
    readiness = Readiness()
    app = build_app(
        env_servers,
        allowed_hosts=allowed_hosts,
        readiness=readiness,
        authenticator=authenticator,
        session_idle_timeout=session_idle_timeout,
        max_sessions=max_sessions,
    )
    soft, hard = raise_open_file_limit()
    logger.info("open-file limit %d (hard %d); at most %s connections", soft, hard, max_connections or "any")
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        lifespan="on",
        timeout_keep_alive=keep_alive,
        timeout_graceful_shutdown=max(1, round(shutdown_grace)),
        http=guarded_protocol(request_timeout),
        limit_concurrency=max_connections,
        # X-Forwarded-For and -Proto are believed only from these addresses (uvicorn's default:
        # 127.0.0.1, or $FORWARDED_ALLOW_IPS), so a client cannot pick its own quota key.
        forwarded_allow_ips=forwarded_allow_ips,
    )
    paths = [f"/envs/{server.name}/mcp ({server.mode.value} mode)" for server in env_servers]
    await _DrainingServer(config, readiness, drain, paths).serve()
