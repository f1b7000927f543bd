"""An OpenEnv server in a Docker image, started by the bridge: served through it, hardened, removed.

The image is built here from the local base image (scripts/setup-docker.sh) with OpenEnv 0.10.0's
installed packages copied into a virtual environment of its own (no registry is reachable), and
the echo remote as its command. Without an engine the test skips, except under `CI=true`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from benchmarks.peers.openenv import ensure_venv
from openenv_mcp.containers import DockerEngine, DockerUnavailableError
from openenv_mcp.containers.provider import HTTP_NETWORK
from openenv_mcp.server import EnvServer
from openenv_mcp.testing import connect, episode_id, text
from openenv_mcp.testing.results import structured
from openenv_mcp_openenv_bridge import BridgeConfig, OpenEnvBridgeEnvironment

pytestmark = [pytest.mark.subprocess, pytest.mark.timeout(300)]

TAG = "openenv-mcp-test-openenv-echo:0.10.0"
REMOTES = Path(__file__).with_name("remotes")
DOCKERFILE = """\
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN python3 -m venv /opt/openenv
COPY site-packages /opt/openenv/lib/python3.11/site-packages
COPY echo_remote.py /app/echo_remote.py
EXPOSE 8000
CMD ["/opt/openenv/bin/python", "-I", "/app/echo_remote.py", "--host", "0.0.0.0", "--port", "8000"]
"""


@pytest.fixture(scope="module")
def engine() -> Iterator[DockerEngine]:
    try:
        engine = DockerEngine.connect()
    except DockerUnavailableError as exc:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"CI=true and {exc}: run scripts/setup-docker.sh")
        pytest.skip(str(exc))
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def image(engine: DockerEngine, tmp_path_factory: pytest.TempPathFactory) -> str:
    base = os.environ.get("OPENENV_MCP_BASE_IMAGE", "openenv-mcp-base:bookworm")
    if not engine.image_exists(base):
        pytest.fail(f"the base image {base} is missing: run scripts/setup-docker.sh")
    venv = ensure_venv().parent.parent
    context = tmp_path_factory.mktemp("openenv-image")
    shutil.copytree(next(venv.glob("lib/python3.*/site-packages")), context / "site-packages", symlinks=True)
    shutil.copy(REMOTES / "echo_remote.py", context / "echo_remote.py")
    (context / "Dockerfile").write_text(DOCKERFILE)
    command = ["docker", "build", "-q", "--build-arg", f"BASE_IMAGE={base}", "-t", TAG, str(context)]
    built = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)
    assert built.returncode == 0, built.stderr[-2000:]
    return TAG


async def test_an_image_remote_serves_through_the_bridge_without_a_route_out_and_is_removed(
    engine: DockerEngine, image: str
) -> None:
    factory = OpenEnvBridgeEnvironment.factory(BridgeConfig(image=image, port=8000, start_timeout=90))
    server = EnvServer(OpenEnvBridgeEnvironment, factory=factory)
    with anyio.fail_after(180):
        async with connect(server, era="legacy") as client:
            reset = await client.call_tool("reset", {"seed": 3})
            episode = episode_id(reset)
            said = await client.call_tool("echo", {"message": "from a container", "episode_id": episode})
            assert (text(said), said.is_error) == ("from a container", False)
            state = structured(await client.call_tool("state", {"episode_id": episode}))
            assert state["extra"]["remote_url"].startswith("http://127.0.0.1:")
            started = [c.name for c in await anyio.to_thread.run_sync(engine.labelled)]
            names = [n for n in started if n.startswith("openenv-bridge-")]
            assert len(names) == 1, f"the bridge started {names} (of {started})"
            name = names[0]
            attrs = await anyio.to_thread.run_sync(engine.inspect, name)
            assert list(attrs["NetworkSettings"]["Networks"]) == [HTTP_NETWORK]  # no masquerade: no route out
            bindings = attrs["NetworkSettings"]["Ports"]["8000/tcp"]
            assert [b["HostIp"] for b in bindings] == ["127.0.0.1"]
            await client.call_tool("close", {"episode_id": episode})
        await server.aclose()
    assert await anyio.to_thread.run_sync(engine.state, name) is None, "the container was not removed"
