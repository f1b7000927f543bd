"""The bearer check in front of an endpoint: a clean 401 or 403 that says why, or the request goes on.

`BearerGuard` wraps an ASGI app. A request without a token, or with one that no verifier
accepts, gets 401 with a ``WWW-Authenticate: Bearer`` challenge (RFC 6750) that points to
the protected-resource metadata (RFC 9728) where an authorization server issues tokens; a
verified token that carries none of the endpoint's scopes gets 403 ``insufficient_scope``.
The body is JSON with the reason and a stable kind. Nothing behind the guard runs for a
refused request. A verified token travels on in the ASGI scope as the SDK's
`AuthenticatedUser`, so the SDK binds each handshake-era session to its principal and the
handlers read the principal from the request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from starlette.authentication import AuthCredentials
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from openenv_mcp.auth.oauth import JwtVerifier
from openenv_mcp.auth.token_file import StaticTokens
from openenv_mcp.auth.verifier import TokenRejected
from openenv_mcp.errors import ForbiddenError, UnauthorizedError

__all__ = ["Authenticator", "BearerGuard", "Refusal", "metadata_url", "public_base"]

REALM = "openenv-mcp"
_UNSAFE = re.compile(r'["\\\x00-\x1f\x7f]')


@dataclass(frozen=True)
class Refusal:
    """One refused request, as the guard reports it to metrics and the audit log."""

    status: int
    kind: str
    code: str
    reason: str
    path: str
    client: str


@dataclass
class Authenticator:
    """Every way this server accepts a bearer token: a token file, an OAuth issuer, or both."""

    static: StaticTokens | None = None
    oauth: JwtVerifier | None = None
    public_url: str | None = None
    """The server's URL as clients reach it (behind a proxy); else taken from each request."""
    on_refused: list[Callable[[Refusal], None]] = field(default_factory=lambda: [])
    """Called for every refused request (metrics, audit)."""

    @property
    def issuer(self) -> str | None:
        """The authorization server clients get tokens from, when there is one."""
        return self.oauth.settings.issuer if self.oauth is not None else None

    async def verify(self, header: str | None) -> AccessToken:
        """The grant of an ``Authorization`` header's bearer token.

        Raises:
            TokenRejected: no token, a malformed header, or a token no verifier accepts.
        """
        if header is None:
            raise TokenRejected("no bearer token: send 'Authorization: Bearer TOKEN'", "missing")
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or " " in token:
            raise TokenRejected("the Authorization header is not 'Bearer TOKEN'", "malformed")
        if self.static is not None:
            try:
                return await self.static.verify(token)
            except TokenRejected:
                if self.oauth is None:
                    raise
        assert self.oauth is not None, "an Authenticator needs a token file or an issuer"
        return await self.oauth.verify(token)


def public_base(authenticator: Authenticator, scope: Scope) -> str:
    """The base URL clients use: the configured public URL, else this request's scheme and Host."""
    if authenticator.public_url:
        return authenticator.public_url.rstrip("/")
    host = Headers(scope=scope).get("host") or "localhost"
    return f"{scope.get('scheme', 'http')}://{host}"


def metadata_url(base: str, resource_path: str) -> str:
    """Where RFC 9728 puts the metadata of the resource at `resource_path`.

    >>> metadata_url("https://envs.example", "/envs/echo/mcp")
    'https://envs.example/.well-known/oauth-protected-resource/envs/echo/mcp'
    """
    return f"{base}/.well-known/oauth-protected-resource{resource_path}"


class BearerGuard:
    """Lets through only requests whose bearer token verifies and carries one of `accepted`."""

    def __init__(
        self,
        app: ASGIApp,
        authenticator: Authenticator,
        accepted: frozenset[str],
        *,
        resource_path: str | None = None,
    ) -> None:
        self.app, self.authenticator, self.accepted = app, authenticator, accepted
        self.resource_path = resource_path
        """The protected resource's path, whose metadata a 401 points to (with an issuer)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") == "OPTIONS":
            await self.app(scope, receive, send)  # lifespan, and CORS preflights, which carry no token
            return
        try:
            token = await self.authenticator.verify(Headers(scope=scope).get("authorization"))
        except TokenRejected as exc:
            await self._refuse(scope, send, exc.status, exc.code, exc.reason)
            return
        if not self.accepted.intersection(token.scopes):
            needed = " or ".join(sorted(self.accepted))
            held = ", ".join(token.scopes) or "none"
            await self._refuse(
                scope, send, 403, "insufficient_scope", f"this needs {needed}; the token has {held}"
            )
            return
        scope["user"] = AuthenticatedUser(token)
        scope["auth"] = AuthCredentials(token.scopes)
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, send: Send, status: int, code: str, reason: str) -> None:
        kind = ForbiddenError.kind if status == 403 else UnauthorizedError.kind
        client = scope.get("client") or ("", 0)
        refusal = Refusal(status, kind, code, reason, scope.get("path", ""), str(client[0]))
        for report in self.authenticator.on_refused:
            report(refusal)
        error = {401: "invalid_token", 403: "insufficient_scope"}.get(status, "temporarily_unavailable")
        body = json.dumps(
            {"error": error, "error_description": reason, "kind": kind, "reason": code}
        ).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if status in (401, 403):
            headers.append((b"www-authenticate", self._challenge(scope, error, code, reason).encode()))
        else:
            headers.append((b"retry-after", b"30"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _challenge(self, scope: Scope, error: str, code: str, reason: str) -> str:
        parts = [f'realm="{REALM}"']
        if code != "missing":  # RFC 6750 3.1: a request without credentials gets no error code
            parts += [f'error="{error}"', f'error_description="{_UNSAFE.sub("", reason)}"']
        if self.resource_path is not None and self.authenticator.issuer is not None:
            url = metadata_url(public_base(self.authenticator, scope), self.resource_path)
            parts.append(f'resource_metadata="{url}"')
        parts.append(f'scope="{" ".join(sorted(self.accepted))}"')
        return "Bearer " + ", ".join(parts)
