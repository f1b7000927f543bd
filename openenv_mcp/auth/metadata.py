"""OAuth 2.0 protected-resource metadata (RFC 9728) of each environment's MCP endpoint.

An MCP client that gets a 401 follows the challenge's ``resource_metadata`` here, learns
which authorization server issues tokens for the endpoint and which scopes it takes, and
asks that server for a token whose audience is the endpoint (MCP's authorization spec).
"""

from __future__ import annotations

from mcp.shared.auth import ProtectedResourceMetadata
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from openenv_mcp.auth.guard import Authenticator, public_base
from openenv_mcp.auth.scopes import ENVIRONMENT_SCOPES

__all__ = ["resource_metadata_route"]


class _ResourceMetadata:
    """The metadata endpoint of one protected resource."""

    def __init__(self, authenticator: Authenticator, resource_path: str, name: str) -> None:
        self.authenticator, self.resource_path, self.name = authenticator, resource_path, name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.response(Request(scope, receive))(scope, receive, send)

    def response(self, request: Request) -> Response:
        """The metadata, with the resource's URL as this request reached it (or the public URL)."""
        issuer = self.authenticator.issuer
        assert issuer is not None, "metadata is served only where an issuer is configured"
        base = public_base(self.authenticator, request.scope)
        # Validated from strings, so that the model keeps a path-less issuer without a slash
        # (RFC 8414 compares issuers exactly).
        metadata = ProtectedResourceMetadata.model_validate(
            {
                "resource": base + self.resource_path,
                "authorization_servers": [issuer],
                "scopes_supported": sorted(ENVIRONMENT_SCOPES),
                "resource_name": f"openenv-mcp: {self.name}",
            }
        )
        body = metadata.model_dump(mode="json", exclude_none=True)
        # Browser clients read it from another origin (RFC 9728 metadata is public).
        headers = {"Access-Control-Allow-Origin": "*", "Cache-Control": "max-age=300"}
        return JSONResponse(body, headers=headers)


def resource_metadata_route(authenticator: Authenticator, resource_path: str, name: str) -> Route:
    """The RFC 9728 route of the resource at `resource_path` (for example ``/envs/echo/mcp``)."""
    endpoint = _ResourceMetadata(authenticator, resource_path, name)
    return Route(f"/.well-known/oauth-protected-resource{resource_path}", endpoint, methods=["GET"])
