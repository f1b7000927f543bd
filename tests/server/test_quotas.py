"""Per-client quotas: one client at its limit leaves the capacity to the others; refusals say how long."""

from __future__ import annotations

import anyio
import httpx2
import mcp
from mcp.client.streamable_http import streamable_http_client

from openenv_mcp.auth import Authenticator, StaticTokens, parse_token_file
from openenv_mcp.client.results import error_kind
from openenv_mcp.episodes import RegistryLimits
from openenv_mcp.server import EnvServer
from openenv_mcp.server.quotas import QuotaLimits, production_share
from openenv_mcp.testing import running_http
from openenv_mcp.transports import build_app
from openenv_mcp_echo import EchoEnvironment
from tests.conftest import connect


def from_address(url: str, address: str) -> mcp.Client:
    """A client whose connections leave from `address` (127.0.0.0/8 is all loopback)."""
    http = httpx2.AsyncClient(transport=httpx2.AsyncHTTPTransport(local_address=address))
    return mcp.Client(streamable_http_client(url, http_client=http), mode="2026-07-28")


async def test_one_client_cannot_take_the_whole_capacity() -> None:
    server = EnvServer(EchoEnvironment, limits=RegistryLimits(capacity=4), quotas=QuotaLimits(episodes=2))
    with anyio.fail_after(60):
        async with running_http(build_app([server])) as base:
            url = f"{base}/envs/echo/mcp"
            async with from_address(url, "127.0.0.2") as greedy, from_address(url, "127.0.0.3") as other:
                kept = [await greedy.call_tool("reset", {}) for _ in range(2)]
                refused = await greedy.call_tool("reset", {})
                assert refused.is_error and error_kind(refused) == "quota"
                assert "client 127.0.0.2 may hold 2 live episodes and holds 2" in str(refused.content)
                for _ in range(2):
                    assert not (await other.call_tool("reset", {})).is_error, (
                        "the other client was locked out"
                    )
                first = kept[0].structured_content
                assert first is not None
                await greedy.call_tool("close", {"episode_id": first["episode_id"]})
                assert not (await greedy.call_tool("reset", {})).is_error, "a closed episode frees its share"


async def test_steps_per_second_are_a_token_bucket_that_says_when_to_retry() -> None:
    server = EnvServer(EchoEnvironment, quotas=QuotaLimits(steps_per_second=20, burst=3))
    with anyio.fail_after(30):
        async with connect(server, "2026-07-28") as client:
            reset = await client.call_tool("reset", {})
            assert reset.structured_content is not None
            episode = reset.structured_content["episode_id"]
            answers = [
                await client.call_tool("echo", {"message": "x", "episode_id": episode}) for _ in range(4)
            ]
            assert [a.is_error for a in answers] == [False, False, False, True]
            assert error_kind(answers[-1]) == "quota" and "retry in 0.0" in str(answers[-1].content)
            await anyio.sleep(0.1)
            assert not (await client.call_tool("echo", {"message": "x", "episode_id": episode})).is_error


async def test_without_limits_nothing_is_refused() -> None:
    server = EnvServer(EchoEnvironment, limits=RegistryLimits(capacity=50))
    with anyio.fail_after(30):
        async with connect(server, "2026-07-28") as client:
            for _ in range(50):
                assert not (await client.call_tool("reset", {})).is_error


async def test_quotas_are_per_principal_where_tokens_name_one() -> None:
    """Two principals on one address each get their share; the refusal names the principal and the wait."""
    server = EnvServer(
        EchoEnvironment,
        limits=RegistryLimits(capacity=4, idle_ttl=600),
        quotas=QuotaLimits(episodes=1),
    )
    tokens = "token-of-team-a-000000 openenv:control team-a\ntoken-of-team-b-000000 openenv:control team-b\n"
    authenticator = Authenticator(static=StaticTokens(parse_token_file(tokens)))
    with anyio.fail_after(60):
        async with running_http(build_app([server], authenticator=authenticator)) as base:
            url = f"{base}/envs/echo/mcp"
            async with bearer(url, "token-of-team-a-000000") as a, bearer(url, "token-of-team-b-000000") as b:
                assert not (await a.call_tool("reset", {})).is_error
                refused = await a.call_tool("reset", {})
                assert error_kind(refused) == "quota"
                message = str(refused.content)
                assert "client team-a may hold 1 live episodes and holds 1" in message
                assert "close one with close and retry, or retry in 600 s" in message
                assert not (await b.call_tool("reset", {})).is_error, (
                    "team-b shares team-a's address, not its quota"
                )


def test_production_gives_each_client_a_quarter_of_the_capacity_by_default() -> None:
    assert production_share(256) == 64 and production_share(2) == 1


def bearer(url: str, token: str) -> mcp.Client:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"})
    return mcp.Client(streamable_http_client(url, http_client=http), mode="2026-07-28")
