"""Authentication and scopes for HTTP: static bearer tokens and OAuth 2.1 JWT access tokens.

stdio stays unauthenticated (the client is the local process that started the server).
Over HTTP, ``serve --auth-tokens FILE`` and ``serve --oauth-issuer URL --oauth-audience AUD``
put a `BearerGuard` in front of every environment's MCP endpoint, the catalogue and the
metrics; see docs/production.md.
"""

from openenv_mcp.auth.guard import Authenticator, BearerGuard, Refusal
from openenv_mcp.auth.metadata import resource_metadata_route
from openenv_mcp.auth.oauth import JwtVerifier, OAuthSettings
from openenv_mcp.auth.scopes import CONTROL, ENVIRONMENT_SCOPES, METRICS, SCOPES, TOOLS, principal_of
from openenv_mcp.auth.token_file import StaticTokens, TokenFileError, parse_token_file
from openenv_mcp.auth.verifier import TokenRejected, TokenVerifier

__all__ = [
    "CONTROL",
    "ENVIRONMENT_SCOPES",
    "METRICS",
    "SCOPES",
    "TOOLS",
    "Authenticator",
    "BearerGuard",
    "JwtVerifier",
    "OAuthSettings",
    "Refusal",
    "StaticTokens",
    "TokenFileError",
    "TokenRejected",
    "TokenVerifier",
    "parse_token_file",
    "principal_of",
    "resource_metadata_route",
]
