"""A child reached by URL: openenv-mcp's own echo (production mode), served over Streamable HTTP."""

from __future__ import annotations

import anyio

from environments.mcp_proxy.tests.helpers import step_meta, text
from openenv_mcp.server import EnvServer
from openenv_mcp.spec import ToolCallAction
from openenv_mcp.testing import running_http
from openenv_mcp.transports import build_app
from openenv_mcp_echo import EchoEnvironment
from openenv_mcp_mcp_proxy import McpProxyEnvironment, ProxyConfig
from tests.conftest import connect


async def test_a_url_child_is_proxied_step_by_step() -> None:
    child = EnvServer(EchoEnvironment, mode="production")
    with anyio.fail_after(60):
        async with running_http(build_app([child])) as base:
            config = ProxyConfig(name="remote", url=f"{base}/envs/echo/mcp", allow=["echo"])
            proxy = McpProxyEnvironment.factory(config)
            assert [d.name for d in (await proxy.definitions()).values()] == ["remote__echo"]
            env = proxy()
            try:
                await env.reset(seed=0)
                result = await env.step(
                    ToolCallAction(tool_name="remote__echo", parameters={"message": "through the proxy"})
                )
                assert result.error is None
                assert "through the proxy" in str(result.observation)
                assert env.step_count == 1
            finally:
                await env.close()


async def test_a_url_child_behind_our_own_mcp_server() -> None:
    child = EnvServer(EchoEnvironment, mode="production")
    with anyio.fail_after(60):
        async with running_http(build_app([child])) as base:
            config = ProxyConfig(name="remote", url=f"{base}/envs/echo/mcp", allow=["echo"])
            proxy = EnvServer(McpProxyEnvironment, factory=McpProxyEnvironment.factory(config))
            async with connect(proxy, "legacy") as client:
                result = await client.call_tool("remote__echo", {"message": "hi"})
                assert not result.is_error, text(result)
                assert step_meta(result)["step_count"] == 1
            await proxy.aclose()
