"""`EnvClient` targets an environment's image: `docker run -i --rm --network none IMAGE` over stdio."""

from __future__ import annotations

import anyio
import pytest

from openenv_mcp.client import EnvClient
from openenv_mcp.containers import DockerEngine, ImageTarget, image_tag

pytestmark = pytest.mark.docker


async def test_env_client_plays_an_episode_in_an_image(engine: DockerEngine, images: dict[str, str]) -> None:
    assert images["echo"] == image_tag("echo")
    with anyio.fail_after(120):
        async with EnvClient(ImageTarget("echo")) as env:
            first = await env.reset(seed=3, options={"max_steps": 2})
            assert "echo" in str(first.observation)
            result = await env.step({"name": "echo", "arguments": {"message": "from a container"}})
            assert result.observation == "from a container"
            assert result.reward == pytest.approx(1.6)
            assert not result.terminated
    # --rm removes it; the session teardown also asserts that no labelled container is left.
