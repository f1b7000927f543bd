"""The checks in front of OpenEnv's surface: Host and Origin, then (on WebSockets) the bearer token.

The MCP endpoint's guards (`HostCheck`, `BearerGuard`) look at HTTP requests only; a
WebSocket handshake is checked here the same way, with the same settings and the same
refusal reports; HTTP requests get the SDK's Host and Origin check here, and `BearerGuard`.
A refused handshake gets the HTTP answer the MCP endpoint would give (421, 403 or 401, where
the server can send one), else a close before accept (HTTP 403).
"""

from __future__ import annotations

import json

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from starlette.authentication import AuthCredentials
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from openenv_mcp.auth import Authenticator, Refusal, TokenRejected
from openenv_mcp.errors import ForbiddenError, UnauthorizedError

__all__ = ["WebSocketGuard"]


class WebSocketGuard:
    """Checks one WebSocket handshake; `admit` returns False once it has answered a refusal."""

    def __init__(
        self,
        security: TransportSecuritySettings,
        authenticator: Authenticator | None,
        accepted: frozenset[str],
    ) -> None:
        self._hosts = TransportSecurityMiddleware(security)
        self.authenticator, self.accepted = authenticator, accepted

    async def admit_request(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Check an HTTP request's Host and Origin (its token is `BearerGuard`'s)."""
        refused = await self._hosts.validate_request(Request(scope, receive))
        if refused is not None:
            await refused(scope, receive, send)
            return False
        return True

    async def admit(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Check a WebSocket handshake's Host and Origin, then its token."""
        # The SDK's check reads only the headers, which a handshake has as a request does.
        refused = await self._hosts.validate_request(Request({**scope, "type": "http"}))
        if refused is not None:
            await _deny(scope, send, refused.status_code, {"detail": bytes(refused.body).decode()})
            return False
        if self.authenticator is None:
            return True
        try:
            token = await self.authenticator.verify(Headers(scope=scope).get("authorization"))
        except TokenRejected as exc:
            await self._refuse(scope, send, exc.status, exc.code, exc.reason)
            return False
        if not self.accepted.intersection(token.scopes):
            needed = " or ".join(sorted(self.accepted))
            reason = f"this needs {needed}; the token has {', '.join(token.scopes) or 'none'}"
            await self._refuse(scope, send, 403, "insufficient_scope", reason)
            return False
        scope["user"] = AuthenticatedUser(token)
        scope["auth"] = AuthCredentials(token.scopes)
        return True

    async def _refuse(self, scope: Scope, send: Send, status: int, code: str, reason: str) -> None:
        assert self.authenticator is not None
        kind = ForbiddenError.kind if status == 403 else UnauthorizedError.kind
        client = scope.get("client") or ("", 0)
        refusal = Refusal(status, kind, code, reason, scope.get("path", ""), str(client[0]))
        for report in self.authenticator.on_refused:
            report(refusal)
        await _deny(scope, send, status, {"error_description": reason, "kind": kind, "reason": code})


async def _deny(scope: Scope, send: Send, status: int, body: dict[str, str]) -> None:
    if "websocket.http.response" in scope.get("extensions", {}):
        payload = json.dumps(body).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
        await send({"type": "websocket.http.response.start", "status": status, "headers": headers})
        await send({"type": "websocket.http.response.body", "body": payload})
        return
    await send({"type": "websocket.close", "code": 1008, "reason": body.get("detail", "refused")[:120]})
