"""Build an environment's image through the docker SDK, streaming the engine's progress lines."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from openenv_mcp.containers.context import prepare_context
from openenv_mcp.containers.engine import DockerEngine

__all__ = ["DEFAULT_BASE_IMAGE", "build_image", "image_tag"]

logger = logging.getLogger(__name__)

DEFAULT_BASE_IMAGE = "python:3.11-slim"


def image_tag(env: str) -> str:
    """The default tag of an environment's image.

    >>> image_tag("connect_four")
    'openenv-mcp-connect-four:latest'
    """
    return f"openenv-mcp-{env.replace('_', '-')}:latest"


def build_image(
    env: str,
    *,
    tag: str | None = None,
    base_image: str = DEFAULT_BASE_IMAGE,
    engine: DockerEngine | None = None,
    wheels: Path | None = None,
    package: Path | None = None,
    progress: Callable[[str], None] = logger.info,
) -> str:
    """Build the image of `env` and return its tag (blocking: call it from a thread in async code).

    The engine is checked first, so a missing dockerd fails before the wheels are prepared.
    `wheels` reuses a folder from `prepare_wheels` (several images, one preparation).
    `package` is the folder of an environment package outside this checkout's `environments/`
    (with its pyproject.toml and Dockerfile); by default it is found from the entry point.
    """
    tag = tag or image_tag(env)
    engine = engine or DockerEngine.connect()
    with tempfile.TemporaryDirectory(prefix=f"openenv-mcp-build-{env}-") as folder:
        context = prepare_context(env, Path(folder), wheels=wheels, package=package, progress=progress)
        progress(f"building {tag} from {base_image}")
        for line in engine.build(context, tag, {"BASE_IMAGE": base_image}):
            progress(line)
    return tag
