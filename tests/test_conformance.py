"""The shared conformance check, run over every installed environment."""

from __future__ import annotations

import anyio
import mcp
import pytest

from openenv_mcp import discovery
from openenv_mcp.conformance import ConformanceError, check_environment, child_pids
from openenv_mcp.environment import Environment, tool
from openenv_mcp.server import EnvServer
from openenv_mcp.spec import ToolCallAction
from tests.conftest import ERAS

INSTALLED = discovery.available()


def test_at_least_the_bundled_environments_are_installed() -> None:
    assert "echo" in INSTALLED


@pytest.mark.parametrize("name", INSTALLED)
async def test_every_installed_environment_conforms(name: str) -> None:
    with anyio.fail_after(120):
        await check_environment(discovery.load(name))


@pytest.mark.parametrize("name", INSTALLED)
@pytest.mark.parametrize("era", ERAS)
async def test_every_installed_environment_serves_and_cleans_up(name: str, era: str) -> None:
    server = EnvServer(discovery.load(name))
    before = child_pids()
    with anyio.fail_after(120):
        async with mcp.Client(server.server, mode=era) as client:
            listed = {tool.name for tool in (await client.list_tools()).tools}
            assert {"reset", "step", "state", "close"} <= listed
            reset = await client.call_tool("reset", {"seed": 0})
            assert reset.structured_content is not None, reset.content
            episode_id = reset.structured_content["episode_id"]
            state = await client.call_tool("state", {"episode_id": episode_id})
            assert state.structured_content is not None
            assert state.structured_content["step_count"] == 0
            await client.call_tool("close", {"episode_id": episode_id})
    assert server.registry.live == 0
    assert child_pids() - before == set()


async def test_the_check_catches_an_unseeded_environment() -> None:
    class Moody(Environment):
        name = "moody"

        async def on_reset(self, options: object) -> float:
            import random

            return random.random()

        @tool
        def sulk(self) -> str:
            """Sulk."""
            return "..."

    with pytest.raises(ConformanceError, match="not reproducible"):
        await check_environment(Moody)


async def test_the_check_catches_an_environment_that_accepts_anything() -> None:
    class Lax(Environment):
        name = "lax"

        @tool
        def anything(self, value: str = "") -> str:
            """Take anything."""
            return value

        async def call_tool(self, action: ToolCallAction) -> str:
            return "fine"

    with pytest.raises(ConformanceError, match="was accepted"):
        await check_environment(Lax)


async def test_the_check_catches_an_environment_that_leaves_files_behind() -> None:
    import shutil
    import tempfile

    made: list[str] = []

    class Litter(Environment):
        name = "litter"

        async def on_reset(self, options: object) -> str:
            self.scratch = tempfile.mkdtemp(prefix="openenv-litter-")
            made.append(self.scratch)
            return "ready"

        def state_extra(self) -> dict[str, object]:
            return {"scratch": self.scratch}

        @tool
        def noop(self) -> str:
            """Do nothing."""
            return ""

    try:
        with pytest.raises(ConformanceError, match="temporary files"):
            await check_environment(Litter)
    finally:
        for path in made:
            shutil.rmtree(path, ignore_errors=True)
