"""JWT access tokens checked against a real authorization server's published keys, over HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager

import anyio
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from openenv_mcp.auth import JwtVerifier, OAuthSettings, TokenRejected
from openenv_mcp.auth.oauth import discovery_urls
from tests.auth.authorization_server import AuthorizationServer, bound_socket, serving_on

AUDIENCE = "https://envs.test/envs/echo/mcp"


@asynccontextmanager
async def issuing() -> AsyncGenerator[AuthorizationServer]:
    sock, url = bound_socket()
    server = AuthorizationServer(url, AUDIENCE)
    async with serving_on(sock, server.app()):
        yield server


def verifier(server: AuthorizationServer, refresh_interval: float = 30.0) -> JwtVerifier:
    return JwtVerifier(OAuthSettings(server.issuer, AUDIENCE, refresh_interval=refresh_interval))


def tampered(token: str) -> str:
    """The same signature over other claims: a token whose payload someone edited."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["scope"] = "openenv:control openenv:tools"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def confused(server: AuthorizationServer) -> str:
    """HS256 keyed with the issuer's public key: the classic algorithm-confusion forgery."""
    public = (
        server.keys[server.current]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    claims = {"iss": server.issuer, "aud": AUDIENCE, "sub": "mallory", "exp": int(time.time()) + 60}
    header = {"alg": "HS256", "typ": "JWT", "kid": server.current}
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = hmac.new(public, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def unsigned(server: AuthorizationServer) -> str:
    """``alg: none``: a token with no signature at all."""
    header = {"alg": "none", "typ": "JWT", "kid": server.current}
    claims = {"iss": server.issuer, "aud": AUDIENCE, "sub": "mallory", "exp": int(time.time()) + 60}
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}."


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def stranger_key(server: AuthorizationServer) -> str:
    """Signed by a key the issuer never published, under a key id it did publish."""
    return server.mint(key=rsa.generate_private_key(public_exponent=65537, key_size=2048))


BAD: dict[str, tuple[Callable[[AuthorizationServer], str], str]] = {
    "expired": (lambda s: s.mint(exp=int(time.time()) - 120), "expired"),
    "not yet valid": (lambda s: s.mint(nbf=int(time.time()) + 120), "not_yet_valid"),
    "wrong issuer": (lambda s: s.mint(iss="https://elsewhere.test"), "wrong_issuer"),
    "wrong audience": (lambda s: s.mint(aud="https://envs.test/envs/other/mcp"), "wrong_audience"),
    "tampered signature": (lambda s: tampered(s.mint()), "bad_signature"),
    "signed by another key": (stranger_key, "bad_signature"),
    "unknown key id": (lambda s: s.mint(headers={"kid": "no-such-key"}), "unknown_key"),
    "malformed": (lambda s: "not-a-jwt-at-all", "malformed"),
    "three dots of nothing": (lambda s: "a.b.c", "malformed"),
    "algorithm none": (unsigned, "algorithm"),
    "algorithm confusion": (confused, "algorithm"),
    "no expiry": (lambda s: s.mint(exp=None), "missing_claim"),
    "no subject": (lambda s: s.mint(sub=None, client_id=None), "missing_claim"),
}


async def test_a_good_token_gives_its_principal_scopes_and_expiry() -> None:
    with anyio.fail_after(20):
        async with issuing() as server:
            token = await verifier(server).verify(server.mint(scopes="openenv:tools"))
    assert token.subject == "alice" and token.scopes == ["openenv:tools"]
    assert token.expires_at is not None and token.expires_at > time.time()


@pytest.mark.parametrize("case", list(BAD))
async def test_every_bad_token_is_refused_with_its_reason(case: str) -> None:
    make, code = BAD[case]
    with anyio.fail_after(20):
        async with issuing() as server:
            with pytest.raises(TokenRejected) as refused:
                await verifier(server).verify(make(server))
    assert refused.value.code == code and refused.value.status == 401, refused.value.reason


async def test_a_rotated_key_is_fetched_when_a_token_names_it() -> None:
    with anyio.fail_after(20):
        async with issuing() as server:
            check = verifier(server, refresh_interval=0.0)
            await check.verify(server.mint())
            server.rotate(drop_old=True)
            fresh = await check.verify(server.mint())
            assert fresh.subject == "alice" and server.jwks_fetches == 2
            with pytest.raises(TokenRejected) as old:
                await check.verify(server.mint(headers={"kid": "key-1-gone"}))
            assert old.value.code == "unknown_key"


async def test_forged_key_ids_cannot_make_the_server_hammer_the_issuer() -> None:
    with anyio.fail_after(20):
        async with issuing() as server:
            check = verifier(server)  # refetches at most every 30 s
            await check.verify(server.mint())
            for n in range(25):
                with pytest.raises(TokenRejected):
                    await check.verify(server.mint(headers={"kid": f"forged-{n}"}))
            assert server.jwks_fetches == 1


async def test_an_unreachable_issuer_is_a_503_that_says_so() -> None:
    sock, url = bound_socket()
    sock.close()  # nothing listens there now
    check = JwtVerifier(OAuthSettings(url, AUDIENCE))
    token = AuthorizationServer(url, AUDIENCE).mint()
    with anyio.fail_after(20), pytest.raises(TokenRejected) as refused:
        await check.verify(token)
    assert refused.value.status == 503 and "cannot be fetched" in refused.value.reason


async def test_metadata_that_names_another_issuer_is_not_trusted() -> None:
    with anyio.fail_after(20):
        async with issuing() as server:
            impostor = JwtVerifier(OAuthSettings(server.issuer + "/tenant", AUDIENCE))
            with pytest.raises(TokenRejected) as refused:
                await impostor.verify(server.mint(iss=server.issuer + "/tenant"))
    assert refused.value.status == 503 and "no issuer metadata" in refused.value.reason


def test_discovery_urls_follow_rfc_8414_then_openid_connect() -> None:
    assert discovery_urls("https://idp.test") == [
        "https://idp.test/.well-known/oauth-authorization-server",
        "https://idp.test/.well-known/openid-configuration",
    ]
