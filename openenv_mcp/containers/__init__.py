"""Environments in Docker containers: images, a provider that starts them isolated, a sweep.

The docker SDK is an optional extra (`pip install 'openenv-mcp[docker]'`); importing this
package does not need it, only talking to an engine does.
"""

from openenv_mcp.containers.build import DEFAULT_BASE_IMAGE, build_image, image_tag
from openenv_mcp.containers.claude import docker_claude_config
from openenv_mcp.containers.context import prepare_context, prepare_wheels
from openenv_mcp.containers.engine import LABEL, ContainerState, DockerEngine
from openenv_mcp.containers.errors import ContainerError, DockerUnavailableError
from openenv_mcp.containers.limits import ContainerLimits
from openenv_mcp.containers.pool import ContainerPool
from openenv_mcp.containers.provider import HTTP_NETWORK, DockerProvider
from openenv_mcp.containers.session import ContainerSession, Transport
from openenv_mcp.containers.target import ImageTarget

__all__ = [
    "DEFAULT_BASE_IMAGE",
    "HTTP_NETWORK",
    "LABEL",
    "ContainerError",
    "ContainerLimits",
    "ContainerPool",
    "ContainerSession",
    "ContainerState",
    "DockerEngine",
    "DockerProvider",
    "DockerUnavailableError",
    "ImageTarget",
    "Transport",
    "build_image",
    "docker_claude_config",
    "image_tag",
    "prepare_context",
    "prepare_wheels",
]
