"""A real OAuth 2.1 authorization server for the tests, on a loopback port.

The SDK's own authorization-server routes (RFC 8414 metadata, dynamic client registration,
the authorization endpoint with PKCE, the token endpoint) over a provider that approves
every authorization at once and issues JWT access tokens signed with RSA keys it publishes
at ``/jwks``. Keys rotate on demand, and `mint` signs any token a test needs, good or bad.
"""

from __future__ import annotations

import secrets
import socket
import time
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from mcp.server.auth.provider import (
    AccessToken,
    AuthorizationCode,
    AuthorizationParams,
    IdentityAssertionParams,
    RefreshToken,
    TokenError,
    construct_redirect_uri,
)
from mcp.server.auth.routes import build_metadata, create_auth_routes
from mcp.server.auth.settings import ClientRegistrationOptions, RevocationOptions
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken
from pydantic import AnyHttpUrl
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from openenv_mcp.auth import SCOPES

__all__ = ["AuthorizationServer", "bound_socket", "serving_on"]


def bound_socket() -> tuple[socket.socket, str]:
    """A listening loopback socket and its base URL, known before the app that serves it is built."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock, f"http://127.0.0.1:{sock.getsockname()[1]}"


@asynccontextmanager
async def serving_on(sock: socket.socket, app: ASGIApp) -> AsyncGenerator[None]:
    """Serve `app` with uvicorn on an already bound socket."""
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    async with anyio.create_task_group() as tg:
        tg.start_soon(server.serve, [sock])
        with anyio.fail_after(10):
            while not server.started:
                await anyio.sleep(0.01)
        try:
            yield
        finally:
            server.should_exit = True


class AuthorizationServer:
    """Issues JWT access tokens for `subject` with the scopes each client asks for."""

    def __init__(self, issuer: str, audience: str, subject: str = "alice") -> None:
        self.issuer, self.audience, self.subject = issuer, audience, subject
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.current = self.rotate()
        self.jwks_fetches = 0
        self.clients: dict[str, OAuthClientInformationFull] = {}
        self.codes: dict[str, AuthorizationCode] = {}

    def rotate(self, *, drop_old: bool = False) -> str:
        """Sign with a new key from now on (the old ones stay published unless dropped)."""
        kid = f"key-{len(self.keys) + 1}-{secrets.token_hex(4)}"
        if drop_old:
            self.keys.clear()
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.current = kid
        return kid

    def mint(
        self,
        *,
        scopes: str = "openenv:control",
        headers: dict[str, Any] | None = None,
        key: rsa.RSAPrivateKey | None = None,
        **claims: Any,
    ) -> str:
        """A signed access token; `claims` override the defaults (None removes one)."""
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": self.subject,
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "scope": scopes,
            "client_id": "test-client",
        }
        body.update(claims)
        body = {name: value for name, value in body.items() if value is not None}
        header = {"kid": self.current, **(headers or {})}
        return jwt.encode(body, key or self.keys[self.current], algorithm="RS256", headers=header)

    def app(self) -> Starlette:
        """The server's routes: its metadata (with jwks_uri), the SDK's OAuth routes, and the key set."""
        issuer = AnyHttpUrl(self.issuer)
        options = ClientRegistrationOptions(enabled=True, valid_scopes=sorted(SCOPES))
        metadata = build_metadata(issuer, None, options, RevocationOptions())
        # The SDK's metadata names no key set; a resource server that verifies JWTs needs one.
        self._metadata_body = {
            **metadata.model_dump(mode="json", exclude_none=True),
            "issuer": self.issuer,  # exactly as the tokens carry it (the model adds a slash)
            "jwks_uri": f"{self.issuer}/jwks",
        }
        routes: list[BaseRoute] = [
            Route("/.well-known/oauth-authorization-server", self._metadata, methods=["GET"]),
            Route("/jwks", self._jwks, methods=["GET"]),
            *create_auth_routes(self, issuer, client_registration_options=options),
        ]
        return Starlette(routes=routes)

    async def _metadata(self, request: Request) -> Response:
        return JSONResponse(self._metadata_body)

    async def _jwks(self, request: Request) -> Response:
        self.jwks_fetches += 1
        keys: list[dict[str, Any]] = []
        for kid, private in self.keys.items():
            public = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
            keys.append({**public, "kid": kid, "alg": "RS256", "use": "sig"})
        return JSONResponse({"keys": keys})

    # The SDK's OAuthAuthorizationServerProvider protocol.

    async def get_client(self, client_id: str) -> OAuthClientInformationFull | None:
        return self.clients.get(client_id)

    async def register_client(self, client_info: OAuthClientInformationFull) -> None:
        assert client_info.client_id is not None
        self.clients[client_info.client_id] = client_info

    async def authorize(self, client: OAuthClientInformationFull, params: AuthorizationParams) -> str:
        code = secrets.token_urlsafe(16)
        assert client.client_id is not None
        self.codes[code] = AuthorizationCode(
            code=code,
            scopes=params.scopes or ["openenv:tools"],
            expires_at=time.time() + 60,
            client_id=client.client_id,
            code_challenge=params.code_challenge,
            redirect_uri=params.redirect_uri,
            redirect_uri_provided_explicitly=params.redirect_uri_provided_explicitly,
            resource=params.resource,
            subject=self.subject,
        )
        return construct_redirect_uri(str(params.redirect_uri), code=code, state=params.state)

    async def load_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: str
    ) -> AuthorizationCode | None:
        return self.codes.get(authorization_code)

    async def exchange_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: AuthorizationCode
    ) -> OAuthToken:
        self.codes.pop(authorization_code.code, None)
        scopes = " ".join(authorization_code.scopes)
        token = self.mint(
            scopes=scopes, aud=authorization_code.resource or self.audience, client_id=client.client_id
        )
        return OAuthToken(access_token=token, expires_in=300, scope=scopes)

    async def load_refresh_token(
        self, client: OAuthClientInformationFull, refresh_token: str
    ) -> RefreshToken | None:
        return None

    async def exchange_refresh_token(
        self, client: OAuthClientInformationFull, refresh_token: RefreshToken, scopes: list[str]
    ) -> OAuthToken:
        raise TokenError("invalid_grant", "this server issues no refresh tokens")

    async def load_access_token(self, token: str) -> AccessToken | None:
        return None

    async def revoke_token(self, token: AccessToken | RefreshToken) -> None:
        return None

    async def exchange_identity_assertion(
        self, client: OAuthClientInformationFull, params: IdentityAssertionParams
    ) -> OAuthToken:
        raise TokenError("unsupported_grant_type", "no identity assertions here")
