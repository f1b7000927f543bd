"""JWT access tokens from an OAuth 2.1 authorization server, verified against its published keys.

The server is a resource server as MCP's authorization spec describes it: it finds the
issuer's key set from the issuer's metadata (RFC 8414, else OpenID Connect discovery), keeps
it cached, and fetches it again when a token names a key it does not hold (key rotation),
at most once per `refresh_interval` so that forged key ids cannot make it hammer the issuer.
A token must be signed with an asymmetric algorithm by one of those keys and carry the
expected issuer and audience, an expiry in the future and no not-before in the future
(with `leeway` seconds of clock skew either way).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import anyio
import httpx2
import jwt
from mcp.server.auth.provider import AccessToken

from openenv_mcp.auth.verifier import TokenRejected

__all__ = ["ALGORITHMS", "JwtVerifier", "OAuthSettings", "discovery_urls"]

ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
"""Signatures accepted: public-key ones only (never `none`, never a shared secret)."""


@dataclass(frozen=True)
class OAuthSettings:
    """Which tokens a resource server accepts, and how it keeps the issuer's keys."""

    issuer: str
    audience: str
    leeway: float = 30.0
    """Seconds of clock skew allowed on exp and nbf."""
    jwks_uri: str | None = None
    """The key set's URL; discovered from the issuer's metadata when not given."""
    refresh_interval: float = 30.0
    """The shortest time between two fetches of the key set."""
    max_age: float = 3600.0
    """Keys are fetched again after this long, a new key id or not."""


def discovery_urls(issuer: str) -> list[str]:
    """Where an issuer's metadata may live: RFC 8414's URL, then OpenID Connect's.

    >>> discovery_urls("https://idp.example/tenant")
    ['https://idp.example/.well-known/oauth-authorization-server/tenant', 'https://idp.example/tenant/.well-known/openid-configuration']
    """
    parts = urlsplit(issuer)
    path = parts.path.rstrip("/")
    rfc8414 = urlunsplit(
        (parts.scheme, parts.netloc, f"/.well-known/oauth-authorization-server{path}", "", "")
    )
    return [rfc8414, f"{issuer.rstrip('/')}/.well-known/openid-configuration"]


@dataclass(frozen=True)
class _Key:
    jwk: jwt.PyJWK
    algorithm: str | None
    """The algorithm the key set declares for the key, if it does."""


