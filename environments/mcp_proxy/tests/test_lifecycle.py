"""A child per episode or one shared child; every child process gone after close."""

from __future__ import annotations

import anyio
import pytest

from environments.mcp_proxy.tests.helpers import toy_config
from openenv_mcp.conformance import child_pids
from openenv_mcp.spec import ToolCallAction
from openenv_mcp_mcp_proxy import McpProxyEnvironment

pytestmark = [pytest.mark.subprocess]
PID = ToolCallAction(tool_name="toy__pid")


async def test_each_episode_has_its_own_child_and_close_stops_it() -> None:
    proxy = McpProxyEnvironment.factory(toy_config())
    before = child_pids()
    first, second = proxy(), proxy()
    with anyio.fail_after(60):
        await first.reset(seed=0)
        await second.reset(seed=0)
        pids = {(await env.step(PID)).observation.structured_content["result"] for env in (first, second)}
        assert len(pids) == 2 and pids <= child_pids()
        await first.reset(seed=0)  # a reset in place starts a fresh child
        fresh = (await first.step(PID)).observation.structured_content["result"]
        assert fresh not in pids
        await first.close()
        await second.close()
        await first.close()
    assert child_pids() - before == set()


async def test_a_shared_child_serves_every_episode_until_the_last_closes() -> None:
    proxy = McpProxyEnvironment.factory(toy_config(per_episode=False))
    before = child_pids()
    first, second = proxy(), proxy()
    with anyio.fail_after(60):
        await first.reset(seed=0)
        await second.reset(seed=0)
        one = (await first.step(PID)).observation.structured_content["result"]
        two = (await second.step(PID)).observation.structured_content["result"]
        assert one == two and one in child_pids()
        await first.close()
        assert one in child_pids()
        assert (await second.step(PID)).observation.structured_content["result"] == one
        await second.close()
    assert child_pids() - before == set()
