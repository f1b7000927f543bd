"""Streamable HTTP: a real uvicorn on 127.0.0.1, both protocol eras, the catalogue and health."""

from __future__ import annotations

import json
import sys

import anyio
import anyio.abc
import httpx2
import mcp
import pytest
from mcp.client.client import ConnectMode

from openenv_mcp import cli
from openenv_mcp.server import META_STEP, EnvServer
from openenv_mcp.testing import running_http
from openenv_mcp.testing.serving import served_command
from openenv_mcp.transports import build_app
from openenv_mcp.transports.http import KEEP_ALIVE_SECONDS
from openenv_mcp_echo import EchoEnvironment


async def test_both_eras_reset_step_and_default_episodes(era: ConnectMode) -> None:
    server = EnvServer(EchoEnvironment)
    with anyio.fail_after(30):
        async with running_http(build_app([server])) as base:
            async with mcp.Client(f"{base}/envs/echo/mcp", mode=era, read_timeout_seconds=10) as client:
                assert client.protocol_version == ("2025-11-25" if era == "legacy" else era)
                names = [tool.name for tool in (await client.list_tools()).tools]
                assert names == ["reset", "step", "step_batch", "state", "close", "echo"]
                reset = await client.call_tool("reset", {"seed": 3})
                assert reset.structured_content is not None
                episode_id = reset.structured_content["episode_id"]
                result = await client.call_tool("echo", {"message": "over http", "episode_id": episode_id})
                assert (result.meta or {})[META_STEP]["step_count"] == 1
                default = await client.call_tool("echo", {"message": "no id"})
                assert default.is_error == (era != "legacy")
            assert server.registry.ids() == [episode_id]
    assert server.registry.live == 0


async def test_healthz_and_the_catalogue() -> None:
    server = EnvServer(EchoEnvironment)
    with anyio.fail_after(30):
        async with running_http(build_app([server])) as base, httpx2.AsyncClient(base_url=base) as http:
            health = await http.get("/healthz")
            expected: dict[str, object] = {"status": "ok", "environments": ["echo"], "sandbox": {}}
            assert health.status_code == 200 and health.json() == expected
            catalogue = (await http.get("/envs")).json()["environments"]
            assert catalogue[0]["name"] == "echo" and catalogue[0]["url"] == "/envs/echo/mcp"
            assert "echo" in catalogue[0]["tools"]


async def test_malformed_requests_get_protocol_errors_and_the_server_lives_on() -> None:
    server = EnvServer(EchoEnvironment)
    headers = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
    with anyio.fail_after(30):
        async with running_http(build_app([server])) as base, httpx2.AsyncClient(base_url=base) as http:
            garbage = await http.post("/envs/echo/mcp", content=b"{not json", headers=headers)
            assert garbage.status_code == 400
            assert garbage.json()["error"]["code"] == -32700
            not_rpc = await http.post("/envs/echo/mcp", content=json.dumps({"hello": 1}), headers=headers)
            assert not_rpc.status_code == 400
            async with mcp.Client(f"{base}/envs/echo/mcp", mode="2026-07-28") as client:
                assert (await client.call_tool("reset", {})).structured_content is not None


async def _get_healthz(stream: anyio.abc.SocketStream) -> bytes:
    await stream.send(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    reply = b""
    while b'"status"' not in reply:
        reply += await stream.receive()
    return reply


@pytest.mark.subprocess
async def test_serve_keeps_idle_connections_for_keep_alive_seconds() -> None:
    command = [sys.executable, "-m", "openenv_mcp", "serve", "echo", "--port", "0", "--keep-alive", "2"]
    with anyio.fail_after(60):
        async with served_command(command, "") as base:
            host, port = base.removeprefix("http://").split(":")
            async with await anyio.connect_tcp(host, int(port)) as stream:
                assert (await _get_healthz(stream)).startswith(b"HTTP/1.1 200")
                await anyio.sleep(1)  # idle, but within --keep-alive: the same connection answers
                assert (await _get_healthz(stream)).startswith(b"HTTP/1.1 200")
                await anyio.sleep(3.5)  # past it: the server has closed the connection
                with pytest.raises((anyio.EndOfStream, anyio.BrokenResourceError, ConnectionError)):
                    await _get_healthz(stream)


def test_serve_keeps_connections_longer_than_the_sdk_client_pool_does() -> None:
    # Equal expiries race: a request goes out on a connection the server is closing.
    default = cli._parser().parse_args(["serve", "echo"]).keep_alive  # pyright: ignore[reportPrivateUsage]
    pool_expiry = httpx2.Limits().keepalive_expiry
    assert pool_expiry is not None
    assert default == KEEP_ALIVE_SECONDS > pool_expiry


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics", "/envs", "/envs/echo/mcp"])
async def test_every_route_refuses_a_foreign_host_or_origin(path: str) -> None:
    """A DNS-rebinding page reaches the server by name: neither the catalogue nor health answers it."""
    with anyio.fail_after(30):
        async with (
            running_http(build_app([EnvServer(EchoEnvironment)])) as base,
            httpx2.AsyncClient() as http,
        ):
            foreign = await http.get(f"{base}{path}", headers={"host": "rebind.example:8000"})
            assert foreign.status_code == 421, foreign.text
            origin = await http.get(f"{base}{path}", headers={"origin": "http://rebind.example"})
            assert origin.status_code == 403, origin.text
            if path != "/envs/echo/mcp":
                assert (await http.get(f"{base}{path}")).status_code == 200


async def test_allowed_hosts_are_the_rule_for_every_route() -> None:
    app = build_app([EnvServer(EchoEnvironment)], allowed_hosts=["envs.internal:8000"])
    with anyio.fail_after(30):
        async with running_http(app) as base, httpx2.AsyncClient() as http:
            named = {"host": "envs.internal:8000", "origin": "https://envs.internal:8000"}
            assert (await http.get(f"{base}/envs", headers=named)).status_code == 200
            assert (await http.get(f"{base}/envs")).status_code == 421  # loopback is no longer the rule
