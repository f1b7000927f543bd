"""What every way of checking a bearer token shares: the refusal it raises, with its reason.

A verifier turns the token of an ``Authorization: Bearer`` header into the SDK's
`AccessToken` (scopes, principal as its subject, expiry) or raises `TokenRejected`, which
says why in words a client can act on; the guard answers it as a 401 (or 503 where the
keys could not be fetched), and nothing behind the guard runs.
"""

from __future__ import annotations

from typing import Protocol

from mcp.server.auth.provider import AccessToken

from openenv_mcp.errors import UnauthorizedError

__all__ = ["TokenRejected", "TokenVerifier"]


class TokenRejected(UnauthorizedError):
    """A bearer token that does not verify: why in words, and as a short code for metrics."""

    def __init__(self, reason: str, code: str = "invalid", *, status: int = 401) -> None:
        super().__init__(reason)
        self.reason, self.code, self.status = reason, code, status


class TokenVerifier(Protocol):
    """Checks one bearer token."""

    async def verify(self, token: str) -> AccessToken:
        """The token's grant.

        Raises:
            TokenRejected: the token is not one this verifier accepts; the reason says why.
        """
        ...