class _KeySet:
    """The issuer's signing keys, fetched on demand and kept."""

    def __init__(self, settings: OAuthSettings) -> None:
        self.settings = settings
        self._keys: dict[str | None, _Key] = {}
        self._jwks_uri = settings.jwks_uri
        self._fetched = -float("inf")
        self._failure: str | None = None
        self._lock = anyio.Lock()

    async def key(self, kid: str | None) -> _Key:
        """The key a token's header names (a token without a key id: the only key)."""
        if time.monotonic() - self._fetched > self.settings.max_age:
            await self._refresh()
        found = self._find(kid)
        if found is None and time.monotonic() - self._fetched >= self.settings.refresh_interval:
            await self._refresh()  # perhaps the issuer rotated its keys
            found = self._find(kid)
        if found is not None:
            return found
        if self._failure is not None and not self._keys:
            raise TokenRejected(
                f"the issuer's keys cannot be fetched: {self._failure}", "keys_unavailable", status=503
            )
        if kid is None:
            raise TokenRejected(
                f"the token names no key id (kid) and the issuer has {len(self._keys)} keys", "unknown_key"
            )
        raise TokenRejected(f"unknown key id {kid!r}: the issuer's key set does not hold it", "unknown_key")

    def _find(self, kid: str | None) -> _Key | None:
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(kid) if kid is not None else None

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._fetched < self.settings.refresh_interval:
                return  # another call fetched them while this one waited
            self._fetched = time.monotonic()
            try:
                async with httpx2.AsyncClient(timeout=10.0, follow_redirects=False) as http:
                    uri = self._jwks_uri or await self._discover(http)
                    self._jwks_uri = uri
                    self._keys = _parse_key_set(await _get_json(http, uri), uri)
                self._failure = None
            except TokenRejected as exc:
                self._failure = exc.reason
            except httpx2.HTTPError as exc:
                self._failure = f"{type(exc).__name__}: {exc}"

    async def _discover(self, http: httpx2.AsyncClient) -> str:
        issuer = self.settings.issuer
        problems: list[str] = []
        for url in discovery_urls(issuer):
            try:
                metadata = await _get_json(http, url)
            except (TokenRejected, httpx2.HTTPError) as exc:
                problems.append(f"{url}: {exc}")
                continue
            if str(metadata.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
                raise TokenRejected(
                    f"{url} names issuer {metadata.get('issuer')!r}, not {issuer!r}",
                    "keys_unavailable",
                    status=503,
                )
            uri = metadata.get("jwks_uri")
            if not isinstance(uri, str):
                raise TokenRejected(f"{url} has no jwks_uri", "keys_unavailable", status=503)
            return uri
        raise TokenRejected(
            "no issuer metadata found (" + "; ".join(problems) + ")", "keys_unavailable", status=503
        )


async def _get_json(http: httpx2.AsyncClient, url: str) -> Mapping[str, Any]:
    response = await http.get(url, headers={"Accept": "application/json"})
    if response.status_code != 200:
        raise TokenRejected(f"{url} answered HTTP {response.status_code}", "keys_unavailable", status=503)
    try:
        body = response.json()
    except ValueError as exc:
        raise TokenRejected(f"{url} did not answer JSON", "keys_unavailable", status=503) from exc
    if not isinstance(body, dict):
        raise TokenRejected(f"{url} did not answer a JSON object", "keys_unavailable", status=503)
    return body  # pyright: ignore[reportUnknownVariableType]


def _parse_key_set(body: Mapping[str, Any], uri: str) -> dict[str | None, _Key]:
    keys: dict[str | None, _Key] = {}
    listed: object = body.get("keys")
    entries: list[object] = list(listed) if isinstance(listed, list) else []  # pyright: ignore[reportUnknownArgumentType]
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        data = cast("dict[str, Any]", entry)
        if data.get("use", "sig") != "sig":
            continue
        try:
            key = jwt.PyJWK(data)
        except (jwt.PyJWTError, ValueError, TypeError):
            continue  # a key type this library cannot use is no key of ours
        declared = data.get("alg")
        keys[key.key_id] = _Key(key, declared if isinstance(declared, str) else None)
    if not keys:
        raise TokenRejected(
            f"the key set at {uri} holds no usable signing key", "keys_unavailable", status=503
        )
    return keys


_REASONS: list[tuple[type[jwt.PyJWTError], str, str]] = [
    (jwt.ExpiredSignatureError, "expired", "the token has expired"),
    (
        jwt.ImmatureSignatureError,
        "not_yet_valid",
        "the token is not valid yet (its nbf or iat is in the future)",
    ),
    (jwt.InvalidAudienceError, "wrong_audience", "the token is for another audience"),
    (jwt.InvalidIssuerError, "wrong_issuer", "the token is from another issuer"),
    (jwt.InvalidSignatureError, "bad_signature", "the token's signature does not verify"),
    (jwt.MissingRequiredClaimError, "missing_claim", "the token lacks a required claim"),
    (jwt.DecodeError, "malformed", "the token is malformed"),
]


class JwtVerifier:
    """Verifies JWT access tokens of one issuer for one audience."""

    def __init__(self, settings: OAuthSettings) -> None:
        self.settings = settings
        self._keys = _KeySet(settings)

    async def verify(self, token: str) -> AccessToken:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenRejected(f"the token is malformed: {exc}", "malformed") from exc
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise TokenRejected(
                f"the token is signed with {algorithm!r}; accepted: {', '.join(sorted(ALGORITHMS))}",
                "algorithm",
            )
        kid = header.get("kid")
        key = await self._keys.key(kid if isinstance(kid, str) else None)
        if key.algorithm not in (algorithm, None):
            raise TokenRejected(
                f"the token is signed with {algorithm}, but key {kid!r} is for {key.algorithm}", "algorithm"
            )
        claims = self._decode(token, key.jwk, algorithm)
        return _access_token(token, claims)

    def _decode(self, token: str, key: jwt.PyJWK, algorithm: str) -> dict[str, Any]:
        settings = self.settings
        try:
            return jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=settings.audience,
                issuer=settings.issuer,
                leeway=settings.leeway,
                options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            code, reason = next(
                ((code, words) for kind, code, words in _REASONS if isinstance(exc, kind)),
                ("invalid", "the token is not valid"),
            )
            raise TokenRejected(f"{reason}: {exc}", code) from exc


def _access_token(token: str, claims: dict[str, Any]) -> AccessToken:
    principal = claims.get("sub") or claims.get("client_id") or claims.get("azp")
    if not isinstance(principal, str) or not principal:
        raise TokenRejected("the token names no subject (sub, client_id or azp)", "missing_claim")
    raw = claims.get("scope", claims.get("scp", ""))
    scopes = raw.split() if isinstance(raw, str) else [s for s in raw if isinstance(s, str)]
    client = claims.get("client_id") or claims.get("azp") or principal
    return AccessToken(
        token=token,
        client_id=str(client),
        subject=principal,
        scopes=sorted(set(scopes)),
        expires_at=int(claims["exp"]),
        resource=None,
        claims=claims,
    )
