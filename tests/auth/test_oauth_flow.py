"""MCP's authorization flow end to end: the SDK's OAuth client, a real authorization server, our server.

The client gets a 401, follows its challenge to the endpoint's protected-resource metadata
(RFC 9728), discovers the authorization server (RFC 8414), registers (RFC 7591), authorizes
with PKCE, exchanges the code for a JWT bound to the endpoint (RFC 8707), and calls tools
with it; our server checks that JWT against the issuer's published keys.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import anyio
import httpx2
import mcp
import pytest
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthToken,
)
from pydantic import AnyUrl

from openenv_mcp.auth import Authenticator, JwtVerifier, OAuthSettings
from openenv_mcp.client import EnvClient
from openenv_mcp.client.results import error_kind
from openenv_mcp.server import EnvServer
from openenv_mcp.transports import build_app
from openenv_mcp_echo import EchoEnvironment
from tests.auth.authorization_server import AuthorizationServer, bound_socket, serving_on


@dataclass
class Served:
    issuer: AuthorizationServer
    resource: str
    base: str


@asynccontextmanager
async def served() -> AsyncGenerator[Served]:
    issuer_socket, issuer_url = bound_socket()
    server_socket, base = bound_socket()
    resource = f"{base}/envs/echo/mcp"
    issuer = AuthorizationServer(issuer_url, resource)
    authenticator = Authenticator(oauth=JwtVerifier(OAuthSettings(issuer_url, resource)))
    app = build_app([EnvServer(EchoEnvironment)], authenticator=authenticator)
    async with serving_on(issuer_socket, issuer.app()), serving_on(server_socket, app):
        yield Served(issuer, resource, base)


@dataclass
class MemoryStorage:
    """The SDK's token storage, kept in memory."""

    tokens: OAuthToken | None = None
    client: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


@dataclass
class Browser:
    """Plays the user's browser: opens the authorization URL and reads the code off the redirect."""

    visited: list[str] = field(default_factory=lambda: [])
    codes: list[AuthorizationCodeResult] = field(default_factory=lambda: [])

    async def open(self, url: str) -> None:
        self.visited.append(url)
        async with httpx2.AsyncClient() as http:
            answer = await http.get(url)
        assert answer.status_code in (302, 303, 307), answer.text
        query = parse_qs(urlsplit(answer.headers["location"]).query)
        self.codes.append(AuthorizationCodeResult(code=query["code"][0], state=query.get("state", [None])[0]))

    async def callback(self) -> AuthorizationCodeResult:
        return self.codes.pop()


def oauth_client(resource: str, browser: Browser, storage: MemoryStorage) -> OAuthClientProvider:
    metadata = OAuthClientMetadata(
        redirect_uris=[AnyUrl("http://127.0.0.1:9/callback")],
        client_name="openenv-mcp test trainer",
        grant_types=["authorization_code", "refresh_token"],
        response_types=["code"],
    )
    return OAuthClientProvider(resource, metadata, storage, browser.open, browser.callback)


async def test_the_sdks_oauth_client_logs_in_and_trains() -> None:
    with anyio.fail_after(60):
        async with served() as site:
            browser, storage = Browser(), MemoryStorage()
            async with EnvClient(site.resource, auth=oauth_client(site.resource, browser, storage)) as env:
                first = await env.reset(seed=1)
                stepped = await env.step(
                    {"type": "tool_call", "tool_name": "echo", "parameters": {"message": "x"}}
                )
            assert first.observation and stepped.observation == "x" and stepped.reward > 0
            assert len(browser.visited) == 1 and storage.tokens is not None
            scopes = set((storage.tokens.scope or "").split())
            assert scopes == {"openenv:control", "openenv:tools"}  # what the challenge asked for
            assert site.issuer.jwks_fetches == 1


async def test_a_token_of_another_subject_cannot_reach_the_episode() -> None:
    with anyio.fail_after(60):
        async with served() as site:
            browser, storage = Browser(), MemoryStorage()
            async with EnvClient(site.resource, auth=oauth_client(site.resource, browser, storage)) as env:
                await env.reset(seed=1)
                episode = env.episode_id
                bob = site.issuer.mint(sub="bob", scopes="openenv:control")
                http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {bob}"})
                transport = streamable_http_client(site.resource, http_client=http)
                async with mcp.Client(transport, mode="2026-07-28") as stranger:
                    stolen = await stranger.call_tool("state", {"episode_id": episode})
                assert error_kind(stolen) == "unknown_episode", stolen.content


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    return f"{header}.{payload}.{signature[:-6]}{'A' * 6 if signature[-6:] != 'A' * 6 else 'B' * 6}"


BAD_TOKENS: dict[str, tuple[Callable[[AuthorizationServer], str | None], str]] = {
    "missing": (lambda s: None, "missing"),
    "malformed": (lambda s: "not.a-jwt", "malformed"),
    "expired": (lambda s: s.mint(exp=int(time.time()) - 120), "expired"),
    "not yet valid": (lambda s: s.mint(nbf=int(time.time()) + 120), "not_yet_valid"),
    "wrong issuer": (lambda s: s.mint(iss="http://127.0.0.1:9"), "wrong_issuer"),
    "wrong audience": (lambda s: s.mint(aud="http://127.0.0.1:9/envs/echo/mcp"), "wrong_audience"),
    "tampered signature": (lambda s: _tampered(s.mint()), "bad_signature"),
    "unknown key id": (lambda s: s.mint(headers={"kid": "no-such-key"}), "unknown_key"),
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
async def test_each_bad_jwt_over_http_is_a_401_with_its_reason_and_the_metadata(case: str) -> None:
    make, reason = BAD_TOKENS[case]
    with anyio.fail_after(60):
        async with served() as site, httpx2.AsyncClient() as http:
            token = make(site.issuer)
            response = await http.post(
                site.resource,
                json={"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}},
                headers={"Authorization": f"Bearer {token}"} if token else {},
            )
            assert response.status_code == 401 and response.json()["reason"] == reason
            assert "tools" not in response.json()  # nothing but the refusal is served
            challenge = response.headers["www-authenticate"]
            metadata_url = f"{site.base}/.well-known/oauth-protected-resource/envs/echo/mcp"
            assert f'resource_metadata="{metadata_url}"' in challenge
            assert ('error="invalid_token"' in challenge) == (case != "missing")
            metadata = (await http.get(metadata_url)).json()
            assert metadata["resource"] == site.resource
            assert metadata["authorization_servers"] == [site.issuer.issuer]
            assert metadata["scopes_supported"] == ["openenv:control", "openenv:tools"]


async def test_a_valid_jwt_without_an_environment_scope_is_a_403() -> None:
    with anyio.fail_after(60):
        async with served() as site, httpx2.AsyncClient() as http:
            response = await http.post(
                site.resource,
                json={"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}},
                headers={"Authorization": f"Bearer {site.issuer.mint(scopes='profile email')}"},
            )
    assert response.status_code == 403 and response.json()["reason"] == "insufficient_scope"
    assert "the token has email, profile" in response.json()["error_description"]
