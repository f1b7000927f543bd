"""Authentication end to end over real HTTP: token files, scopes, ownership, and refusals with reasons."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
import mcp
import pytest
from mcp.client.client import ConnectMode
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult

from openenv_mcp.auth import Authenticator, StaticTokens, parse_token_file
from openenv_mcp.client import EnvClient
from openenv_mcp.client.results import ClientError, error_kind
from openenv_mcp.errors import UnauthorizedError
from openenv_mcp.server import META_STEP, EnvServer, Mode, audit
from openenv_mcp.testing import running_http, text
from openenv_mcp.transports import build_app
from openenv_mcp_echo import EchoEnvironment

TRAINER = "trainer-token-aaaaaaaaaaaa"
AGENT = "agent-token-bbbbbbbbbbbbbb"
OTHER = "other-team-token-cccccccc"
SCRAPER = "scraper-token-dddddddddddd"
TOKENS = f"""
{TRAINER} openenv:control team-a
{AGENT}   openenv:tools   team-a   # the trainer's agent: the same principal, tools only
{OTHER}   openenv:control team-b
{SCRAPER} openenv:metrics
"""
ERAS: list[ConnectMode] = ["legacy", "2026-07-28"]


@asynccontextmanager
async def served(mode: Mode = Mode.TRAINING) -> AsyncGenerator[str]:
    server = EnvServer(EchoEnvironment, mode=mode)
    authenticator = Authenticator(static=StaticTokens(parse_token_file(TOKENS)))
    async with running_http(build_app([server], authenticator=authenticator)) as base:
        yield base


def client(base: str, token: str | None, era: ConnectMode) -> mcp.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    http = httpx2.AsyncClient(headers=headers)
    return mcp.Client(streamable_http_client(f"{base}/envs/echo/mcp", http_client=http), mode=era)


def handle(result: CallToolResult) -> str:
    """The episode_id a reset or open_episode returned."""
    data: dict[str, Any] = result.structured_content or {}
    return str(data["episode_id"])


async def post(base: str, headers: dict[str, str], path: str = "/envs/echo/mcp") -> httpx2.Response:
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    base_headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    async with httpx2.AsyncClient() as http:
        return await http.post(f"{base}{path}", json=body, headers={**base_headers, **headers})


@pytest.mark.parametrize(
    ("header", "status", "reason"),
    [
        (None, 401, "missing"),
        ("Basic dXNlcjpwYXNz", 401, "malformed"),
        ("Bearer", 401, "malformed"),
        (f"Bearer {TRAINER} extra", 401, "malformed"),
        ("Bearer not-a-token-this-server-issued", 401, "unknown_token"),
        (f"Bearer {SCRAPER}", 403, "insufficient_scope"),
    ],
)
async def test_a_bad_or_missing_token_is_refused_with_its_reason(
    header: str | None, status: int, reason: str
) -> None:
    with anyio.fail_after(30):
        async with served() as base:
            response = await post(base, {"Authorization": header} if header else {})
    assert response.status_code == status
    body = response.json()
    assert body["reason"] == reason and body["error_description"]
    assert body["kind"] == ("forbidden" if status == 403 else "unauthorized")
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="openenv-mcp"')
    assert 'scope="openenv:control openenv:tools"' in challenge
    assert ("error=" in challenge) == (reason != "missing")  # RFC 6750: no error code without credentials
    assert "tools" not in json.dumps(body).replace("openenv:tools", "")  # nothing else is served


@pytest.mark.parametrize("era", ERAS)
async def test_the_tools_scope_sees_no_control_tool_and_no_reward(era: ConnectMode) -> None:
    with anyio.fail_after(30):
        async with served() as base, client(base, AGENT, era) as agent:
            listed = [tool.name for tool in (await agent.list_tools()).tools]
            assert listed == ["open_episode", "close_episode", "echo"]
            for hidden in ("reset", "step", "step_batch", "state", "close"):
                refused = await agent.call_tool(hidden, {})
                assert error_kind(refused) == "unknown_tool" and "reset" not in text(refused).split(":")[-1]
            opened = await agent.call_tool("open_episode", {"seed": 1})
            episode = handle(opened)
            result = await agent.call_tool("echo", {"message": "hi", "episode_id": episode})
            step = (result.meta or {})[META_STEP]
            assert not result.is_error and "reward" not in step and "info" not in step
            assert '"reward"' not in json.dumps(result.model_dump(by_alias=True))


@pytest.mark.parametrize("era", ERAS)
async def test_the_control_scope_drives_episodes_with_rewards(era: ConnectMode) -> None:
    with anyio.fail_after(30):
        async with served() as base, client(base, TRAINER, era) as trainer:
            listed = [tool.name for tool in (await trainer.list_tools()).tools]
            assert listed[:5] == ["reset", "step", "step_batch", "state", "close"]
            reset = await trainer.call_tool("reset", {"seed": 1})
            episode = handle(reset)
            result = await trainer.call_tool("echo", {"message": "hi", "episode_id": episode})
            assert "reward" in (result.meta or {})[META_STEP]


@pytest.mark.parametrize("era", ERAS)
async def test_another_principals_handle_is_answered_as_an_unknown_one(era: ConnectMode) -> None:
    with anyio.fail_after(30):
        async with served() as base, client(base, TRAINER, era) as a, client(base, OTHER, era) as b:
            reset = await a.call_tool("reset", {"seed": 1})
            mine = handle(reset)
            stolen = await b.call_tool("echo", {"message": "x", "episode_id": mine})
            never = await b.call_tool("echo", {"message": "x", "episode_id": "never-issued"})
            assert error_kind(stolen) == error_kind(never) == "unknown_episode"
            assert text(stolen) == text(never).replace("never-issued", mine)
            for tool in ("state", "close"):
                assert error_kind(await b.call_tool(tool, {"episode_id": mine})) == "unknown_episode"
            reset_theirs = await b.call_tool("reset", {"episode_id": mine})
            assert error_kind(reset_theirs) == "unknown_episode"
            # Closed, it stays unknown to the stranger (not "closed", which would confirm it existed).
            await a.call_tool("close", {"episode_id": mine})
            assert (
                error_kind(await b.call_tool("echo", {"message": "x", "episode_id": mine}))
                == "unknown_episode"
            )
            assert (
                error_kind(await a.call_tool("echo", {"message": "x", "episode_id": mine}))
                == "episode_closed"
            )


async def test_tokens_of_one_principal_share_its_episodes() -> None:
    """The trainer resets; its agent, holding only the tools scope, acts in the same episode."""
    with anyio.fail_after(30):
        async with served() as base, client(base, TRAINER, "2026-07-28") as trainer:
            reset = await trainer.call_tool("reset", {"seed": 1})
            episode = handle(reset)
            async with client(base, AGENT, "2026-07-28") as agent:
                result = await agent.call_tool("echo", {"message": "hi", "episode_id": episode})
                assert not result.is_error and (result.meta or {})[META_STEP]["step_count"] == 1


async def test_a_session_cannot_be_taken_over_by_another_principal() -> None:
    with anyio.fail_after(30):
        async with served() as base, client(base, TRAINER, "legacy") as owner:
            await owner.call_tool("echo", {"message": "mine"})
            async with httpx2.AsyncClient() as http:
                first = await http.post(
                    f"{base}/envs/echo/mcp",
                    json={"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": _initialize()},
                    headers=_headers(TRAINER),
                )
                session = first.headers["mcp-session-id"]
                hijack = await http.post(
                    f"{base}/envs/echo/mcp",
                    json={"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}},
                    headers={
                        **_headers(OTHER),
                        "Mcp-Session-Id": session,
                        "MCP-Protocol-Version": "2025-11-25",
                    },
                )
    assert first.status_code == 200 and hijack.status_code in (403, 404), hijack.text


def _initialize() -> dict[str, Any]:
    return {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}


def _headers(token: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
    }


async def test_the_catalogue_and_metrics_need_their_scopes_and_health_stays_open() -> None:
    with anyio.fail_after(30):
        async with served() as base, httpx2.AsyncClient(base_url=base) as http:
            assert (await http.get("/healthz")).status_code == 200
            assert (await http.get("/readyz")).status_code == 200
            assert (await http.get("/envs")).status_code == 401
            agent = await http.get("/envs", headers={"Authorization": f"Bearer {AGENT}"})
            assert agent.json()["environments"][0]["tools"] == ["open_episode", "close_episode", "echo"]
            trainer = await http.get("/envs", headers={"Authorization": f"Bearer {TRAINER}"})
            assert "reset" in trainer.json()["environments"][0]["tools"]
            assert (
                await http.get("/metrics", headers={"Authorization": f"Bearer {AGENT}"})
            ).status_code == 403
            scraped = await http.get("/metrics", headers={"Authorization": f"Bearer {SCRAPER}"})
            assert scraped.status_code == 200
            assert 'openenv_auth_refusals_total{kind="unauthorized",reason="missing"} 1.0' in scraped.text
            assert (
                'openenv_auth_refusals_total{kind="forbidden",reason="insufficient_scope"} 1.0'
                in scraped.text
            )


async def test_refusals_are_audited(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    handler = audit.log_to(log)
    try:
        with anyio.fail_after(30):
            async with served() as base:
                await post(base, {"Authorization": "Bearer forged-token-0000000000"})
    finally:
        logging.getLogger(audit.AUDIT_LOGGER).removeHandler(handler)
        handler.close()
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert entries[-1]["outcome"] == "unauthorized" and entries[-1]["reason"] == "unknown_token"
    assert entries[-1]["tool"] == "/envs/echo/mcp" and entries[-1]["client"] == "127.0.0.1"


async def test_env_client_sends_its_token() -> None:
    with anyio.fail_after(30):
        async with served() as base:
            url = f"{base}/envs/echo/mcp"
            async with EnvClient(url, auth=TRAINER) as env:
                first = await env.reset(seed=1)
                stepped = await env.step(
                    {"type": "tool_call", "tool_name": "echo", "parameters": {"message": "x"}}
                )
                assert first.observation and stepped.observation == "x"
            with pytest.raises(UnauthorizedError, match=r"HTTP 401 .*no bearer token.*pass auth="):
                async with EnvClient(url):
                    pass
            with pytest.raises(ClientError, match="not one this server issued"):
                async with EnvClient(url, auth="wrong-token-0000000000"):
                    pass


async def test_production_with_tokens_gives_every_principal_the_handle_tools() -> None:
    with anyio.fail_after(30):
        async with served(Mode.PRODUCTION) as base, client(base, TRAINER, "2026-07-28") as trainer:
            listed = [tool.name for tool in (await trainer.list_tools()).tools]
            assert listed == ["open_episode", "close_episode", "echo"]  # production shows control to nobody
