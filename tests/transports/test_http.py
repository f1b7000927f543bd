"""Streamable HTTP: a real uvicorn on 127.0.0.1, both protocol eras, the catalogue and health."""

from __future__ import annotations

import json

import anyio
import httpx2
import mcp
from mcp.client.client import ConnectMode

from openenv_mcp.server import META_STEP, EnvServer
from openenv_mcp.transports import build_app
from openenv_mcp_echo import EchoEnvironment
from tests.helpers import running_http


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
            assert health.status_code == 200 and health.json() == {"status": "ok", "environments": ["echo"]}
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
