"""Docker fixtures: one engine and one build of each test image per session, and no leaks.

The tests here are marked `docker`. Without an engine they skip, except under `CI=true`,
where a missing engine fails them: CI must not pass by skipping (scripts/setup-docker.sh).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest

from openenv_mcp.containers import (
    DEFAULT_BASE_IMAGE,
    DockerEngine,
    DockerProvider,
    DockerUnavailableError,
    build_image,
    image_tag,
    prepare_wheels,
)
from openenv_mcp.containers.context import find_source
from openenv_mcp.containers.sweep import sweep_owned

LOCAL_BASE_IMAGE = "openenv-mcp-base:bookworm"
"""Built by scripts/setup-docker.sh where no registry is reachable."""
TEST_IMAGES = ("echo", "python")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "docker: needs a Docker engine (scripts/setup-docker.sh)")


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def engine() -> Iterator[DockerEngine]:
    try:
        engine = DockerEngine.connect()
    except DockerUnavailableError as exc:
        if _in_ci():
            pytest.fail(f"CI=true and {exc}: run scripts/setup-docker.sh")
        pytest.skip(str(exc))
    yield engine
    sweep_owned(engine)
    left = [state.name for state in engine.labelled()]
    engine.close()
    assert not left, f"containers left behind: {left}"


@pytest.fixture(scope="session")
def images(engine: DockerEngine, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The echo and python images, built once from one set of wheels."""
    base = os.environ.get("OPENENV_MCP_BASE_IMAGE")
    if base is None:
        base = LOCAL_BASE_IMAGE if engine.image_exists(LOCAL_BASE_IMAGE) else DEFAULT_BASE_IMAGE
    wheels = prepare_wheels(find_source(), tmp_path_factory.mktemp("wheels"))
    return {
        env: build_image(env, base_image=base, engine=engine, wheels=wheels, progress=lambda _: None)
        for env in TEST_IMAGES
    }


@pytest.fixture
async def provider(engine: DockerEngine, images: dict[str, str]) -> AsyncIterator[DockerProvider]:
    assert set(images.values()) == {image_tag(env) for env in TEST_IMAGES}
    async with DockerProvider(engine=engine, timeout=60) as provider:
        yield provider
