"""Who makes a call and what it may see: the verified token behind an HTTP request, if any.

A call over HTTP with authentication configured carries the token its bearer header held
(verified before the request reached the MCP endpoint); stdio, in-memory and unauthenticated
calls carry none and see the server as its mode shows it to everyone.
"""

from __future__ import annotations

from typing import Any, cast

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken

from openenv_mcp.auth.scopes import CONTROL, principal_of
from openenv_mcp.episodes import Caller

__all__ = ["access_token_of", "caller_of"]


def access_token_of(ctx: Any) -> AccessToken | None:
    """The verified access token of this call's HTTP request, or None."""
    request = getattr(ctx, "request", None)
    scope: object = getattr(request, "scope", None)
    user = cast("dict[str, object]", scope).get("user") if isinstance(scope, dict) else None
    return user.access_token if isinstance(user, AuthenticatedUser) else None


def caller_of(ctx: Any, *, training: bool) -> Caller:
    """The caller of `ctx`: its principal (owner of its episodes) and whether it sees control."""
    token = access_token_of(ctx)
    if token is None:
        return Caller(owner=None, control=training)
    return Caller(owner=principal_of(token), control=training and CONTROL in token.scopes)
