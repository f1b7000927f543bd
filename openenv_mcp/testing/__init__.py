"""The testing kit for environment authors: reach a server, read its results, check it.

    from openenv_mcp.testing import check_environment, check_server, connect, text

    async def test_my_environment() -> None:
        await check_environment(MyEnvironment)
        await check_server(MyEnvironment)
        async with connect(MyEnvironment, transport="http", era="legacy") as client:
            result = await client.call_tool("my_tool", {"x": 1})
            assert text(result) == "..."

Installed with openenv-mcp, it is also a pytest plugin (``openenv_mcp.testing.plugin``) with
the fixtures `mcp_era` (both protocol eras) and `mcp_transport` (memory, stdio, http).
"""

from openenv_mcp.conformance import ConformanceError, check_environment
from openenv_mcp.testing.connect import ERAS, TRANSPORTS, Transport, connect
from openenv_mcp.testing.results import episode_id, error_kind, step_meta, structured, text
from openenv_mcp.testing.server_check import check_server
from openenv_mcp.testing.serving import Served, running_http, served, served_process

__all__ = [
    "ERAS",
    "TRANSPORTS",
    "ConformanceError",
    "Served",
    "Transport",
    "check_environment",
    "check_server",
    "connect",
    "episode_id",
    "error_kind",
    "running_http",
    "served",
    "served_process",
    "step_meta",
    "structured",
    "text",
]
