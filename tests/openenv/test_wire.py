"""OpenEnv's wire on our app, over real sockets: bad input, sessions as episodes, guards, metrics.

Each test serves an app in this process (uvicorn on a free port) and talks to it with a raw
WebSocket or HTTP client, every wait bounded.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx2
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin

from openenv_mcp.auth import Authenticator, StaticTokens, parse_token_file
from openenv_mcp.episodes import RegistryLimits
from openenv_mcp.openenv_wire import speaks_mcp
from openenv_mcp.openenv_wire.channel import MAX_FRAME_CHARACTERS
from openenv_mcp.server import EnvServer, Mode
from openenv_mcp.server.quotas import QuotaLimits
from openenv_mcp.testing import running_http
from openenv_mcp.transports import build_app
from openenv_mcp_echo import EchoEnvironment

TRAINER = "trainer-token-aaaaaaaaaaaa"
AGENT = "agent-token-bbbbbbbbbbbbbb"
TOKENS = f"{TRAINER} openenv:control team-a\n{AGENT} openenv:tools team-a\n"
ECHO = {"type": "step", "data": {"type": "call_tool", "tool_name": "echo", "arguments": {"message": "hi"}}}


@asynccontextmanager
async def serving(
    server: EnvServer | None = None, authenticator: Authenticator | None = None
) -> AsyncGenerator[tuple[str, EnvServer]]:
    server = server or EnvServer(EchoEnvironment)
    with anyio.fail_after(30):
        async with running_http(build_app([server], authenticator=authenticator)) as base:
            yield base, server


def ws_url(base: str, path: str = "/envs/echo/ws") -> str:
    return base.replace("http://", "ws://") + path


async def ask(ws: ClientConnection, frame: Any) -> dict[str, Any]:
    """Send one frame (JSON unless str or bytes) and read its one reply."""
    with anyio.fail_after(30):
        await ws.send(frame if isinstance(frame, str | bytes) else json.dumps(frame))
        reply: dict[str, Any] = json.loads(await ws.recv())
    return reply


async def live_becomes(server: EnvServer, count: int) -> None:
    with anyio.fail_after(10):
        while server.registry.live != count:
            await anyio.sleep(0.01)


async def test_bad_frames_get_openenv_errors_and_the_connection_goes_on() -> None:
    async with serving() as (base, _), connect(ws_url(base), max_size=None) as ws:
        cases: list[tuple[Any, str, str]] = [
            ("{not json", "INVALID_JSON", "Invalid JSON"),
            (b"\x00\x01", "INVALID_JSON", "binary frames"),
            ({"type": "dance"}, "UNKNOWN_TYPE", "'dance'"),
            ([1, 2], "UNKNOWN_TYPE", "None"),
            ({"type": "step"}, "VALIDATION_ERROR", "data"),
            ({"type": "reset", "data": {}, "extra": 1}, "VALIDATION_ERROR", "extra"),
            ({"type": "step", "data": {"type": "call_tool"}}, "VALIDATION_ERROR", "tool_name"),
            ({"type": "step", "data": {"type": "teleport"}}, "VALIDATION_ERROR", "call_tool, list_tools"),
            (ECHO, "SESSION_ERROR", "send a reset first"),
            ({"type": "state"}, "SESSION_ERROR", "send a reset first"),
            ({"type": "reset", "data": {"seed": -1}}, "VALIDATION_ERROR", "seed"),
            ({"type": "reset", "data": {"reward_scale": -1}}, "VALIDATION_ERROR", "reward_scale"),
            ("x" * (MAX_FRAME_CHARACTERS + 1), "VALIDATION_ERROR", "over the limit"),
        ]
        for frame, code, words in cases:
            reply = await ask(ws, frame)
            assert reply["type"] == "error" and reply["data"]["code"] == code, (frame, reply)
            assert words in reply["data"]["message"], (frame, reply)
        first = await ask(ws, {"type": "reset", "data": {"seed": 1}})
        assert first["type"] == "observation" and first["data"]["metadata"]["step_count"] == 0
        assert (await ask(ws, ECHO))["data"]["reward"] == pytest.approx(0.2)


async def test_bad_actions_are_steps_with_an_error_the_episode_goes_on() -> None:
    async with serving() as (base, _), connect(ws_url(base)) as ws:
        await ask(ws, {"type": "reset", "data": {"seed": 1}})
        unknown = await ask(ws, {"type": "step", "data": {"type": "call_tool", "tool_name": "nope"}})
        wrong = await ask(
            ws, {"type": "step", "data": {"type": "call_tool", "tool_name": "echo", "arguments": {}}}
        )
        code = await ask(ws, {"type": "step", "data": {"code": "1 + 1"}})
        for reply, error_type, words in (
            (unknown, "tool_not_found", "unknown tool 'nope'"),
            (wrong, "invalid_args", "message"),
            (code, "execution_error", "does not accept code actions"),
        ):
            observation = reply["data"]["observation"]
            assert (
                observation["error"]["error_type"] == error_type and words in observation["error"]["message"]
            )
            assert reply["data"]["done"] is False
        assert code["data"]["metadata"]["step_count"] == 3
        tools = await ask(ws, {"type": "step", "data": {"type": "list_tools"}})
        assert [t["name"] for t in tools["data"]["observation"]["tools"]] == ["echo"]
        assert "episode_id" not in tools["data"]["observation"]["tools"][0]["input_schema"]["properties"]
        assert (await ask(ws, {"type": "state"}))["data"]["step_count"] == 3, "list_tools is not a step"


async def test_a_session_is_an_episode_closed_with_its_socket() -> None:
    async with serving() as (base, server):
        async with connect(ws_url(base)) as ws:
            first = await ask(ws, {"type": "reset", "data": {"seed": 3}})
            assert server.registry.is_live(first["data"]["metadata"]["episode_id"])
            await ask(ws, ECHO)
            await ws.send(json.dumps({"type": "close"}))
            with anyio.fail_after(10), pytest.raises(ConnectionClosed):
                await ws.recv()  # no reply to a close: the server closes the socket
        await live_becomes(server, 0)
        dropped = await connect(ws_url(base))
        await ask(dropped, {"type": "reset", "data": {}})
        assert server.registry.live == 1
        dropped.transport.abort()  # no close frame, no close handshake
        await live_becomes(server, 0)
        assert server.registry.created_total == server.registry.closed_total == 2


async def test_a_reset_starts_the_same_episode_over_and_a_closed_one_is_a_session_error() -> None:
    async with serving() as (base, server), connect(ws_url(base)) as ws:
        first = (await ask(ws, {"type": "reset", "data": {"seed": 1}}))["data"]["metadata"]["episode_id"]
        await ask(ws, ECHO)
        again = await ask(ws, {"type": "reset", "data": {"seed": 1, "episode_id": "mine"}})
        assert again["data"]["metadata"]["episode_id"] == first
        assert again["data"]["metadata"]["client_episode_id"] == "mine"
        await server.registry.close(first, "closed by the test")
        reply = await ask(ws, ECHO)
        assert reply["data"]["code"] == "SESSION_ERROR" and reply["data"]["kind"] == "episode_closed"


async def test_capacity_is_shared_and_refused_with_capacity_reached() -> None:
    server = EnvServer(EchoEnvironment, limits=RegistryLimits(capacity=1))
    async with serving(server) as (base, _), connect(ws_url(base)) as first, connect(ws_url(base)) as second:
        await ask(first, {"type": "reset", "data": {}})
        refused = await ask(second, {"type": "reset", "data": {}})
        assert refused["data"]["code"] == "CAPACITY_REACHED" and "at capacity" in refused["data"]["message"]
        assert (await ask(first, ECHO))["type"] == "observation"
        await first.close()
        await live_becomes(server, 0)
        assert (await ask(second, {"type": "reset", "data": {}}))["type"] == "observation"


async def test_the_step_quota_applies_as_on_the_mcp_endpoint() -> None:
    server = EnvServer(EchoEnvironment, quotas=QuotaLimits(steps_per_second=0.01, burst=1))
    async with serving(server) as (base, _), connect(ws_url(base)) as ws:
        await ask(ws, {"type": "reset", "data": {}})
        assert (await ask(ws, ECHO))["type"] == "observation"
        refused = await ask(ws, ECHO)
        assert refused["data"]["code"] == "CAPACITY_REACHED" and refused["data"]["kind"] == "quota"


async def test_steps_are_counted_in_the_metrics() -> None:
    async with serving() as (base, server), connect(ws_url(base)) as ws:
        await ask(ws, {"type": "reset", "data": {}})
        await ask(ws, ECHO)
        await ask(ws, ECHO)
        await ask(ws, {"type": "step", "data": {"type": "call_tool", "tool_name": "nope"}})
        assert server.metrics is not None
        text = server.metrics.exposition().decode()
    assert 'openenv_steps_total{env="echo",outcome="ok",tool="echo"} 2.0' in text
    assert 'openenv_steps_total{env="echo",outcome="unknown_tool",tool="nope"} 1.0' in text


async def test_mcp_frames_and_post_mcp_speak_openenv_json_rpc() -> None:
    async with serving() as (base, server), httpx2.AsyncClient(base_url=base, timeout=10) as http:
        async with connect(ws_url(base)) as ws:
            bad = await ask(ws, {"type": "mcp", "data": {"method": "tools/list"}})
            assert bad["type"] == "mcp" and bad["data"]["error"]["code"] == -32600
            rpc: dict[str, Any] = {
                "jsonrpc": "2.0",
                "id": 7,
                "method": "tools/call",
                "params": {"name": "echo", "arguments": {}},
            }
            failed = await ask(ws, {"type": "mcp", "data": rpc})
            assert failed["data"]["id"] == 7 and failed["data"]["error"]["code"] == -32602
            assert failed["data"]["error"]["data"]["kind"] == "invalid_arguments"

        async def post(body: Any) -> dict[str, Any]:
            raw = body if isinstance(body, str) else json.dumps(body)
            response = await http.post(
                "/envs/echo/mcp", content=raw, headers={"content-type": "application/json"}
            )
            assert response.status_code == 200
            return response.json()

        assert (await post("{"))["error"]["code"] == -32700
        assert (await post({}))["error"]["code"] == -32600
        unknown = await post({"jsonrpc": "2.0", "id": 1, "method": "initialize"})
        assert unknown["error"]["code"] == -32601 and "text/event-stream" in unknown["error"]["message"]
        stray = await post(
            {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {"session_id": "nope"}}
        )
        assert [t["name"] for t in stray["result"]["tools"]] == ["echo"]
        one = await post(
            {
                "jsonrpc": "2.0",
                "id": 3,
                "method": "tools/call",
                "params": {"name": "echo", "arguments": {"message": "a"}},
            }
        )
        assert one["result"]["data"] == "a" and server.registry.live == 0, (
            "a call without a session leaves none"
        )
        created = await post({"jsonrpc": "2.0", "id": 4, "method": "openenv/session/create"})
        session = created["result"]["session_id"]
        assert server.registry.is_live(session)
        gone = await post(
            {"jsonrpc": "2.0", "id": 5, "method": "openenv/session/close", "params": {"session_id": session}}
        )
        assert gone["result"] == {"session_id": session, "closed": True} and server.registry.live == 0
        again = await post(
            {"jsonrpc": "2.0", "id": 6, "method": "openenv/session/close", "params": {"session_id": session}}
        )
        assert again["error"]["code"] == -32602 and "Unknown session_id" in again["error"]["message"]
        missing = await post({"jsonrpc": "2.0", "id": 8, "method": "openenv/session/close"})
        assert missing["error"]["code"] == -32602
        async with connect(ws_url(base, f"/envs/echo/ws?session_id={session}")) as ws:
            refused = json.loads(await ws.recv())
            assert refused["data"]["code"] == "SESSION_ERROR" and session in refused["data"]["message"]


async def test_a_websocket_attached_to_a_session_leaves_it_open_until_session_close() -> None:
    async with serving() as (base, server), httpx2.AsyncClient(base_url=base, timeout=10) as http:
        created = await http.post(
            "/envs/echo/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "openenv/session/create"}
        )
        session = created.json()["result"]["session_id"]
        async with connect(ws_url(base, f"/envs/echo/ws?session_id={session}")) as ws:
            assert (await ask(ws, ECHO))["data"]["metadata"]["episode_id"] == session
            close = {
                "jsonrpc": "2.0",
                "id": 2,
                "method": "openenv/session/close",
                "params": {"session_id": session},
            }
            pending = (await http.post("/envs/echo/mcp", json=close)).json()
            assert pending["result"] == {"session_id": session, "closed": False, "closing": True}
            assert server.registry.is_live(session)
        await live_becomes(server, 0)


async def test_http_control_routes_are_stateless_as_openenv_s() -> None:
    async with serving() as (base, server), httpx2.AsyncClient(base_url=base, timeout=10) as http:
        reset = await http.post("/envs/echo/reset", json={"seed": 2})
        assert reset.status_code == 200 and reset.json()["observation"]["text"]
        step = await http.post(
            "/envs/echo/step",
            json={"action": {"type": "call_tool", "tool_name": "echo", "arguments": {"message": "ab"}}},
        )
        assert step.json()["reward"] == pytest.approx(0.2) and server.registry.live == 0
        assert (await http.post("/envs/echo/step", json={"action": {"type": "x"}})).status_code == 422
        assert (
            await http.post("/envs/echo/step", content="{", headers={"content-type": "application/json"})
        ).status_code == 422
        unknown = await http.post(
            "/envs/echo/step", json={"action": {"type": "list_tools"}, "session_id": "nope"}
        )
        assert unknown.status_code == 404 and unknown.json()["kind"] == "unknown_episode"
        assert (await http.get("/envs/echo/state")).json() == {"episode_id": None, "step_count": 0}
        assert (await http.post("/envs/echo/reset", json={"reward_scale": -1})).status_code == 422


async def test_the_task_api_serves_an_environment_s_tasks() -> None:
    from openenv_mcp_terminal import TerminalEnvironment

    server = EnvServer(TerminalEnvironment, sandbox="none", warm_pool=0, allow_missing_layers=["namespaces"])
    async with (
        serving(server) as (base, _),
        httpx2.AsyncClient(base_url=f"{base}/envs/terminal", timeout=10) as http,
    ):
        assert (await http.get("/list_environments")).json() == ["terminal"]
        assert (await http.get("/terminal/splits")).json() == [{"name": "all", "type": "train"}]
        tasks = (await http.post("/terminal/tasks", json={"split": "all"})).json()["tasks"]
        assert [t["id"] for t in tasks] == list(TerminalEnvironment.tasks())
        assert (await http.post("/terminal/num_tasks", json={"split": "all"})).json() == {
            "num_tasks": len(tasks)
        }
        assert (await http.post("/terminal/task", json={"split": "all", "index": 1})).json()["task"] == tasks[
            1
        ]
        assert (await http.post("/terminal/task", json={"split": "all", "index": 99})).status_code == 400
        ranged = (
            await http.post("/terminal/task_range", json={"split": "all", "start": 1, "stop": 3})
        ).json()
        assert ranged["tasks"] == tasks[1:3]
        assert (await http.post("/terminal/tasks", json={"split": "test"})).status_code == 404
        assert (await http.get("/chess/splits")).status_code == 404
        assert (await http.post("/terminal/tasks", json={})).status_code == 422
    async with serving() as (base, _), httpx2.AsyncClient(base_url=base, timeout=10) as http:
        assert (await http.get("/envs/echo/echo/splits")).status_code == 501


async def test_production_has_no_control_and_no_reward() -> None:
    server = EnvServer(EchoEnvironment, mode=Mode.PRODUCTION)
    async with serving(server) as (base, _), httpx2.AsyncClient(base_url=base, timeout=10) as http:
        paths = (await http.get("/envs/echo/openapi.json")).json()["paths"]
        assert not {"/reset", "/step", "/state"} & set(paths) and "/mcp" in paths
        assert (await http.post("/envs/echo/reset", json={})).status_code in (404, 405)
        async with connect(ws_url(base)) as ws:
            await ask(ws, {"type": "reset", "data": {}})
            step = await ask(ws, ECHO)
            assert step["data"]["reward"] is None and "terminated" not in step["data"]["metadata"]
            state = await ask(ws, {"type": "state"})
            assert state["data"]["code"] == "EXECUTION_ERROR" and state["data"]["kind"] == "forbidden"


async def test_tokens_scopes_and_the_tools_scope_as_production() -> None:
    authenticator = Authenticator(static=StaticTokens(parse_token_file(TOKENS)))
    async with (
        serving(authenticator=authenticator) as (base, _),
        httpx2.AsyncClient(base_url=base, timeout=10) as http,
    ):
        assert (await http.get("/envs/echo/health")).status_code == 200
        refused = await http.get("/envs/echo/schema")
        assert refused.status_code == 401 and "resource_metadata" not in refused.headers["www-authenticate"]
        assert (await http.post("/envs/echo/mcp", json={})).status_code == 401
        with anyio.fail_after(10), pytest.raises(InvalidStatus) as caught:
            await connect(ws_url(base))
        assert caught.value.response.status_code == 401
        agent_headers = {"Authorization": f"Bearer {AGENT}"}
        assert (await http.post("/envs/echo/reset", json={}, headers=agent_headers)).status_code == 403
        async with connect(ws_url(base), additional_headers=agent_headers) as ws:
            await ask(ws, {"type": "reset", "data": {}})
            assert (await ask(ws, ECHO))["data"]["reward"] is None
            assert (await ask(ws, {"type": "state"}))["data"]["kind"] == "forbidden"
        async with connect(ws_url(base), additional_headers={"Authorization": f"Bearer {TRAINER}"}) as ws:
            await ask(ws, {"type": "reset", "data": {}})
            assert (await ask(ws, ECHO))["data"]["reward"] == pytest.approx(0.2)


async def test_host_and_origin_are_checked_on_websockets_and_routes() -> None:
    async with serving() as (base, _), httpx2.AsyncClient(base_url=base, timeout=10) as http:
        assert (await http.get("/envs/echo/schema", headers={"Host": "evil.example"})).status_code == 421
        port = int(base.rsplit(":", 1)[1])
        with anyio.fail_after(10), pytest.raises(InvalidStatus) as caught:
            # A DNS-rebinding page: its name in Host, the connection to 127.0.0.1.
            await connect(f"ws://evil.example:{port}/envs/echo/ws", host="127.0.0.1", port=port)
        assert caught.value.response.status_code == 421
        with anyio.fail_after(10), pytest.raises(InvalidStatus) as caught:
            await connect(ws_url(base), origin=Origin("http://evil.example"))
        assert caught.value.response.status_code == 403


@pytest.mark.parametrize(
    ("method", "headers", "mcp"),
    [
        ("POST", {"accept": "*/*"}, False),  # OpenEnv's MCPToolClient (httpx) and validate (requests)
        ("POST", {}, False),
        ("POST", {"accept": "application/json, text/event-stream"}, True),  # initialize, both eras
        ("POST", {"accept": "application/json", "mcp-session-id": "s"}, True),
        ("POST", {"accept": "*/*", "mcp-protocol-version": "2026-07-28"}, True),
        ("GET", {"accept": "text/event-stream"}, True),
        ("DELETE", {"mcp-session-id": "s"}, True),
    ],
)
def test_speaks_mcp_routes_by_what_mcp_requires(method: str, headers: dict[str, str], mcp: bool) -> None:
    raw = [(k.encode(), v.encode()) for k, v in headers.items()]
    assert speaks_mcp({"type": "http", "method": method, "headers": raw}) is mcp
